"""Migrations: up and down on the test database's engine (SQLite, or PostgreSQL in CI), no drift
between models and migrations, and the portal migration applied to a database holding data."""

from __future__ import annotations

import os

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import _create_postgres_database, _drop_postgres_database, _worker
from timetracker import create_app, db, migrate
from timetracker.db import Base, make_engine
from timetracker.demo import load_demo_data


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the same kind as the suite's, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        name = f"{make_url(base).database}_{_worker()}_scratch"
        yield _create_postgres_database(base, name)
        _drop_postgres_database(base, name)
    else:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"


def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_creates_every_table_and_downgrade_removes_them(scratch_url):
    migrate.upgrade(scratch_url)
    assert _tables(scratch_url) == set(Base.metadata.tables)
    migrate.downgrade(scratch_url, "base")
    assert _tables(scratch_url) == set()
    migrate.upgrade(scratch_url)  # and up again
    assert _tables(scratch_url) == set(Base.metadata.tables)


def test_models_and_migrations_do_not_drift(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_alembic_check_passes(database_url):
    command.check(migrate.alembic_config(database_url))


def test_portal_migration_applies_to_a_database_with_demo_data(scratch_url):
    migrate.upgrade(scratch_url)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": scratch_url})
    with app.app_context():
        load_demo_data(db.session)
        db.session.commit()
    engine = app.extensions["timetracker.engine"]
    with engine.connect() as connection:
        users_before = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    engine.dispose()

    # Back to the revision before the portal fields, with every row kept.
    migrate.downgrade(scratch_url, "0001")
    columns = _columns(scratch_url, "users")
    assert "client_portal_enabled" not in columns and "client_id" not in columns

    migrate.upgrade(scratch_url, "0002")
    columns = _columns(scratch_url, "users")
    assert {"client_portal_enabled", "client_id"} <= columns
    engine = make_engine(scratch_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT count(*), sum(CASE WHEN client_portal_enabled THEN 1 ELSE 0 END), "
                "count(client_id) FROM users"
            )
        ).one()
    engine.dispose()
    assert rows == (users_before, 0, 0)  # existing users: portal off, no client
    migrate.upgrade(scratch_url)
    migrate.check_foreign_keys(scratch_url)
