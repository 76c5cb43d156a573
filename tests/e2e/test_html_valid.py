"""Every page is valid HTML by the Nu HTML Checker (vnu).

The browser tests check the pages they visit (``htmlcheck``, at the end of the run). Here,
without a browser, the test client asks for every page of the application (each GET route, with
the ids of a small set of records) as an administrator, as a client contact and signed out,
plus a form sent back with its errors, and vnu checks them in one run. And vnu is shown to
report an invalid page, so that neither check can pass by not looking.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, login
from tests.e2e.htmlcheck import IN_CI, HtmlPages, missing_validator
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_invoice,
    make_portal_user,
    make_project,
    make_user,
)
from tests.quotes.conftest import make_quote
from timetracker.models import InvoiceStatus, QuoteStatus


def _require_validator() -> None:
    reason = missing_validator()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"{reason}; in CI (TIMETRACKER_CI=1) this is a failure", pytrace=False)
    pytest.skip(reason)


def test_the_html_validator_is_available() -> None:
    """The browser tests' HTML check runs only where vnu does: say so (or fail in CI)."""
    _require_validator()


def test_the_validator_reports_the_errors_of_an_invalid_page(tmp_path: Path) -> None:
    _require_validator()
    pages = HtmlPages(tmp_path)
    pages.add("/valid", b'<!DOCTYPE html><html lang="en"><title>ok</title><p>fine</p></html>')
    pages.add(
        "/invalid",
        b'<!DOCTYPE html><html lang="en"><title>x</title><form><label for="p">P</label>'
        b'<select id="p" required><optgroup label="g"><option value="1">A</option></optgroup>'
        b"</select></form><p><div>block in a paragraph</div></p></html>",
    )
    errors, _ = pages.problems()
    assert errors, "vnu found nothing wrong with an invalid page"
    assert all(" on /invalid line " in error for error in errors), errors
    assert any("optgroup" in error for error in errors), errors


@pytest.fixture
def records(session: Session) -> dict[str, Any]:
    client = make_client(session, name="Müller & Søn")
    project = make_project(session, client, name="Website", budget_hours=10)
    make_project(session, make_client(session, name="Globex"), name="Ops")  # grouped choices
    worker = make_user(session, name="Ana Staff")
    entry = make_entry(
        session, project, worker, start=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), notes="Work"
    )
    draft = make_invoice(session, client, status=InvoiceStatus.DRAFT, number="D-1")
    sent = make_invoice(session, client, number="S-1")
    admin = make_admin(session, name="Ada Admin")
    contact = make_portal_user(session, client, name="Carla Contact")
    quote = make_quote(session, client, status=QuoteStatus.SENT, number="Q-1")
    quote_draft = make_quote(session, client, status=QuoteStatus.DRAFT, number="Q-2")
    session.commit()
    return {
        "admin": admin,
        "contact": contact,
        "ids": {
            "entry_id": entry.id,
            "client_id": client.id,
            "project_id": project.id,
            "invoice_id": sent.id,
            "user_id": worker.id,
            "quote_id": quote.id,
        },
        "quote_draft": quote_draft,
        "draft": draft,
    }


#: Endpoints that answer a part of a page (fetched by a script into a page that is checked
#: whole: the new invoice form's preview, the send dialog's email preview), not a document.
FRAGMENTS = frozenset({"workspace.invoice_preview", "workspace.invoice_send_preview"})


def _html_pages(app: Flask, client: FlaskClient, portal: bool, ids: dict[str, int]) -> list[str]:
    """The GET routes of the staff side or of the portal, filled with ``ids``."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith("/static"):
            continue
        if rule.endpoint in FRAGMENTS:
            continue
        if rule.rule.startswith("/client-portal") != portal or not set(rule.arguments) <= set(ids):
            continue
        paths.append(rule.build({name: ids[name] for name in rule.arguments})[1])
    return paths


def test_every_page_of_the_application_is_valid_html(
    app: Flask, client: FlaskClient, records: dict[str, Any], tmp_path: Path
) -> None:
    _require_validator()
    pages = HtmlPages(tmp_path / "pages")

    def keep(visitor: FlaskClient, path: str, **kw: Any) -> None:
        response = visitor.open(path, **kw)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            pages.add(f"{kw.get('method', 'GET')} {path} ({response.status_code})", response.data)

    # Signed out: the login page, and the same page sent back with an error.
    keep(client, "/login")
    keep(client, "/no-such-page")
    token = csrf_token(client)
    keep(client, "/login", method="POST", data={"email": "x", "password": "", "csrf_token": token})

    admin = app.test_client()
    assert login(admin, records["admin"].email).status_code == 302
    draft = records["draft"]
    ids = dict(records["ids"], item_id=draft.items[0].id)
    for path in _html_pages(app, admin, portal=False, ids=ids):
        keep(admin, path)
    for path in (f"/invoices/{draft.id}", f"/invoices/{draft.id}/edit", "/invoices?page=2"):
        keep(admin, path)
    quote_draft = records["quote_draft"]
    for path in (f"/quotes/{quote_draft.id}", f"/quotes/{quote_draft.id}/edit"):
        keep(admin, path)
    keep(admin, "/time/new", method="POST", data={"csrf_token": csrf_token(admin, "/time/new")})

    contact = app.test_client()
    assert login(contact, records["contact"].email).status_code == 302
    for path in _html_pages(app, contact, portal=True, ids=ids):
        keep(contact, path)
    keep(contact, "/client-portal/invoices/999999")

    assert len(pages.pages) > 30, sorted(pages.pages.values())
    errors, warnings = pages.problems()
    assert not errors, f"{len(errors)} errors in {len(pages.pages)} pages:\n  " + "\n  ".join(
        errors + warnings
    )
