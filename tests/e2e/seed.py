"""The browser tests' database: the demo data plus the users and records the flows change, so
that no flow disturbs what another one looks at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.e2e.support import Seed
from timetracker import create_app, db, firm
from timetracker.auth.passwords import hash_password
from timetracker.demo import load_demo_data
from timetracker.models import Client, Invoice, InvoiceStatus, Project, TimeEntry, User

PASSWORD = "e2e-password-9!"


def seed_database(database_url: str, documents_dir: str) -> Seed:
    app = create_app(
        {
            "TESTING": True,
            "DOCUMENTS_DIR": documents_dir,
            "SECRET_KEY": "e2e-seed",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            session = db.session
            load_demo_data(session)
            seed = _extra_records(session)
            session.commit()
            return seed
    finally:
        app.extensions["timetracker.engine"].dispose()


def _extra_records(session: Session) -> Seed:
    def user(name: str, email: str, **extra: object) -> User:
        person = User(name=name, email=email, password_hash=hash_password(PASSWORD), **extra)
        session.add(person)
        return person

    # A contact at Globex with an ordinary account: the admin flow enables the portal for them.
    user("Casey Globex", "casey@globex.example", role="staff")
    # ...and one for each of the other languages the admin flow runs in.
    for language in ("de", "fr"):
        user("Casey Globex", f"casey.{language}@globex.example", role="staff")
    # A staff member with a client and project of their own, for the timer and invoicing flow.
    taylor = user("Taylor Tracker", "taylor@example.com", role="staff")
    wayne = Client(
        name="Wayne Enterprises",
        contact_email="accounts@wayne.example",
        currency="EUR",
        default_hourly_rate=Decimal("100.00"),
    )
    session.add(wayne)
    session.flush()
    project = Project(client_id=wayne.id, name="Signal upgrade", billable=True)
    session.add(project)
    session.flush()
    # Unbilled time from last week, so that the admin has something to invoice.
    monday = firm.today() - dt.timedelta(days=firm.today().weekday() + 7)
    for day, hours, notes in [(0, 3, "Site survey"), (1, 2, "Wiring plan")]:
        start = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(9), firm.timezone())
        entry = TimeEntry(
            user_id=taylor.id,
            project_id=project.id,
            start_time=start.astimezone(dt.UTC),
            notes=notes,
            billable=True,
        )
        entry.stop(entry.start_time + dt.timedelta(hours=hours))
        session.add(entry)
    session.flush()

    def client_id(name: str) -> int:
        return int(session.scalar(select(Client.id).where(Client.name == name)))

    acme, mueller = client_id("Acme Corp"), client_id("Müller & Søn")
    visible = Invoice.status != InvoiceStatus.DRAFT
    return Seed(
        admin_email="admin@example.com",
        admin_password="admin-demo-pass",  # noqa: S106 - the demo data's documented login
        portal_email="portal@acme.example",
        portal_password="portal-demo-pass",  # noqa: S106
        portal_client="Acme Corp",
        other_portal_email="portal@mueller.example",
        new_portal_email="casey@globex.example",
        new_portal_name="Casey Globex",
        new_portal_client="Globex Ltd",
        staff_email="taylor@example.com",
        staff_name="Taylor Tracker",
        password=PASSWORD,
        staff_client="Wayne Enterprises",
        staff_project="Signal upgrade",
        acme_invoice_ids=list(
            session.scalars(
                select(Invoice.id).where(Invoice.client_id == acme, visible).order_by(Invoice.id)
            )
        ),
        other_client_invoice_id=int(
            session.scalar(select(Invoice.id).where(Invoice.client_id == mueller, visible).limit(1))
        ),
    )
