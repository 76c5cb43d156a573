"""The identity part of the demo data: a pending invitation and a few days of the audit trail."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker import audit
from timetracker.auth import invitations_service
from timetracker.models import Client, Invoice, User


def add_demo_identity(
    session: Session, *, admin: User, contacts: list[User], mueller: Client
) -> None:
    """A pending invitation for Müller & Søn, and a few days of the audit trail: sign-ins,
    a failed one, and the Acme contact opening and downloading an invoice."""
    invitations_service.invite(
        session,
        admin,
        name="Lena Fischer",
        email="lena.fischer@mueller.example",
        client_id=str(mueller.id),
    )
    ada = contacts[0]
    invoice = session.scalars(
        select(Invoice)
        .where(Invoice.client_id == ada.client_id, Invoice.status == "sent")
        .order_by(Invoice.issue_date.desc())
        .limit(1)
    ).first()
    now = dt.datetime.now(dt.UTC)
    browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15"
    events: list[tuple[dt.timedelta, audit.Kind, User | None, dict[str, object]]] = [
        (dt.timedelta(days=3, hours=2), audit.Kind.SIGN_IN, admin, {}),
        (
            dt.timedelta(days=2, hours=5),
            audit.Kind.SIGN_IN_FAILED,
            None,
            {"actor_email": ada.email, "subject": ada, "detail": "wrong email or password"},
        ),
        (dt.timedelta(days=2, hours=4, minutes=58), audit.Kind.SIGN_IN, ada, {}),
    ]
    if invoice is not None:
        events += [
            (dt.timedelta(days=2, hours=4, minutes=57), audit.Kind.INVOICE_VIEWED, ada,
             {"invoice_id": invoice.id, "detail": invoice.number}),
            (dt.timedelta(days=2, hours=4, minutes=55), audit.Kind.INVOICE_PDF_DOWNLOADED, ada,
             {"invoice_id": invoice.id, "detail": invoice.number}),
        ]  # fmt: skip
    events.append((dt.timedelta(days=2, hours=4, minutes=40), audit.Kind.SIGN_OUT, ada, {}))
    for ago, kind, actor, fields in events:
        event = audit.build(kind, actor=actor, **fields)  # type: ignore[arg-type]
        event.at = now - ago
        subject = fields.get("subject")
        if actor is not None and actor.client_id is not None:
            event.client_id = actor.client_id
        elif isinstance(subject, User):
            event.client_id = subject.client_id
        event.ip_address = "192.0.2.10" if actor is admin else "198.51.100.23"
        event.user_agent = browser
        session.add(event)
    session.flush()
