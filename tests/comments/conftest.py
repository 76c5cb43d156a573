"""Two clients, each with a project, a portal contact and a comment; staff who logged time on
the first client's project; an administrator; and the first client's archived project."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import CSRF_RE, login
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_portal_user,
    make_project,
    make_user,
)
from timetracker.models import AuditEvent, Client, Comment, Project, ProjectStatus, User
from timetracker.models._common import utcnow


@dataclass
class Side:
    client: Client
    project: Project
    contact: User
    comment: Comment


@dataclass
class World:
    a: Side
    b: Side
    admin: User
    staff: User
    archived: Project


def add_comment(session: Session, project: Project, author: User, body: str, **kw: Any) -> Comment:
    comment = Comment(
        project_id=project.id,
        author_id=author.id,
        author_name=author.name,
        body=body,
        created_at=kw.pop("created_at", utcnow()),
        **kw,
    )
    session.add(comment)
    session.flush()
    return comment


def _side(session: Session, name: str) -> Side:
    client = make_client(session, name=f"{name} Ltd")
    project = make_project(session, client, name=f"{name} website")
    contact = make_portal_user(
        session, client, name=f"{name} Contact", email=f"contact@{name.lower()}.example"
    )
    comment = add_comment(session, project, contact, f"Question from {name}")
    return Side(client, project, contact, comment)


@pytest.fixture
def world(session: Session) -> World:
    admin = make_admin(session, name="Ada Admin", email="ada@firm.example")
    staff = make_user(session, name="Sam Staff", email="sam@firm.example")
    a, b = _side(session, "Alpha"), _side(session, "Bravo")
    make_entry(session, a.project, staff)
    archived = make_project(session, a.client, name="Alpha old", status=ProjectStatus.ARCHIVED)
    session.commit()
    return World(a=a, b=b, admin=admin, staff=staff, archived=archived)


def signed_in(app: Flask, user: User) -> FlaskClient:
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


@pytest.fixture
def as_alpha(app: Flask, connection: Any, world: World) -> FlaskClient:
    return signed_in(app, world.a.contact)


@pytest.fixture
def as_staff(app: Flask, connection: Any, world: World) -> FlaskClient:
    return signed_in(app, world.staff)


@pytest.fixture
def as_admin(app: Flask, connection: Any, world: World) -> FlaskClient:
    return signed_in(app, world.admin)


def portal_page(project: Project) -> str:
    return f"/client-portal/projects/{project.id}"


def workspace_page(project: Project) -> str:
    return f"/projects/{project.id}"


SEEN_RE = re.compile(r'name="seen_up_to" value="(\d+)"')


def form_fields(browser: FlaskClient, page: str) -> dict[str, str]:
    """The CSRF token and the thread mark of the comment form on ``page``."""
    html = browser.get(page).get_data(as_text=True)
    token, seen = CSRF_RE.search(html), SEEN_RE.search(html)
    assert token and seen, page
    return {"csrf_token": token.group(1), "seen_up_to": seen.group(1)}


def send(browser: FlaskClient, page: str, path: str, **data: str) -> Any:
    """POST ``data`` to ``path`` with the form fields of ``page``."""
    return browser.post(path, data={**form_fields(browser, page), **data})


def comments_of(session: Session, project: Project) -> list[Comment]:
    session.expire_all()
    return list(
        session.scalars(
            select(Comment).where(Comment.project_id == project.id).order_by(Comment.id)
        )
    )


def audit_kinds(session: Session) -> list[str]:
    session.expire_all()
    return [e.kind for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
