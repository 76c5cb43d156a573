"""Two clients with a project each, people of every role signed in, and status updates and
notes (one shared with the client, one internal) on client A's project."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_portal_user,
    make_project,
    make_user,
)
from timetracker.models import ProjectNote, ProjectStatus, ProjectStatusUpdate

INTERNAL = "Internal: margin is thin, do not discount"
SHARED = "Shared: staging is at staging.example"


@dataclass
class Side:
    client: Any
    project: Any
    archived: Any
    portal_user: Any


@dataclass
class World:
    a: Side
    b: Side
    admin: Any
    staff: Any


def _side(session: Session, name: str, worker: Any) -> Side:
    client = make_client(session, name=f"{name} Corp")
    project = make_project(
        session, client, name=f"{name} Website", budget_hours=Decimal("10"), hourly_rate=100
    )
    archived = make_project(session, client, name=f"{name} Old", status=ProjectStatus.ARCHIVED)
    make_entry(
        session, project, worker, start=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), minutes=90
    )
    make_entry(session, archived, worker, start=dt.datetime(2025, 6, 2, 9, tzinfo=dt.UTC))
    portal_user = make_portal_user(session, client, name=f"{name} Contact")
    return Side(client, project, archived, portal_user)


def add_update(session: Session, project: Any, status: str, message: str, day: int, author=None):
    update = ProjectStatusUpdate(
        project_id=project.id,
        status=status,
        message=message,
        author_id=author.id if author else None,
        created_at=dt.datetime(2026, 3, day, 12, tzinfo=dt.UTC),
    )
    session.add(update)
    session.flush()
    return update


def add_note(session: Session, project: Any, body: str, visible: bool, author=None):
    note = ProjectNote(
        project_id=project.id,
        body=body,
        visible_to_client=visible,
        author_id=author.id if author else None,
    )
    session.add(note)
    session.flush()
    return note


@pytest.fixture
def world(session: Session) -> World:
    admin = make_admin(session, name="Ada Admin")
    staff = make_user(session, name="Sam Staff")
    a = _side(session, "Alpha", staff)
    b = _side(session, "Bravo", staff)
    add_update(session, a.project, "on_track", "Alpha kick-off went well", 1, admin)
    add_update(session, a.project, "at_risk", "Alpha waits for content", 5, admin)
    add_note(session, a.project, SHARED, True, admin)
    add_note(session, a.project, INTERNAL, False, admin)
    add_update(session, b.project, "blocked", "Bravo secret blocker", 3, admin)
    add_note(session, b.project, "Bravo shared note", True, admin)
    session.commit()
    return World(a=a, b=b, admin=admin, staff=staff)


def signed_in(app: Flask, user: Any) -> FlaskClient:
    browser = app.test_client()
    if user is not None:
        assert login(browser, user.email).status_code == 302
    return browser


@pytest.fixture
def as_admin(app: Flask, connection, world: World) -> FlaskClient:  # type: ignore[no-untyped-def]
    return signed_in(app, world.admin)


@pytest.fixture
def as_staff(app: Flask, connection, world: World) -> FlaskClient:  # type: ignore[no-untyped-def]
    return signed_in(app, world.staff)


@pytest.fixture
def as_alpha(app: Flask, connection, world: World) -> FlaskClient:  # type: ignore[no-untyped-def]
    return signed_in(app, world.a.portal_user)
