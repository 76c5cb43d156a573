"""Every text an administrator or staff member can write is shown inert on every page: a
script tag and an attribute breakout go into each such field, and every HTML page of the app
(workspace, admin and portal, found through ``app.url_map``) must show them escaped."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import login, post
from tests.factories import make_admin, make_user
from tests.security.harness import (
    build_client,
    build_path,
    own_values,
    policy_of,
    route_methods,
    rules,
    without_rate_limits,
)
from timetracker.models import Client, Invoice, Project, Settings, TimeEntry, User

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"
RAW_FRAGMENTS = ["<script>alert(1)", "<img src=x", "onerror=alert(1)>"]


def tagged(field: str) -> str:
    return f"{field} {PAYLOAD}"


def shown_escaped(html: str, field: str) -> bool:
    return f"{field} {ESCAPED}" in html


def test_user_text_is_escaped_on_every_page(app, session, monkeypatch):
    without_rate_limits(monkeypatch)
    staff = make_user(session, email="staff@xss.example")
    admin = make_admin(session, email="admin@xss.example")
    x = build_client(app, session, "Xray", staff)
    session.commit()

    # Fields written the way the workspace writes them (its forms have their own tests).
    client = session.get(Client, x.client.id)
    client.name, client.address = tagged("client-name"), tagged("client-address")
    projects = session.scalars(select(Project).where(Project.client_id == client.id)).all()
    for number, project in enumerate(projects):  # names are unique per client
        project.name = f"{tagged('project-name')} #{number}"
        project.description = tagged("project-description")
    for entry in session.scalars(select(TimeEntry).where(TimeEntry.client_id == client.id)):
        entry.notes = tagged("entry-notes")
    for invoice in session.scalars(select(Invoice).where(Invoice.client_id == client.id)):
        invoice.notes = tagged("invoice-notes")
        session.refresh(invoice, ["items"])
        for item in invoice.items:
            item.description = tagged("item-description")
    session.commit()

    # Fields written through the admin's own forms.
    admin_client = app.test_client()
    assert login(admin_client, admin.email).status_code == 302
    settings = session.get(Settings, 1)
    response = post(
        admin_client,
        "/admin/settings",
        {
            "company_name": tagged("company-name"),
            "company_address": tagged("company-address"),
            "company_email": "",
            "currency": settings.currency if settings else "EUR",
            "timezone": "UTC",
            "locale": "en_US",
            "invoice_prefix": "INV-",
            "payment_terms_days": "30",
            "invoice_rounding_minutes": "0",
            "require_two_factor": "none",
            "bank_account_holder": tagged("bank-holder"),
            "bank_name": tagged("bank-name"),
            "bank_iban": "DE89 3704 0044 0532 0130 00",
            "audit_retention_days": "730",
            "default_tax_rate": "0",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    for who, user_id in (("staff-name", staff.id), ("portal-user-name", x.portal_user.id)):
        user = session.get(User, user_id)
        response = post(
            admin_client,
            f"/admin/users/{user.id}/edit",
            {
                "name": tagged(who),
                "email": user.email,
                "role": user.role,
                "is_active": "y",
                "client_portal_enabled": "y" if user.client_portal_enabled else "",
                "client_id": str(user.client_id or ""),
            },
        )
        assert response.status_code == 302, (who, response.get_data(as_text=True)[:2000])

    viewers = {"admin": admin_client}
    for role, user in (("staff", staff), ("portal", x.portal_user)):
        viewers[role] = app.test_client()
        assert login(viewers[role], user.email).status_code == 302

    fields = {
        "client-name",
        "client-address",
        "project-name",
        "project-description",
        "entry-notes",
        "invoice-notes",
        "item-description",
        "company-name",
        "company-address",
        "staff-name",
        "portal-user-name",
        "bank-holder",
        "bank-name",
    }
    seen: dict[str, set[str]] = {field: set() for field in fields}
    pages = 0
    for rule in rules(app):
        if "GET" not in route_methods(rule):
            continue
        policy = policy_of(app, rule)
        roles = ["portal"] if policy == "portal" else ["admin", "staff"]
        for role in roles:
            path = build_path(rule, own_values(rule, x))
            response = viewers[role].get(path)
            if response.mimetype != "text/html" or response.status_code != 200:
                response.close()
                continue
            html = response.get_data(as_text=True)
            pages += 1
            for fragment in RAW_FRAGMENTS:
                assert fragment not in html, (role, path, fragment)
            for field in fields:
                if shown_escaped(html, field):
                    seen[field].add(f"{role} {path}")
    assert pages > 20
    assert {f for f, where in seen.items() if not where} == set(), seen
    # The portal shows the client's own texts too, and shows them inert.
    portal_pages = {p for where in seen.values() for p in where if p.startswith("portal ")}
    assert portal_pages, seen
    for field in ("client-name", "entry-notes", "invoice-notes", "item-description", "bank-holder"):
        assert any(p.startswith("portal ") for p in seen[field]), (field, seen[field])
