"""Deterministic demo data: a firm, its clients, projects, months of time and invoices."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.auth.demo import add_demo_identity
from timetracker.auth.passwords import hash_password
from timetracker.billing import from_time, invoicing, payments, periods, publication, rules, states
from timetracker.comments.demo import add_demo_thread
from timetracker.insight.demo import make_project_near_budget
from timetracker.logos.demo import add_demo_logos
from timetracker.models import (
    ApiToken,
    AuditEvent,
    Client,
    Comment,
    CommentRead,
    DeliveryStatus,
    Document,
    DocumentVersion,
    EmailDelivery,
    Invoice,
    InvoiceItem,
    InvoiceSequence,
    KnownBrowser,
    Logo,
    Payment,
    PaymentNotice,
    Project,
    ProjectNote,
    ProjectStatus,
    ProjectStatusUpdate,
    Quote,
    QuoteItem,
    QuoteSequence,
    RecoveryCode,
    Role,
    Settings,
    TimeEntry,
    User,
    UserSession,
    UserToken,
    WebhookDelivery,
    WebhookEndpoint,
)
from timetracker.payments.demo import add_demo_payment_details
from timetracker.sharing.demo import add_demo_documents
from timetracker.sharing.storage import storage
from timetracker.workspace.quotes.demo import add_demo_quotes

DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("Administrator", "admin@example.com", "admin-demo-pass"),
    ("Staff", "sam@example.com", "staff-demo-pass"),
    ("Staff", "maria@example.com", "staff-demo-pass"),
    ("Client portal (Acme Corp)", "portal@acme.example", "portal-demo-pass"),
    ("Client portal (Müller & Søn)", "portal@mueller.example", "portal-demo-pass"),
]

TASKS = [
    "Design review",
    "Implementation",
    "Client meeting",
    "Bug fixing",
    "Code review",
    "Deployment",
    "Documentation",
    "Planning",
]


def has_data(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def wipe(session: Session) -> None:
    # The stored files of shared documents go with their rows.
    files = storage()
    for key in session.scalars(select(DocumentVersion.storage_key)):
        files.delete(key)
    for model in (
        AuditEvent,
        WebhookDelivery,
        WebhookEndpoint,
        ApiToken,
        CommentRead,
        Comment,
        DocumentVersion,
        Document,
        UserToken,
        RecoveryCode,
        KnownBrowser,
        UserSession,
        PaymentNotice,
        QuoteItem,
        Quote,
        QuoteSequence,
        ProjectNote,
        ProjectStatusUpdate,
        EmailDelivery,
        Payment,
        TimeEntry,
        InvoiceItem,
        Invoice,
        InvoiceSequence,
        User,
        Project,
        Client,
        Settings,
        Logo,
    ):
        session.execute(delete(model))
    session.flush()
    from flask import g

    g.pop("firm_settings", None)


def load_demo_data(session: Session) -> None:
    rng = random.Random(20261125)  # noqa: S311 - demo data, not security
    settings = firm.get_settings()
    settings.company_name = "Northwind Studio"
    settings.company_address = "12 Harbour Street\n1010 Portsville"
    settings.company_email = "billing@northwind.example"
    settings.currency = "EUR"
    settings.invoice_prefix = "NW-"
    settings.payment_terms_days = 14
    settings.invoice_rounding_minutes = 15
    add_demo_payment_details(session, settings)
    settings.vat_id = "DE123456789"
    settings.registration_details = (
        "Northwind Studio GmbH · Registered at the Portsville court, HRB 12345 ·"
        " Managing director: Alex Admin"
    )

    clients = [
        Client(
            name="Acme Corp",
            contact_email="finance@acme.example",
            currency="EUR",
            address="1 Acme Way\nSpringfield",
            default_hourly_rate=Decimal("95.00"),
        ),
        Client(
            name="Müller & Søn",
            contact_email="buchhaltung@mueller.example",
            currency="EUR",
            address="Hauptstraße 5\n80331 München",
            vat_id="DE987654321",
            default_hourly_rate=Decimal("110.00"),
            document_language="de",  # its invoices, quotes and statements are in German
        ),
        Client(
            name="Globex Ltd",
            contact_email="ap@globex.example",
            currency="GBP",
            address="200 Globex Tower\nLondon",
            vat_id="GB123456789",
            default_hourly_rate=Decimal("120.00"),
        ),
        Client(
            name="Initech (former client)",
            contact_email="it@initech.example",
            currency="USD",
            default_hourly_rate=Decimal("80.00"),
            is_active=False,
        ),
    ]
    session.add_all(clients)
    session.flush()
    acme, mueller, globex, initech = clients
    add_demo_logos(session, settings, acme)

    project_specs = [
        (acme, "Website relaunch", Decimal("100.00"), Decimal("120"), Decimal("12000"), True),
        (acme, "Mobile app", None, Decimal("200"), None, True),
        (acme, "Legacy support", Decimal("80.00"), None, None, False),
        (mueller, "Online shop", None, Decimal("150"), Decimal("16500"), True),
        (mueller, "SEO audit", Decimal("90.00"), Decimal("20"), None, True),
        (globex, "Data platform", None, None, Decimal("40000"), True),
        (globex, "Internal tools", Decimal("100.00"), None, None, True),
        (initech, "TPS reports", None, None, None, True),
    ]
    projects = []
    for client, name, rate, hours, amount, active in project_specs:
        projects.append(
            Project(
                client_id=client.id,
                name=name,
                description=f"{name} for {client.name}.",
                hourly_rate=rate,
                budget_hours=hours,
                budget_amount=amount,
                status=ProjectStatus.ACTIVE if active else ProjectStatus.ARCHIVED,
                billable=True,
            )
        )
    session.add_all(projects)

    def person(email: str, name: str, password: str, **extra: object) -> User:
        return User(email=email, name=name, password_hash=hash_password(password), **extra)

    admin = person("admin@example.com", "Alex Admin", "admin-demo-pass", role=Role.ADMIN)
    sam = person("sam@example.com", "Sam Staff", "staff-demo-pass", role=Role.STAFF)
    maria = person("maria@example.com", "Maria Developer", "staff-demo-pass", role=Role.STAFF)
    staff = [admin, sam, maria]
    portal_users = [
        person(
            "portal@acme.example",
            "Ada Acme",
            "portal-demo-pass",
            role=Role.CLIENT,
            client_portal_enabled=True,
            client_id=acme.id,
        ),
        person(
            "portal@mueller.example",
            "Jonas Müller",
            "portal-demo-pass",
            role=Role.CLIENT,
            client_portal_enabled=True,
            client_id=mueller.id,
        ),
    ]
    session.add_all(staff + portal_users)
    session.flush()

    # About five months of working days, 1-3 entries a day per person.
    today = firm.today()
    tz = firm.timezone()
    first_day = today - dt.timedelta(days=150)
    day = first_day
    working = [
        p for p in projects if p.status == ProjectStatus.ACTIVE and p.client_id != initech.id
    ]
    entries = []
    while day < today:
        if day.weekday() < 5:
            for user in staff:
                hour = 8 + rng.randint(0, 2)
                for _ in range(rng.randint(1, 3)):
                    project = rng.choice(working)
                    minutes = rng.choice([30, 45, 60, 90, 120, 150, 180])
                    start = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 15, 30])), tz)
                    entry = TimeEntry(
                        user_id=user.id,
                        project_id=project.id,
                        start_time=start.astimezone(dt.UTC),
                        notes=rng.choice(TASKS),
                        billable=rng.random() > 0.1,
                    )
                    entry.stop(entry.start_time + dt.timedelta(minutes=minutes))
                    entries.append(entry)
                    hour += 1 + minutes // 60
        day += dt.timedelta(days=1)
    # Archived project time from long ago, and some Initech history.
    for i, project in enumerate([projects[2], projects[7]]):
        start = dt.datetime.combine(first_day - dt.timedelta(days=30 + i), dt.time(10), tz)
        entry = TimeEntry(
            user_id=sam.id,
            project_id=project.id,
            start_time=start.astimezone(dt.UTC),
            notes="Maintenance",
            billable=True,
        )
        entry.stop(entry.start_time + dt.timedelta(hours=3))
        entries.append(entry)
    session.add_all(entries)
    session.flush()
    # The website relaunch is close to its budget: its forecast shows when the hours run out.
    make_project_near_budget(session, projects[0], today)
    # Müller & Søn sees time once approved (or after a week): the last two days wait for review.
    mueller.time_requires_approval = True
    mueller.publish_after_days = 7
    reviewed_until = dt.datetime.combine(today - dt.timedelta(days=2), dt.time(), tz)
    mueller_projects = {p.id for p in projects if p.client_id == mueller.id}
    reviewed = [
        e.id
        for e in entries
        if e.project_id in mueller_projects
        and e.end_time is not None
        and e.end_time < reviewed_until
    ]
    publication.approve(session, reviewed, admin, dt.datetime.now(dt.UTC))

    # Invoices month by month: older months paid, then sent (some overdue), a draft, a cancellation.
    for client in (acme, mueller, globex):
        for months_ago in (4, 3, 2, 1):
            month_start = (today.replace(day=1) - dt.timedelta(days=31 * months_ago)).replace(day=1)
            month_end = periods.month_end(month_start)
            issue = month_end + dt.timedelta(days=1)
            invoice = from_time.create_invoice_from_time(
                session,
                client,
                date_from=month_start,
                date_to=month_end,
                group_by="task",
                issue_date=issue,
                due_date=issue + dt.timedelta(days=14),
                tax_rate=Decimal("19.00") if client is mueller else Decimal("20.00"),
                notes="Thank you for your business.",
            )
            if months_ago == 1 and client is globex:
                continue  # stays a draft
            invoicing.mark_sent(session, invoice)
            if months_ago >= 3:
                payments.record_payment(
                    session,
                    invoice,
                    states.balance(invoice),
                    issue + dt.timedelta(days=10),
                    "Bank transfer",
                    f"TX-{invoice.number}",
                )
            elif months_ago == 2 and client is acme:
                payments.record_payment(
                    session,
                    invoice,
                    rules.to_cents(states.balance(invoice) / 2),
                    issue + dt.timedelta(days=5),
                    "Bank transfer",
                    "Part payment",
                )
    # A cancelled invoice for Acme.
    extra = invoicing.new_invoice(session, acme, issue_date=today - dt.timedelta(days=20))
    invoicing.add_item(session, extra, "Workshop (rescheduled)", Decimal("4"), Decimal("95.00"))
    invoicing.mark_sent(session, extra)
    invoicing.cancel(session, extra)
    session.flush()

    # Status updates, a shared and an internal note, and portal branding for Acme.
    website, mobile = projects[0], projects[1]
    now = dt.datetime.now(dt.UTC)
    session.add_all(
        [
            ProjectStatusUpdate(
                project_id=website.id,
                status=DeliveryStatus.ON_TRACK,
                message="Design approved; development of the new page templates has started.",
                author_id=admin.id,
                created_at=now - dt.timedelta(days=21),
            ),
            ProjectStatusUpdate(
                project_id=website.id,
                status=DeliveryStatus.AT_RISK,
                message="We are waiting for the product texts; the launch may move by a week.",
                author_id=admin.id,
                created_at=now - dt.timedelta(days=4),
            ),
            ProjectStatusUpdate(
                project_id=mobile.id,
                status=DeliveryStatus.ON_TRACK,
                message="The beta build is out to your test group.",
                author_id=admin.id,
                created_at=now - dt.timedelta(days=7),
            ),
            ProjectNote(
                project_id=website.id,
                body="The staging site is ready for your review; ask us for the access link.",
                visible_to_client=True,
                author_id=admin.id,
            ),
            ProjectNote(
                project_id=website.id,
                body="Hours budget nearly used: agree a change request before adding pages.",
                visible_to_client=False,
                author_id=admin.id,
            ),
        ]
    )
    acme.portal_accent_color = "#0f766e"
    acme.portal_welcome_message = (
        "Welcome to your project hub: status updates, invoices and time, all in one place."
    )
    session.flush()
    add_demo_quotes(session, acme=acme, mueller=mueller, admin=admin, today=today)
    add_demo_thread(session, website, contact=portal_users[0], staff=sam, now=now)
    add_demo_documents(session, acme, website, admin)
    add_demo_identity(session, admin=admin, contacts=portal_users, mueller=mueller)
