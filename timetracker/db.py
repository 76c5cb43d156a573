"""Database engine, request-scoped session and the column types every model shares.

One SQLAlchemy session per application context, committed once at the end of a successful
request (see ``timetracker.__init__``) and rolled back on any error, so that a rejected request
writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from flask import current_app, g
from sqlalchemy import DateTime, MetaData, Numeric, create_engine, event
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

from timetracker.billing.rules import to_cents
from timetracker.config import ConfigError

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored in UTC.

    Naive datetimes are refused: they are the usual source of off-by-hours bugs, and SQLite
    would silently drop any offset.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given; use an aware datetime (UTC)")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Money(TypeDecorator[Decimal]):
    """A ``Numeric(12, 2)`` amount, always a ``Decimal`` rounded to cents in Python.

    SQLite has no decimal type and stores REAL; the value is read back as a float and rounded
    to cents, which is exact for every amount a ``Numeric(12, 2)`` can hold.
    """

    impl = Numeric(12, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(12, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(12, 2))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_cents(value if isinstance(value, Decimal) else Decimal(str(value)))
        return float(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return to_cents(Decimal(str(value)))


class Hours(Money):
    """A ``Numeric(10, 2)`` quantity such as hours, handled like :class:`Money`."""

    impl = Numeric(10, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(10, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(10, 2))


class Rate(Money):
    """A ``Numeric(5, 2)`` percentage such as a tax rate."""

    impl = Numeric(5, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(5, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(5, 2))


#: The drivers TimeTracker runs on; ``postgres`` and ``postgresql`` mean psycopg 3.
SUPPORTED_DRIVERS = {"sqlite", "sqlite+pysqlite", "postgresql+psycopg"}
POSTGRES_ALIASES = {"postgres", "postgresql"}


def normalize_database_url(url: str) -> str:
    """``url`` with ``postgres://`` and ``postgresql://`` spelled ``postgresql+psycopg://``.

    Raises :class:`ConfigError` with a one-line reason for a malformed URL or a database or
    driver TimeTracker does not support.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        raise ConfigError(
            f"DATABASE_URL is not a valid database URL ({error}); expected "
            "sqlite:///path/to/file.db or postgresql://user:password@host:5432/dbname"
        ) from None
    if parsed.drivername in POSTGRES_ALIASES:
        parsed = parsed.set(drivername="postgresql+psycopg")
        return parsed.render_as_string(hide_password=False)
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise ConfigError(
            f"DATABASE_URL uses {parsed.drivername!r}, which TimeTracker does not support; "
            "use sqlite:///path/to/file.db or postgresql://user:password@host:5432/dbname"
        )
    return url


def make_engine(url: str, *, foreign_keys: bool = True, **kwargs: Any) -> Engine:
    """Create an engine.

    SQLite connections get foreign keys (off only for migrations, whose batch copies of parent
    tables they would break), WAL, a busy timeout, and transactions that SQLAlchemy controls
    itself so that SAVEPOINTs work (the pysqlite driver otherwise opens them on its own).
    """
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        def on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            if ":memory:" not in url and url not in {"sqlite://", "sqlite:///"}:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        def on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")

        event.listen(engine, "connect", on_connect)
        event.listen(engine, "begin", on_begin)
    return engine


class Database:
    """Holds the engine and hands out one session per application context."""

    def init_app(self, app: Any) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["timetracker.engine"] = engine
        app.extensions["timetracker.sessionmaker"] = sessionmaker(
            bind=engine, expire_on_commit=False
        )
        app.teardown_appcontext(self._remove_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["timetracker.engine"]

    def get_session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["timetracker.sessionmaker"]()
        return g.db_session

    @staticmethod
    def _remove_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            try:
                session.rollback()
                session.close()
            except SQLAlchemyError:
                # A lost connection: the pool discards it; the request has already answered.
                logging.getLogger(__name__).debug("closing the session failed", exc_info=True)


database = Database()
#: The session of the current application context.
#: (A LocalProxy that stands for the Session, hence the ignore.)
session: Session = LocalProxy(database.get_session)  # type: ignore[assignment]
