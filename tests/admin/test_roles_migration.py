"""Migration 0009 maps the users of a database from before explicit roles, and back."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.conftest import _create_postgres_database, _drop_postgres_database, _worker
from timetracker import migrate
from timetracker.db import make_engine


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the same kind as the suite's, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        name = f"{make_url(base).database}_{_worker()}_roles"
        yield _create_postgres_database(base, name)
        _drop_postgres_database(base, name)
    else:
        yield f"sqlite:///{tmp_path / 'roles.db'}"


#: email -> (role, client_portal_enabled, linked to the client) before 0009
BEFORE = {
    "admin@old.example": ("admin", False, False),
    "staff@old.example": ("user", False, False),
    "contact@old.example": ("user", True, True),
    "dangling@old.example": ("user", True, False),  # portal on, no client: had no access
    "stale@old.example": ("user", False, True),  # portal off with a leftover client link
    "admin-contact@old.example": ("admin", True, True),  # only a form refused this before
}
#: email -> (role, client_portal_enabled, linked to the client) after 0009
AFTER = {
    "admin@old.example": ("admin", False, False),
    "staff@old.example": ("staff", False, False),
    "contact@old.example": ("client", True, True),
    "dangling@old.example": ("none", False, False),
    "stale@old.example": ("staff", False, False),
    "admin-contact@old.example": ("client", True, True),
}
#: after a downgrade to 0008: the old meaning of each account is kept
DOWN = {
    "admin@old.example": ("admin", False, False),
    "staff@old.example": ("user", False, False),
    "contact@old.example": ("user", True, True),
    "dangling@old.example": ("user", True, False),
    "stale@old.example": ("user", False, False),
    "admin-contact@old.example": ("user", True, True),
}


def _users(url: str) -> dict[str, tuple[str, bool, bool]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT email, role, client_portal_enabled, client_id FROM users")
            ).all()
    finally:
        engine.dispose()
    return {email: (role, bool(portal), client is not None) for email, role, portal, client in rows}


def test_existing_users_are_mapped_to_explicit_roles_and_back(scratch_url):
    migrate.upgrade(scratch_url, "0008")
    engine = make_engine(scratch_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO clients (id, name, currency, default_hourly_rate, is_active, "
                    "created_at) VALUES (1, 'Old Client', 'EUR', 100, :yes, :now)"
                ),
                {"yes": True, "now": "2026-01-01 00:00:00+00:00"},
            )
            for email, (role, portal, linked) in BEFORE.items():
                connection.execute(
                    text(
                        "INSERT INTO users (email, name, password_hash, role, is_active, "
                        "session_version, created_at, client_portal_enabled, client_id, "
                        "invoice_emails_enabled) VALUES (:email, :email, 'x', :role, :yes, 1, "
                        ":now, :portal, :client, :yes)"
                    ),
                    {
                        "email": email,
                        "role": role,
                        "portal": portal,
                        "client": 1 if linked else None,
                        "yes": True,
                        "now": "2026-01-01 00:00:00+00:00",
                    },
                )
    finally:
        engine.dispose()

    migrate.upgrade(scratch_url, "0009")
    assert _users(scratch_url) == AFTER

    migrate.downgrade(scratch_url, "0008")
    assert _users(scratch_url) == DOWN

    migrate.upgrade(scratch_url)
    assert _users(scratch_url) == AFTER
