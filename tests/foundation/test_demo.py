"""The demo data shows the features: Acme's status updates, notes and portal branding."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from tests.conftest import login
from timetracker.demo import load_demo_data
from timetracker.models import Client, Project, ProjectNote, ProjectStatusUpdate


def _load(app, session) -> None:
    with app.app_context():
        g.db_session = session
        load_demo_data(session)
        session.commit()
        g.pop("db_session")


def test_demo_has_updates_notes_and_branding_for_acme(app, session):
    _load(app, session)
    acme = session.scalars(select(Client).where(Client.name == "Acme Corp")).one()
    assert acme.portal_accent_color == "#0f766e"
    assert acme.portal_welcome_message
    updates = session.scalars(select(ProjectStatusUpdate)).all()
    assert len(updates) >= 2
    notes = session.scalars(select(ProjectNote).join(Project)).all()
    assert sorted(n.visible_to_client for n in notes) == [False, True]

    internal = next(n for n in notes if not n.visible_to_client)
    shared = next(n for n in notes if n.visible_to_client)
    browser = app.test_client()
    assert login(browser, "portal@acme.example", "portal-demo-pass").status_code == 302
    html = browser.get(f"/client-portal/projects/{shared.project_id}").get_data(as_text=True)
    assert shared.body in html and internal.body not in html
    assert 'data-status="at_risk"' in html.split("</h1>")[0]
    dashboard = browser.get("/client-portal").get_data(as_text=True)
    assert acme.portal_welcome_message in dashboard
    assert "#0f766e" in browser.get("/client-portal/branding.css").get_data(as_text=True)


def test_demo_has_a_pending_invitation_and_audit_events(app, session):
    from timetracker.models import AuditEvent, TokenPurpose, User, UserToken

    _load(app, session)
    invited = session.scalars(
        select(User)
        .join(UserToken, UserToken.user_id == User.id)
        .where(
            UserToken.purpose == TokenPurpose.INVITATION,
            UserToken.used_at.is_(None),
            UserToken.revoked_at.is_(None),
        )
    ).all()
    assert [u.email for u in invited] == ["lena.fischer@mueller.example"]
    kinds = {e.kind for e in session.scalars(select(AuditEvent))}
    assert {"sign_in", "sign_in_failed", "invoice_viewed", "invitation_sent"} <= kinds
    browser = app.test_client()
    assert login(browser, "admin@example.com", "admin-demo-pass").status_code == 302
    page = browser.get("/admin/invitations").get_data(as_text=True)
    assert "lena.fischer@mueller.example" in page
    trail = browser.get("/admin/audit").get_data(as_text=True)
    assert "Invoice viewed" in trail and "Sign-in failed" in trail
