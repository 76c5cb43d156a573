"""The staff quote pages: the list and its filters, a new draft, its header and lines, deleting
it, sending it (locked), its PDF, and turning an accepted quote into a project and an invoice,
once each. Administrators write; staff read."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import post
from tests.factories import make_client, make_project
from tests.quotes.conftest import World, make_quote, signed_in
from timetracker import audit
from timetracker.models import (
    AuditEvent,
    Invoice,
    InvoiceStatus,
    Project,
    Quote,
    QuoteItem,
    QuoteSequence,
    QuoteStatus,
    Settings,
)


def _numbers(html: str) -> set[str]:
    return set(re.findall(r"(?:ALPHA|BRAVO)-[A-Z]+", html))


def _quote(session: Session, quote_id: int) -> Quote | None:
    session.expire_all()
    return session.get(Quote, quote_id)


def _count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _events(session: Session, kind: audit.Kind) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


# The list -------------------------------------------------------------------------------------
def test_the_staff_navigation_has_quotes(as_staff: FlaskClient) -> None:
    html = as_staff.get("/dashboard").get_data(as_text=True)
    assert 'href="/quotes"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            {
                f"{s}-{q}"
                for s in ("ALPHA", "BRAVO")
                for q in ("DRAFT", "OPEN", "EXPIRED", "ACCEPTED", "DECLINED")
            },
        ),
        ("?status=draft", {"ALPHA-DRAFT", "BRAVO-DRAFT"}),
        ("?status=open", {"ALPHA-OPEN", "BRAVO-OPEN"}),
        ("?status=expired", {"ALPHA-EXPIRED", "BRAVO-EXPIRED"}),
        ("?status=accepted", {"ALPHA-ACCEPTED", "BRAVO-ACCEPTED"}),
        ("?status=declined&client={b}", {"BRAVO-DECLINED"}),
        (
            "?client={a}",
            {f"ALPHA-{q}" for q in ("DRAFT", "OPEN", "EXPIRED", "ACCEPTED", "DECLINED")},
        ),
    ],
)
def test_the_list_filters_by_state_and_client(
    as_staff: FlaskClient, world: World, query: str, expected: set[str]
) -> None:
    path = "/quotes" + query.format(a=world.a.client.id, b=world.b.client.id)
    response = as_staff.get(path)
    assert response.status_code == 200
    assert _numbers(response.get_data(as_text=True)) == expected


@pytest.mark.parametrize("query", ["?status=paid", "?client=x", "?page=0"])
def test_bad_list_filters_are_a_400(as_staff: FlaskClient, world: World, query: str) -> None:
    assert as_staff.get(f"/quotes{query}").status_code == 400


# A new draft ----------------------------------------------------------------------------------
def test_the_new_quote_form_proposes_today_and_the_validity_of_the_settings(
    app: Flask, session: Session, world: World
) -> None:
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.quote_validity_days = 21
    settings.default_tax_rate = "19"
    session.add(settings)
    session.commit()
    with time_machine.travel(dt.datetime(2026, 12, 20, 12, tzinfo=dt.UTC), tick=False):
        as_admin = signed_in(app, world.admin)  # a session of that moment
        html = as_admin.get(f"/quotes/new?client={world.a.client.id}").get_data(as_text=True)
    shown = 'placeholder="mm/dd/yyyy" required type="text"'  # the firm's one date format
    assert f'name="issue_date" {shown} value="12/20/2026"' in html
    assert f'name="valid_until" {shown} value="01/10/2027"' in html
    assert re.search(r'name="tax_rate"[^>]*value="19"', html)


def test_an_administrator_creates_a_draft_in_the_clients_currency(
    as_admin: FlaskClient, session: Session, world: World
) -> None:
    swiss = make_client(session, name="Zurich AG", currency="CHF")
    project = make_project(session, swiss, name="Zurich shop")
    session.commit()
    response = post(
        as_admin,
        "/quotes/new",
        {
            "client": swiss.id,
            "project": project.id,
            "title": "Shop relaunch",
            "issue_date": "2026-03-01",
            "valid_until": "2026-03-31",
            "tax_rate": "7.7",
            "notes": "Looking forward",
            "terms": "50 % on acceptance",
        },
        token_from="/quotes/new",
    )
    assert response.status_code == 302
    quote = session.scalar(select(Quote).where(Quote.client_id == swiss.id))
    assert quote is not None
    assert response.headers["Location"].endswith(f"/quotes/{quote.id}")
    assert (quote.number, quote.status, quote.currency) == ("Q-2026-0001", "draft", "CHF")
    assert (quote.project_id, quote.title, quote.tax_rate) == (
        project.id,
        "Shop relaunch",
        Decimal("7.70"),
    )
    assert (quote.valid_until, quote.terms, quote.created_by_id) == (
        dt.date(2026, 3, 31),
        "50 % on acceptance",
        world.admin.id,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "Give the quote a title"),
        ({"title": "x" * 201}, "200"),
        ({"valid_until": "2026-02-28"}, "before its issue date"),
        ({"valid_until": "2026-02-30"}, "not a real calendar date"),
        ({"tax_rate": "101"}, "between 0 and 100"),
        ({"client": "999999"}, "Unknown client"),
        ({"project": "{other_project}"}, "Choose a project of the quote"),
        ({"client": "abc"}, "Choose a client from the list"),
    ],
)
def test_a_bad_new_quote_is_a_400_and_creates_nothing(
    as_admin: FlaskClient, session: Session, world: World, change: dict[str, str], message: str
) -> None:
    data = {
        "client": str(world.a.client.id),
        "title": "Fine",
        "issue_date": "2026-03-01",
        "valid_until": "2026-03-31",
        "tax_rate": "0",
        **{k: v.format(other_project=world.b.project.id) for k, v in change.items()},
    }
    before = _count(session, Quote)
    response = post(as_admin, "/quotes/new", data, token_from="/quotes/new")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(session, Quote) == before
    assert _count(session, QuoteSequence) == 0


def test_staff_read_quotes_but_do_not_write_them(
    as_staff: FlaskClient, session: Session, world: World
) -> None:
    draft = world.a.quotes["draft"]
    assert as_staff.get(f"/quotes/{draft.id}").status_code == 200
    assert as_staff.get(f"/quotes/{draft.id}/pdf").status_code == 200
    assert as_staff.get("/quotes/new").status_code == 403
    for action in ("send", "delete", "items"):
        assert post(as_staff, f"/quotes/{draft.id}/{action}").status_code == 403
    assert _quote(session, draft.id).status == QuoteStatus.DRAFT  # type: ignore[union-attr]


# Editing a draft ------------------------------------------------------------------------------
def test_lines_are_added_changed_and_removed_while_draft(
    as_admin: FlaskClient, session: Session, world: World
) -> None:
    draft = world.a.quotes["draft"]
    path = f"/quotes/{draft.id}"
    line = {"item-description": "Extra", "item-quantity": "1.5", "item-unit_price": "33.33"}
    assert post(as_admin, f"{path}/items", line, token_from=path).status_code == 302
    quote = _quote(session, draft.id)
    assert quote is not None and quote.subtotal == Decimal("350.00")  # 300 + 50.00 (49.995)
    added = session.scalar(select(QuoteItem).where(QuoteItem.description == "Extra"))
    assert added is not None
    edit = {"description": "Extra work", "quantity": "2", "unit_price": "10"}
    response = post(as_admin, f"{path}/items/{added.id}/edit", edit, token_from=path)
    assert response.status_code == 302
    assert _quote(session, draft.id).total == Decimal("384.00")  # type: ignore[union-attr]
    assert post(as_admin, f"{path}/items/{added.id}/delete", token_from=path).status_code == 302
    assert _quote(session, draft.id).total == Decimal("360.00")  # type: ignore[union-attr]


def test_a_line_of_another_quote_is_404(as_admin: FlaskClient, world: World) -> None:
    draft, other = world.a.quotes["draft"], world.b.quotes["draft"]
    other_item = other.items[0].id
    path = f"/quotes/{draft.id}"
    assert as_admin.get(f"{path}/items/{other_item}/edit").status_code == 404
    assert post(as_admin, f"{path}/items/{other_item}/delete", token_from=path).status_code == 404


@pytest.mark.parametrize(
    "line",
    [
        {"item-description": "", "item-quantity": "1", "item-unit_price": "1"},
        {"item-description": "X", "item-quantity": "0", "item-unit_price": "1"},
        {"item-description": "X", "item-quantity": "1", "item-unit_price": "-1"},
        {"item-description": "X", "item-quantity": "1,5,5", "item-unit_price": "1"},
        {"item-description": "X" * 2001, "item-quantity": "1", "item-unit_price": "1"},
    ],
)
def test_a_bad_line_is_a_400_and_adds_nothing(
    as_admin: FlaskClient, session: Session, world: World, line: dict[str, str]
) -> None:
    draft = world.a.quotes["draft"]
    before = _count(session, QuoteItem)
    response = post(as_admin, f"/quotes/{draft.id}/items", line, token_from=f"/quotes/{draft.id}")
    assert response.status_code == 400
    assert _count(session, QuoteItem) == before


def test_the_header_of_a_draft_is_edited(
    as_admin: FlaskClient, session: Session, world: World
) -> None:
    draft = world.a.quotes["draft"]
    data = {
        "project": str(world.a.project.id),
        "title": "Renamed",
        "issue_date": "2026-04-01",
        "valid_until": "2026-04-30",
        "tax_rate": "0",
        "terms": "New terms",
    }
    path = f"/quotes/{draft.id}/edit"
    assert post(as_admin, path, data, token_from=path).status_code == 302
    page = as_admin.get(path).get_data(as_text=True)  # the form shows what is stored
    assert f'<option selected value="{world.a.project.id}">' in page
    assert 'value="Renamed"' in page and "New terms</textarea>" in page
    quote = _quote(session, draft.id)
    assert quote is not None
    assert (quote.title, quote.project_id, quote.total, quote.terms) == (
        "Renamed",
        world.a.project.id,
        Decimal("300.00"),
        "New terms",
    )
    data["project"] = str(world.b.project.id)
    response = post(as_admin, path, data, token_from=path)
    assert response.status_code == 400
    assert "Choose a project of the quote" in response.get_data(as_text=True)


@pytest.mark.parametrize("state", ["open", "expired", "accepted", "declined"])
def test_a_sent_quote_is_locked(
    as_admin: FlaskClient, session: Session, world: World, state: str
) -> None:
    quote = world.a.quotes[state]
    path = f"/quotes/{quote.id}"
    item = quote.items[0].id
    before = (quote.title, quote.total, quote.status)
    assert as_admin.get(f"{path}/edit").status_code == 302  # back to the quote
    attempts = [
        (f"{path}/edit", {"title": "Changed", "issue_date": "2026-01-01",
                          "valid_until": "2026-02-01", "tax_rate": "0"}),
        (f"{path}/items", {"item-description": "X", "item-quantity": "1", "item-unit_price": "1"}),
        (f"{path}/items/{item}/edit", {"description": "X", "quantity": "1", "unit_price": "1"}),
        (f"{path}/items/{item}/delete", {}),
        (f"{path}/delete", {}),
    ]  # fmt: skip
    for url, data in attempts:
        response = post(as_admin, url, data, token_from=path)
        assert response.status_code == 400, url
        assert "locked" in response.get_data(as_text=True), url
    after = _quote(session, quote.id)
    assert after is not None and (after.title, after.total, after.status) == before


def test_a_draft_is_deleted(as_admin: FlaskClient, session: Session, world: World) -> None:
    draft = world.a.quotes["draft"]
    response = post(as_admin, f"/quotes/{draft.id}/delete", token_from=f"/quotes/{draft.id}")
    assert response.status_code == 302
    count = select(func.count()).select_from(Quote).where(Quote.id == draft.id)
    assert session.scalar(count) == 0
    assert as_admin.get(f"/quotes/{draft.id}").status_code == 404


# Sending --------------------------------------------------------------------------------------
def test_sending_with_mail_off_sends_and_says_nobody_was_emailed(
    as_admin: FlaskClient, session: Session, world: World
) -> None:
    draft = world.a.quotes["draft"]
    path = f"/quotes/{draft.id}"
    response = post(as_admin, f"{path}/send", token_from=path)
    assert response.status_code == 302
    quote = _quote(session, draft.id)
    assert quote is not None and quote.status == QuoteStatus.SENT and quote.sent_at is not None
    html = as_admin.get(path).get_data(as_text=True)
    assert "Email is switched off on this server, so nobody was emailed" in html
    assert 'data-state="open"' in html and "Send to client" not in html
    [event] = _events(session, audit.Kind.QUOTE_SENT)
    assert (event.client_id, event.detail) == (world.a.client.id, quote.number)
    # A second send changes nothing.
    sent_at = quote.sent_at
    response = post(as_admin, f"{path}/send", token_from=path)
    assert response.status_code == 302
    assert "already been sent" in as_admin.get(path).get_data(as_text=True)
    assert _quote(session, draft.id).sent_at == sent_at  # type: ignore[union-attr]
    assert len(_events(session, audit.Kind.QUOTE_SENT)) == 1


def test_a_draft_without_lines_or_validity_is_not_sent(
    as_admin: FlaskClient, session: Session, world: World
) -> None:
    empty = make_quote(session, world.a.client, status=QuoteStatus.DRAFT, items=[])
    stale = make_quote(
        session, world.a.client, status=QuoteStatus.DRAFT, valid_until=dt.date(2001, 1, 1)
    )
    session.commit()
    for quote, message in ((empty, "without lines"), (stale, "validity date has passed")):
        path = f"/quotes/{quote.id}"
        response = post(as_admin, f"{path}/send", token_from=path)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert _quote(session, quote.id).status == QuoteStatus.DRAFT  # type: ignore[union-attr]


# The page and the PDF -------------------------------------------------------------------------
def test_an_accepted_quote_shows_the_recorded_answer_and_who_read_it(
    as_admin: FlaskClient, as_alpha: FlaskClient, world: World
) -> None:
    quote = world.a.quotes["accepted"]
    as_alpha.get(f"/client-portal/quotes/{quote.id}")
    html = as_admin.get(f"/quotes/{quote.id}").get_data(as_text=True)
    assert 'Signed as</dt><dd class="col-sm-9">Signed Person' in html
    assert "192.0.2.1" in html and "Alpha Contact" in html
    assert re.search(r"Viewed by Alpha Contact", html)
    assert "Create project" in html and "Create draft invoice" in html


def test_the_staff_pdf_opens_and_carries_number_and_total(
    as_staff: FlaskClient, world: World
) -> None:
    quote = world.b.quotes["draft"]
    response = as_staff.get(f"/quotes/{quote.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "BRAVO-DRAFT" in text and "€360.00" in text and "DRAFT" in text


@pytest.mark.parametrize("path", ["/quotes/0", "/quotes/2147483648", "/quotes/987654321"])
def test_unknown_ids_are_404(as_admin: FlaskClient, path: str) -> None:
    assert as_admin.get(path).status_code == 404
    assert as_admin.get(f"{path}/pdf").status_code == 404


# From an accepted quote -----------------------------------------------------------------------
def test_create_project_makes_one_project_with_the_quotes_budget(
    as_admin: FlaskClient, session: Session, world: World
) -> None:
    quote = world.a.quotes["accepted"]
    path = f"/quotes/{quote.id}"
    first = post(as_admin, f"{path}/create-project", token_from=path)
    second = post(as_admin, f"{path}/create-project", token_from=path)
    project = session.scalar(select(Project).where(Project.name == quote.title))
    assert project is not None
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == f"/projects/{project.id}"
    assert (project.client_id, project.budget_amount) == (world.a.client.id, Decimal("300.00"))
    assert _count(session, Project) == 3  # the two sides' projects, and this one
    [event] = _events(session, audit.Kind.QUOTE_CONVERTED)
    assert event.detail == f"{quote.number}: project {quote.title}"
    html = as_admin.get(path).get_data(as_text=True)
    assert f"Project {quote.title}" in html and "Create project" not in html


def test_create_invoice_makes_one_draft_invoice_with_the_quotes_lines(
    as_admin: FlaskClient, session: Session, world: World
) -> None:
    quote = make_quote(
        session, world.b.client, status=QuoteStatus.ACCEPTED, tax_rate="19",
        items=[("Design", "3", "95.50"), ("Build", "12.25", "80")], answered_by=world.b.contact,
    )  # fmt: skip
    session.commit()
    path = f"/quotes/{quote.id}"
    first = post(as_admin, f"{path}/create-invoice", token_from=path)
    second = post(as_admin, f"{path}/create-invoice", token_from=path)
    [invoice] = session.scalars(select(Invoice)).all()
    assert first.headers["Location"] == second.headers["Location"] == f"/invoices/{invoice.id}"
    assert invoice.status == InvoiceStatus.DRAFT and invoice.client_id == world.b.client.id
    assert (invoice.subtotal, invoice.tax_amount, invoice.total) == (
        Decimal("1266.50"),
        Decimal("240.64"),  # 240.635 rounded half-up
        Decimal("1507.14"),
    )
    assert (invoice.subtotal, invoice.total) == (quote.subtotal, quote.total)
    [event] = _events(session, audit.Kind.QUOTE_CONVERTED)
    assert (event.invoice_id, event.detail) == (
        invoice.id,
        f"{quote.number}: invoice {invoice.number}",
    )


@pytest.mark.parametrize("state", ["draft", "open", "expired", "declined"])
def test_only_an_accepted_quote_is_turned_into_anything(
    as_admin: FlaskClient, session: Session, world: World, state: str
) -> None:
    quote = world.a.quotes[state]
    path = f"/quotes/{quote.id}"
    for action in ("create-project", "create-invoice"):
        response = post(as_admin, f"{path}/{action}", token_from=path)
        assert response.status_code == 400
        assert "Only an accepted quote" in response.get_data(as_text=True)
    assert _count(session, Invoice) == 0 and _count(session, Project) == 2
