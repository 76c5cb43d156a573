"""Alembic environment: SQLite (batch mode, foreign keys off) and PostgreSQL."""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context

from timetracker.config import default_database_url
from timetracker.db import Base, Hours, Money, Rate, UTCDateTime, make_engine
from timetracker.models import *  # noqa: F403 - registers every table on Base.metadata

config = context.config
if config.config_file_name is not None and not config.attributes.get("database_url"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    return (
        config.attributes.get("database_url")
        or os.environ.get("DATABASE_URL")
        or default_database_url()
    )


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render our column types as their plain SQL types, so migrations need no app import."""
    if type_ == "type" and isinstance(obj, Money | Hours | Rate | UTCDateTime):
        return repr(obj.impl).replace("Numeric", "sa.Numeric").replace("DateTime", "sa.DateTime")
    return False


def run_migrations() -> None:
    url = database_url()
    if url.startswith("sqlite:///") and ":memory:" not in url:
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    connection = config.attributes.get("connection")
    engine = None
    if connection is None:
        engine = make_engine(url, foreign_keys=False)
        connection = engine.connect()
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            render_item=render_item,
            compare_type=True,
            compare_server_default=False,
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.in_transaction():
            connection.commit()
    finally:
        if engine is not None:
            connection.close()
            engine.dispose()


run_migrations()
