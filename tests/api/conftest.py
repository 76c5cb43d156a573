"""Fixtures of the API's tests: a client's world, a second client's, and tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.factories import (
    make_client,
    make_entry,
    make_invoice,
    make_portal_user,
    make_project,
    make_user,
)
from timetracker.api import tokens
from timetracker.models import Client, InvoiceStatus, User


def make_token(session: Session, user: User, scopes: list[str] | None = None, **kw: Any) -> str:
    """A token of ``user`` (every scope their role may hold by default); its secret."""
    chosen = scopes if scopes is not None else list(tokens.scopes_for(user))
    _token, secret = tokens.create(
        session, user, kw.pop("name", "Test"), chosen, kw.pop("days", None)
    )
    session.flush()
    return secret


def auth(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@dataclass
class Side:
    """One client with a contact, a project, time, invoices and tokens."""

    client: Client
    contact: User
    staff: User
    ids: dict[str, int]
    portal_token: str
    staff_token: str


def build_side(session: Session, name: str) -> Side:
    client = make_client(session, name=f"{name} Ltd")
    project = make_project(session, client, name=f"{name} Website", budget_hours="10.00")
    archived = make_project(session, client, name=f"{name} Old", status="archived")
    staff = make_user(session, name=f"{name} Staff")
    entry = make_entry(
        session, project, staff, start=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), minutes=90
    )
    make_entry(session, archived, staff, start=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC))
    sent = make_invoice(session, client, status=InvoiceStatus.SENT, due_date=dt.date(2026, 3, 31))
    paid = make_invoice(session, client, status=InvoiceStatus.SENT, paid="1200.00")
    draft = make_invoice(session, client, status=InvoiceStatus.DRAFT)
    contact = make_portal_user(session, client)
    return Side(
        client=client,
        contact=contact,
        staff=staff,
        ids={
            "project": project.id,
            "archived": archived.id,
            "entry": entry.id,
            "sent": sent.id,
            "paid": paid.id,
            "draft": draft.id,
        },
        portal_token=make_token(session, contact),
        staff_token=make_token(session, staff),
    )


@pytest.fixture
def side(session: Session) -> Side:
    s = build_side(session, "Ours")
    session.commit()
    return s


@pytest.fixture
def other(session: Session) -> Side:
    s = build_side(session, "Theirs")
    session.commit()
    return s


def get(client: FlaskClient, path: str, secret: str, **kw: Any) -> Any:
    headers = {**auth(secret), **kw.pop("headers", {})}
    return client.get(path, headers=headers, **kw)
