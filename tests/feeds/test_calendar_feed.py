"""The calendar feed: a secret address per person, only its hash kept; what each person's feed
holds (a contact: their own client's items only, through the portal scope); RFC 5545 text."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.factories import (
    make_admin,
    make_client,
    make_invoice,
    make_no_access_user,
    make_portal_user,
    make_user,
)
from tests.quotes.conftest import FUTURE, PAST, make_quote
from timetracker.audit import Kind
from timetracker.feeds import ics
from timetracker.feeds.tokens import hash_token
from timetracker.models import AuditEvent, InvoiceStatus, QuoteStatus, User

FEED_RE = re.compile(r"/calendar/([A-Za-z0-9_-]{43})\.ics")


def _browser(app: Flask, user: User) -> FlaskClient:
    browser = app.test_client()
    login(browser, user.email)
    return browser


def _create_feed(browser: FlaskClient) -> str:
    response = post(browser, "/account/calendar", token_from="/account/calendar")
    assert response.status_code == 200
    match = FEED_RE.search(response.get_data(as_text=True))
    assert match, "the new address is shown"
    return f"/calendar/{match.group(1)}.ics"


def _unfold(body: str) -> list[str]:
    assert "\n" not in body.replace("\r\n", "")  # every line ends in CRLF
    return body.replace("\r\n ", "").split("\r\n")


def _events(body: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in _unfold(body):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT" and current is not None:
            found.append(current)
            current = None
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current[name] = value
    return found


def test_a_contact_sees_only_their_clients_open_items(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    mine = make_client(session, name="Alpha")
    other = make_client(session, name="Bravo")
    contact = make_portal_user(session, mine)
    unpaid = make_invoice(session, mine, number="INV-A-1", due_date=dt.date(2026, 7, 1))
    overdue = make_invoice(session, mine, number="INV-A-2", due_date=dt.date(2001, 1, 1))
    make_invoice(session, mine, number="INV-A-DRAFT", status=InvoiceStatus.DRAFT)
    make_invoice(session, mine, number="INV-A-PAID", paid="1200.00")
    make_invoice(session, mine, number="INV-A-CANC", status=InvoiceStatus.CANCELLED)
    make_invoice(session, other, number="INV-B-1")
    quote = make_quote(session, mine, number="Q-A-1", valid_until=FUTURE)
    make_quote(session, mine, number="Q-A-OLD", valid_until=PAST)
    make_quote(session, mine, number="Q-A-DRAFT", status=QuoteStatus.DRAFT)
    make_quote(session, mine, number="Q-A-ACC", status=QuoteStatus.ACCEPTED)
    make_quote(session, other, number="Q-B-1")

    feed = _create_feed(_browser(app, contact))
    response = client.get(feed)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.get_data(as_text=True)
    summaries = sorted(e["SUMMARY"] for e in _events(body))
    assert summaries == sorted(
        [
            "Invoice INV-A-1 due (Alpha\\, €1\\,200.00 open)",
            "Invoice INV-A-2 due (Alpha\\, €1\\,200.00 open)",
            "Quote Q-A-1 expires (Alpha\\, €1\\,200.00)",
        ]
    )
    assert "Bravo" not in body and "DRAFT" not in body
    by_uid = {e["UID"]: e for e in _events(body)}
    invoice_event = next(e for e in by_uid.values() if "INV-A-1" in e["SUMMARY"])
    assert invoice_event["DTSTART;VALUE=DATE"] == "20260701"
    assert invoice_event["DTEND;VALUE=DATE"] == "20260702"
    assert invoice_event["URL"].endswith(f"/client-portal/invoices/{unpaid.id}")
    assert invoice_event["UID"].startswith(f"invoice-{unpaid.id}@")
    quote_event = next(e for e in by_uid.values() if "Q-A-1" in e["SUMMARY"])
    assert quote_event["URL"].endswith(f"/client-portal/quotes/{quote.id}")
    assert quote_event["DTSTART;VALUE=DATE"] == FUTURE.strftime("%Y%m%d")
    assert re.fullmatch(r"\d{8}T\d{6}Z", invoice_event["DTSTAMP"])
    assert overdue.id != unpaid.id
    # The same feed twice: the same UIDs (calendar programs update, not duplicate).
    assert sorted(by_uid) == sorted(
        e["UID"] for e in _events(client.get(feed).get_data(as_text=True))
    )


def test_staff_see_every_active_clients_open_items(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    alpha = make_client(session, name="Alpha")
    gone = make_client(session, name="Gone Ltd", is_active=False)
    first = make_invoice(session, alpha, number="INV-S-1")
    make_invoice(session, gone, number="INV-GONE")
    make_invoice(session, alpha, number="INV-S-DRAFT", status=InvoiceStatus.DRAFT)
    make_quote(session, alpha, number="Q-S-1")
    staff = make_user(session)
    body = client.get(_create_feed(_browser(app, staff))).get_data(as_text=True)
    summaries = [e["SUMMARY"] for e in _events(body)]
    assert any("INV-S-1" in s for s in summaries) and any("Q-S-1" in s for s in summaries)
    assert "INV-GONE" not in body and "INV-S-DRAFT" not in body
    event = next(e for e in _events(body) if "INV-S-1" in e["SUMMARY"])
    assert event["URL"].endswith(f"/invoices/{first.id}") and "client-portal" not in event["URL"]


def test_only_the_hash_is_stored_and_creating_and_revoking_are_audited(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = make_admin(session)
    browser = _browser(app, user)
    feed = _create_feed(browser)
    token = FEED_RE.search(feed).group(1)  # type: ignore[union-attr]
    session.refresh(user)
    assert user.calendar_token_hash == hash_token(token) and token not in user.calendar_token_hash
    assert "You have a calendar address" in browser.get("/account/calendar").get_data(as_text=True)
    assert token not in browser.get("/account/calendar").get_data(as_text=True)

    # A new address replaces the old one.
    newer = _create_feed(browser)
    assert client.get(feed).status_code == 404
    assert client.get(newer).status_code == 200

    response = post(browser, "/account/calendar/revoke", token_from="/account/calendar")
    assert response.status_code == 302
    assert client.get(newer).status_code == 404
    session.refresh(user)
    assert user.calendar_token_hash is None
    kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.subject_id == user.id)).all()
    assert kinds.count(Kind.CALENDAR_FEED_CREATED) == 2
    assert kinds.count(Kind.CALENDAR_FEED_REVOKED) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/" + "A" * 43 + ".ics",
        "/calendar/short.ics",
        "/calendar/" + "A" * 44 + ".ics",
        "/calendar/%00%01.ics",
    ],
)
def test_unknown_or_malformed_tokens_are_404(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_a_person_who_lost_access_gets_404(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    alpha = make_client(session)
    contact = make_portal_user(session, alpha)
    staff = make_user(session)
    contact_feed = _create_feed(_browser(app, contact))
    staff_feed = _create_feed(_browser(app, staff))
    alpha.is_active = False  # a deactivated client's contacts have no access
    staff.is_active = False
    session.flush()
    assert client.get(contact_feed).status_code == 404
    assert client.get(staff_feed).status_code == 404

    nobody = make_no_access_user(session)
    from timetracker.feeds import tokens

    nobody.calendar_token_hash = hash_token("B" * 43)
    session.flush()
    assert tokens.owner(session, "B" * 43) is not None
    assert client.get("/calendar/" + "B" * 43 + ".ics").status_code == 404


def test_names_with_commas_semicolons_and_newlines_are_escaped(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    tricky = make_client(session, name="Smith, Jones; Partners\nLtd \\ Co")
    make_invoice(session, tricky, number="INV-T-1")
    contact = make_portal_user(session, tricky)
    body = client.get(_create_feed(_browser(app, contact))).get_data(as_text=True)
    (event,) = _events(body)
    assert event["SUMMARY"].startswith(
        "Invoice INV-T-1 due (Smith\\, Jones\\; Partners\\nLtd \\\\ Co\\,"
    )
    assert "X-WR-CALNAME:" in body


def test_long_lines_are_folded_at_75_octets_without_splitting_characters(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    long_name = "Ünïcødé Grüße GmbH " * 8
    make_invoice(session, make_client(session, name=long_name.strip()), number="INV-L-1")
    admin = make_admin(session)
    body = client.get(_create_feed(_browser(app, admin))).get_data(as_text=True)
    raw_lines = body.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in raw_lines)
    assert any(line.startswith(" ") for line in raw_lines)  # something was folded
    summary = next(e["SUMMARY"] for e in _events(body) if "INV-L-1" in e["SUMMARY"])
    assert long_name.strip().replace(",", "\\,") in summary


def test_fold_and_escape_units() -> None:
    assert ics.escape_text("a,b;c\\d\r\ne\rf\x07") == "a\\,b\\;c\\\\d\\ne\\nf"
    line = "SUMMARY:" + "€" * 40
    folded = ics.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    end = ics.calendar(
        "x",
        [ics.AllDayEvent("u@x", dt.date.max, "s", "d", "https://x/", "c")],
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    assert "DTSTART;VALUE=DATE:99991231" in end and "DTEND" not in end


def test_the_feed_is_rate_limited(
    app: Flask, client: FlaskClient, session: Session, frozen_clock: object
) -> None:
    feed = _create_feed(_browser(app, make_admin(session)))
    codes = [client.get(feed).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_the_account_pages_need_a_sign_in_and_csrf(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    assert client.get("/account/calendar").status_code == 302
    browser = _browser(app, make_user(session))
    assert browser.post("/account/calendar").status_code == 400
    assert browser.post("/account/calendar/revoke").status_code == 400
    contact = _browser(app, make_portal_user(session, make_client(session)))
    assert contact.get("/account/calendar").status_code == 200


def test_amount_in_the_summary_is_the_open_balance(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    alpha = make_client(session, name="Acme")
    make_invoice(session, alpha, number="INV-2026-0007", items=[("W", "1", "1028.33")])
    partly = make_invoice(session, alpha, number="INV-P", paid="200.00")
    assert partly.total == Decimal("1200.00")
    body = client.get(_create_feed(_browser(app, make_portal_user(session, alpha)))).get_data(
        as_text=True
    )
    summaries = {e["SUMMARY"] for e in _events(body)}
    assert "Invoice INV-2026-0007 due (Acme\\, €1\\,234.00 open)" in summaries
    assert "Invoice INV-P due (Acme\\, €1\\,000.00 open)" in summaries
