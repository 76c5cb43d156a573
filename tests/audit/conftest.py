"""A firm with two clients, a contact of each, an administrator and a member of staff, and a
helper that writes audit events at chosen times (the trail is append-only: tests add rows)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_admin, make_client, make_invoice, make_portal_user, make_user
from timetracker.models import AuditEvent, Settings

EVENT_ID = re.compile(r'data-event-id="(\d+)"')


@dataclass
class Firm:
    admin: Any
    staff: Any
    alpha: Any
    bravo: Any
    anna: Any  # contact of alpha
    bruno: Any  # contact of bravo
    alpha_invoice: Any
    alpha_draft: Any
    bravo_invoice: Any


@pytest.fixture
def firm(session: Session) -> Firm:
    admin = make_admin(session, name="Ada Admin", email="ada@firm.example")
    staff = make_user(session, name="Sam Staff", email="sam@firm.example")
    alpha = make_client(session, name="Alpha GmbH")
    bravo = make_client(session, name="Bravo Ltd")
    anna = make_portal_user(session, alpha, name="Anna Müller", email="anna@alpha.example")
    bruno = make_portal_user(session, bravo, name="Bruno Bravo", email="bruno@bravo.example")
    alpha_invoice = make_invoice(session, alpha, number="A-0001")
    alpha_draft = make_invoice(session, alpha, number="A-DRAFT", status="draft")
    bravo_invoice = make_invoice(session, bravo, number="B-0001")
    session.commit()
    return Firm(admin, staff, alpha, bravo, anna, bruno, alpha_invoice, alpha_draft, bravo_invoice)


def add_event(
    session: Session,
    kind: str,
    at: dt.datetime,
    *,
    actor: Any = None,
    subject: Any = None,
    client: Any = None,
    invoice: Any = None,
    **fields: Any,
) -> AuditEvent:
    """An event as ``audit.record`` writes it, at ``at``."""
    event = AuditEvent(
        at=at,
        kind=kind,
        actor_id=actor.id if actor else None,
        actor_name=actor.name if actor else None,
        actor_email=actor.email if actor else fields.pop("actor_email", None),
        subject_id=subject.id if subject else None,
        subject_email=subject.email if subject else None,
        client_id=client.id if client else None,
        invoice_id=invoice.id if invoice else None,
        **fields,
    )
    session.add(event)
    session.flush()
    return event


def events(session: Session, **where: Any) -> list[AuditEvent]:
    """The recorded events with the given column values, oldest first."""
    session.expire_all()
    stmt = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditEvent, name) == value)
    return list(session.scalars(stmt))


def set_timezone(session: Session, name: str) -> None:
    session.merge(Settings(id=1, timezone=name))
    session.commit()


def set_retention(session: Session, days: int) -> None:
    session.merge(Settings(id=1, audit_retention_days=days))
    session.commit()


def signed_in(app: Flask, user: Any) -> FlaskClient:
    browser = app.test_client()
    if user is not None:
        assert login(browser, user.email).status_code == 302
    return browser


def page_ids(response: Any) -> list[int]:
    """The ids of the events a trail page lists, in its order."""
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return [int(i) for i in EVENT_ID.findall(response.get_data(as_text=True))]


@pytest.fixture
def as_admin(app: Flask, connection: Any, firm: Firm) -> FlaskClient:
    return signed_in(app, firm.admin)
