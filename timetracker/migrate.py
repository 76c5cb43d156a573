"""Applying the Alembic migrations from code (the CLI and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from timetracker.config import PROJECT_ROOT
from timetracker.db import make_engine


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    _ensure_sqlite_dir(database_url)
    command.upgrade(alembic_config(database_url), revision)
    check_foreign_keys(database_url)


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


def _ensure_sqlite_dir(database_url: str) -> None:
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        from pathlib import Path

        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
