"""Rate-limit counters in the application's own database, for installations without Redis.

Flask-Limiter's memory storage lives in one process: under gunicorn every worker would count
on its own, and each limit would be multiplied by the number of workers (and servers). This
storage keeps the counters in the ``rate_limit_counters`` table instead, which every worker and
server of an installation shares. ``RATELIMIT_STORAGE_URI`` names it ``timetracker-db://``
(the default when ``REDIS_URL`` is not set, see :mod:`timetracker.config`).

Each hit is one atomic statement (an upsert that starts a new window when the old one has
ended) in its own short transaction on its own connection, apart from the request's session:
a request that is refused or rolled back has still been counted, and two workers hitting the
same counter at the same instant both count. The storage serves Flask-Limiter's fixed-window
strategy, the one the app uses (``RATELIMIT_STRATEGY``).

Windows follow the application's clock (``time.time()``), like the memory storage, so the
servers of one installation need synchronised clocks (as they do for sessions and invoices).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import current_app, has_app_context
from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from timetracker.models.rate_limits import RateLimitCounter

#: The ``RATELIMIT_STORAGE_URI`` of this storage.
STORAGE_URI = "timetracker-db://"
#: Expired windows are deleted on about one hit in this many (and on a reset), so that the
#: table holds roughly the windows of the last minutes whatever the traffic.
CLEANUP_ONE_HIT_IN = 100

_TABLE = RateLimitCounter.__tablename__

# One statement, atomic on SQLite (>= 3.35, for RETURNING) and PostgreSQL alike: a missing or
# ended window starts again at ``amount``; a current one grows by ``amount``. Both CASEs read
# the row as it was before the update.
_HIT = text(
    f"""
    INSERT INTO {_TABLE} (key, count, expires_at) VALUES (:key, :amount, :expires_at)
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN {_TABLE}.expires_at <= :now THEN excluded.count
                     ELSE {_TABLE}.count + excluded.count END,
        expires_at = CASE WHEN {_TABLE}.expires_at <= :now THEN excluded.expires_at
                          ELSE {_TABLE}.expires_at END
    RETURNING count
    """  # noqa: S608 - the table name is a constant, every value a bound parameter
)
_COUNT = text(f"SELECT count FROM {_TABLE} WHERE key = :key AND expires_at > :now")  # noqa: S608
_EXPIRY = text(f"SELECT expires_at FROM {_TABLE} WHERE key = :key AND expires_at > :now")  # noqa: S608
_CLEAR = text(f"DELETE FROM {_TABLE} WHERE key = :key")  # noqa: S608
_DELETE_EXPIRED = text(f"DELETE FROM {_TABLE} WHERE expires_at <= :now")  # noqa: S608
_DELETE_ALL = text(f"DELETE FROM {_TABLE}")  # noqa: S608


class DatabaseStorage(Storage):
    """A ``limits`` storage on the ``rate_limit_counters`` table (scheme ``timetracker-db``).

    ``limits`` builds its storages from a URI, which cannot carry an engine: without ``engine``
    the storage uses the engine of the application that is handling the request
    (``app.extensions["timetracker.engine"]``, see :mod:`timetracker.db`), so no wiring is
    needed and every app (tests create several) counts in its own database. ``engine`` is
    for use outside an application context.
    """

    STORAGE_SCHEME = ["timetracker-db"]

    def __init__(
        self,
        uri: str | None = None,
        wrap_exceptions: bool = False,
        engine: Engine | None = None,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._engine = engine

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        if self._engine is not None:
            return self._engine
        if not has_app_context():
            raise RuntimeError(
                "the database rate-limit storage needs an application context or an engine"
            )
        engine: Engine = current_app.extensions["timetracker.engine"]
        return engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as connection:
            count: int = connection.execute(
                _HIT, {"key": key, "amount": amount, "now": now, "expires_at": now + expiry}
            ).scalar_one()
        if secrets.randbelow(CLEANUP_ONE_HIT_IN) == 0:
            self.delete_expired()
        return count

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            count = connection.execute(_COUNT, {"key": key, "now": time.time()}).scalar()
        return int(count or 0)

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self.engine.connect() as connection:
            expires_at = connection.execute(_EXPIRY, {"key": key, "now": now}).scalar()
        return float(expires_at) if expires_at is not None else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every counter (all limits start afresh); the number of windows dropped."""
        with self.engine.begin() as connection:
            return connection.execute(_DELETE_ALL).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(_CLEAR, {"key": key})

    def delete_expired(self) -> int:
        """Delete the windows that have ended; the number deleted."""
        with self.engine.begin() as connection:
            return connection.execute(_DELETE_EXPIRED, {"now": time.time()}).rowcount
