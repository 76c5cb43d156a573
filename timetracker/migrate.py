"""Applying the Alembic migrations from code (the CLI and the tests), and checking that a
database is reachable and at the code's revision (the CLI, ``serve`` and ``/readyz``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from timetracker.db import make_engine

UPGRADE_HINT = "run `timetracker db upgrade`"
#: The migration scripts ship inside the package, so that an installed wheel can migrate; the
#: repository's alembic.ini points ``alembic`` at the same folder.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseProblem(RuntimeError):
    """The database cannot be used: unreachable, not migrated, or at another revision."""


@dataclass(frozen=True)
class UpgradeResult:
    before: str | None
    after: str | None
    applied: int

    def message(self) -> str:
        if self.applied:
            plural = "migration" if self.applied == 1 else "migrations"
            return f"Applied {self.applied} {plural}, now at {self.after}."
        return f"Already up to date at {self.after}."


def alembic_config(database_url: str) -> Config:
    """The configuration the app migrates with. It needs no alembic.ini: an installed package
    has none, and logging is the app's own (env.py configures logging only for ``alembic``)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["database_url"] = database_url
    return config


@functools.cache
def head_revision() -> str | None:
    """The newest revision of the code's migrations."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def database_label(database_url: str) -> str:
    """Which database a URL names, for messages (never its password)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    return f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}/{url.database}"


def describe_connection_error(database_url: str, error: BaseException) -> str:
    """One line: which database could not be reached, and the driver's first line of why."""
    orig = getattr(error, "orig", None) or error
    reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    return f"Cannot connect to the database ({database_label(database_url)}): {reason}"


def is_known_revision(revision: str) -> bool:
    """Whether ``revision`` is one of the code's migrations (an unknown one is newer)."""
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        return scripts.get_revision(revision) is not None
    except Exception:  # alembic raises its own errors for unknown revisions
        return False


def schema_problem(connection: Connection) -> str | None:
    """Why the database of ``connection`` is not at the code's revision, or ``None``."""
    current = current_revision(connection)
    head = head_revision()
    if current == head:
        return None
    if current is None:
        return f"The database has no schema yet: {UPGRADE_HINT}."
    if not is_known_revision(current):
        return (
            f"The database is at revision {current}, which this version of TimeTracker does not "
            f"know (it expects {head}); it was migrated by a newer version."
        )
    return f"The database is at revision {current}, behind {head}: {UPGRADE_HINT}."


def check_engine(engine: Engine, database_url: str) -> None:
    """Raise :class:`DatabaseProblem` unless the database answers and is at head."""
    try:
        with engine.connect() as connection:
            problem = schema_problem(connection)
    except SQLAlchemyError as error:
        raise DatabaseProblem(describe_connection_error(database_url, error)) from None
    if problem:
        raise DatabaseProblem(problem)


def check_database(database_url: str) -> None:
    """Like :func:`check_engine`, with a short-lived engine that waits at most 5 s to connect."""
    connect_args = {} if database_url.startswith("sqlite") else {"connect_timeout": 5}
    try:
        engine = make_engine(database_url, connect_args=connect_args)
    except SQLAlchemyError as error:
        raise DatabaseProblem(describe_connection_error(database_url, error)) from None
    try:
        check_engine(engine, database_url)
    finally:
        engine.dispose()


def _revision_of(database_url: str) -> str | None:
    connect_args = {} if database_url.startswith("sqlite") else {"connect_timeout": 5}
    engine = make_engine(database_url, connect_args=connect_args)
    try:
        with engine.connect() as connection:
            return current_revision(connection)
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> UpgradeResult:
    """Migrate to ``revision``; raises :class:`DatabaseProblem` when the database is unreachable."""
    ensure_sqlite_dir(database_url)
    try:
        before = _revision_of(database_url)
    except SQLAlchemyError as error:
        raise DatabaseProblem(describe_connection_error(database_url, error)) from None
    command.upgrade(alembic_config(database_url), revision)
    check_foreign_keys(database_url)
    after = _revision_of(database_url)
    script = ScriptDirectory.from_config(alembic_config(database_url))
    applied = 0
    if after != before and after is not None:
        applied = sum(1 for _ in script.iterate_revisions(after, before or "base"))
    return UpgradeResult(before, after, applied)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def check_foreign_keys(database_url: str) -> None:
    """SQLite migrations run with foreign keys off; prove nothing dangles afterwards."""
    if not database_url.startswith("sqlite"):
        return
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            problems = connection.execute(text("PRAGMA foreign_key_check")).all()
    finally:
        engine.dispose()
    if problems:
        raise RuntimeError(f"foreign key check failed after migrating: {problems[:5]}")


def ensure_sqlite_dir(database_url: str) -> None:
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        folder = Path(database_url.removeprefix("sqlite:///")).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseProblem(
                f"Cannot create the folder of the SQLite file ({folder}): {error.strerror}"
            ) from None
