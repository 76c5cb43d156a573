"""The burn-down on the portal and workspace project pages: drawn for a project with a budget,
absent without one, and without amounts in the portal of a client that hides them."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_admin, make_portal_user, make_project
from tests.insight.conftest import Fixed
from tests.test_client_portal import same_page


def _signed_in(app: Flask, email: str) -> FlaskClient:
    browser = app.test_client()
    assert login(browser, email).status_code == 302
    return browser


def _forecast_html(html: str) -> str:
    match = re.search(r'<section[^>]*data-testid="forecast".*?</section>', html, re.S)
    assert match, "no forecast section"
    return match.group(0)


SENTENCE = (
    "At the pace of the last 4 weeks (7.00 h/week), the hours budget runs out around 01/08/2027."
)


def test_the_workspace_project_page_draws_both_budgets(
    app: Flask, connection: object, session: Session, fixed: Fixed, clock: None
) -> None:
    admin = make_admin(session)
    html = _signed_in(app, admin.email).get(f"/projects/{fixed.project.id}").get_data(as_text=True)
    section = _forecast_html(html)
    assert SENTENCE in section
    assert "the budget in money runs out around 12/19/2026" in section
    assert section.count("<svg") == 2 and 'role="img"' in section
    assert 'class="burndown-forecast"' in section and 'stroke-dasharray="6 4"' in section
    assert "<table" in section and "€7,000.00" in section
    assert "style=" not in section and "<script" not in section


def test_the_portal_project_page_draws_the_chart_for_the_clients_contact(
    app: Flask, connection: object, session: Session, fixed: Fixed, clock: None
) -> None:
    contact = make_portal_user(session, fixed.client)
    browser = _signed_in(app, contact.email)
    response = browser.get(f"/client-portal/projects/{fixed.project.id}")
    assert response.status_code == 200
    section = _forecast_html(response.get_data(as_text=True))
    assert SENTENCE in section and section.count("<svg") == 2


def test_the_portal_chart_shows_no_amounts_when_the_client_hides_them(
    app: Flask, connection: object, session: Session, fixed: Fixed, clock: None
) -> None:
    fixed.client.portal_shows_amounts = False
    session.flush()
    contact = make_portal_user(session, fixed.client)
    html = _signed_in(app, contact.email).get(f"/client-portal/projects/{fixed.project.id}")
    section = _forecast_html(html.get_data(as_text=True))
    assert SENTENCE in section and section.count("<svg") == 1
    assert "€" not in section and "budget in money" not in section
    assert 'data-testid="forecast-amount"' not in section


def test_no_chart_without_a_budget(
    app: Flask, connection: object, session: Session, fixed: Fixed, clock: None
) -> None:
    bare = make_project(session, fixed.client, name="No budget")
    fixed.client.portal_shows_amounts = False
    amount_only = make_project(session, fixed.client, budget_amount=Decimal("500"))
    admin = make_admin(session)
    contact = make_portal_user(session, fixed.client)
    staff_view = _signed_in(app, admin.email).get(f"/projects/{bare.id}").get_data(as_text=True)
    assert 'data-testid="forecast"' not in staff_view
    portal = _signed_in(app, contact.email)
    for project in (bare, amount_only):
        html = portal.get(f"/client-portal/projects/{project.id}").get_data(as_text=True)
        assert 'data-testid="forecast"' not in html


def test_another_clients_project_is_still_a_missing_one(
    app: Flask, connection: object, session: Session, fixed: Fixed, clock: None
) -> None:
    from tests.factories import make_client

    stranger = make_portal_user(session, make_client(session))
    browser = _signed_in(app, stranger.email)
    theirs = browser.get(f"/client-portal/projects/{fixed.project.id}")
    missing = browser.get("/client-portal/projects/999999999")
    assert theirs.status_code == missing.status_code == 404
    assert same_page(theirs) == same_page(missing)
