"""Quotes in the client portal: the list and its filters, a quote and its PDF, accepting and
declining (CSRF, idempotence, expiry, immutability, bad input, rate limit, audit), and isolation:
every quote route, with every kind of quote id, answers another client's quote and a draft
exactly like a missing one."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import CSRF_RE, post
from tests.factories import make_portal_user
from tests.quotes.conftest import World, make_quote, signed_in
from timetracker import audit
from timetracker.models import AuditEvent, Quote, QuoteStatus

MISSING_ID = 987654321
ACCEPT = {"accept-full_name": "Alpha Q. Contact", "accept-accept_terms": "y"}
DECLINE = {"decline-reason": "We found a cheaper offer.\nThanks anyway."}


def _numbers(html: str) -> set[str]:
    return set(re.findall(r"(?:ALPHA|BRAVO)-[A-Z]+", html))


def _token(client: FlaskClient, path: str = "/client-portal/quotes") -> str:
    match = CSRF_RE.search(client.get(path).get_data(as_text=True))
    assert match
    return match.group(1)


def _answer_of(session: Session, quote_id: int) -> tuple[Any, ...]:
    session.expire_all()
    quote = session.get(Quote, quote_id)
    assert quote is not None
    return (
        quote.status,
        quote.answered_at,
        quote.answered_by_id,
        quote.answered_by_name,
        quote.decline_reason,
        quote.answer_ip_address,
        quote.answer_user_agent,
    )


def _events(session: Session, kind: audit.Kind) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id))
    )


# The list ---------------------------------------------------------------------------------------
def test_the_portal_navigation_has_quotes(as_alpha: FlaskClient) -> None:
    html = as_alpha.get("/client-portal").get_data(as_text=True)
    assert 'href="/client-portal/quotes"' in html and ">Quotes<" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"ALPHA-OPEN"}),
        ("?status=open", {"ALPHA-OPEN"}),
        ("?status=accepted", {"ALPHA-ACCEPTED"}),
        ("?status=declined", {"ALPHA-DECLINED"}),
        ("?status=expired", {"ALPHA-EXPIRED"}),
        ("?status=all", {"ALPHA-OPEN", "ALPHA-ACCEPTED", "ALPHA-DECLINED", "ALPHA-EXPIRED"}),
    ],
)
def test_each_filter_lists_exactly_its_quotes(
    as_alpha: FlaskClient, world: World, query: str, expected: set[str]
) -> None:
    response = as_alpha.get(f"/client-portal/quotes{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _numbers(html) == expected  # never a draft, never Bravo's
    counts = dict(re.findall(r'status=(\w+)"[^>]*>\w+ <span class="badge[^"]*">(\d+)<', html))
    assert counts == {"open": "1", "accepted": "1", "declined": "1", "expired": "1", "all": "4"}


@pytest.mark.parametrize(
    "query", ["?status=draft", "?status=paid", "?status=open&status=all", "?page=0", "?page=x"]
)
def test_bad_filters_and_pages_are_a_400_that_names_the_allowed_values(
    as_alpha: FlaskClient, query: str
) -> None:
    response = as_alpha.get(f"/client-portal/quotes{query}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert (
        ("open, accepted, declined, expired, all" in text) or ("once" in text) or ("page" in text)
    )


def test_the_list_is_paginated(app: Flask, as_alpha: FlaskClient, world: World, session) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        make_quote(session, world.a.client, number=f"ALPHA-EXTRA{chr(65 + n)}")
    session.commit()
    app.config["PAGE_SIZE"] = 4
    try:
        first = as_alpha.get("/client-portal/quotes").get_data(as_text=True)
        second = as_alpha.get("/client-portal/quotes?page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 50
    assert len(_numbers(first)) == 4 and len(_numbers(second)) == 2
    assert _numbers(first).isdisjoint(_numbers(second))
    assert "page=2" in first


# A quote ----------------------------------------------------------------------------------------
def test_a_quote_shows_lines_totals_validity_terms_and_is_audited(
    as_alpha: FlaskClient, world: World, session: Session
) -> None:
    quote = world.a.open
    quote.terms = "Payment within <b>14 days</b>."
    session.commit()
    response = as_alpha.get(f"/client-portal/quotes/{quote.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Alpha open line" in html and "Alpha open quote" in html
    assert "€360.00" in html and "€300.00" in html  # 2 × 150.00 + 20 % tax
    assert "12/31/2099" in html  # valid until
    assert "Payment within &lt;b&gt;14 days&lt;/b&gt;." in html  # escaped
    assert 'data-state="open"' in html
    assert 'data-testid="accept-form"' in html and 'data-testid="decline-form"' in html
    [viewed] = _events(session, audit.Kind.QUOTE_VIEWED)
    assert (viewed.client_id, viewed.detail, viewed.actor_id) == (
        world.a.client.id,
        quote.number,
        world.a.contact.id,
    )


@pytest.mark.parametrize("state", ["accepted", "declined", "expired"])
def test_a_quote_that_is_not_open_offers_no_answer(
    as_alpha: FlaskClient, world: World, state: str
) -> None:
    html = as_alpha.get(f"/client-portal/quotes/{world.a.quotes[state].id}").get_data(as_text=True)
    assert f'data-state="{state}"' in html
    assert "accept-form" not in html and "decline-form" not in html
    assert 'data-testid="quote-answer"' in html
    if state == "accepted":
        assert "Signed Person" in html
    if state == "declined":
        assert "Too expensive" in html


def test_the_pdf_opens_and_carries_number_and_total(
    as_alpha: FlaskClient, world: World, session: Session
) -> None:
    quote = world.a.quotes["accepted"]
    response = as_alpha.get(f"/client-portal/quotes/{quote.id}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "quote-ALPHA-ACCEPTED.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert quote.number in text and "€360.00" in text
    assert "Signed Person" in text and "ACCEPTED" in text
    [viewed] = _events(session, audit.Kind.QUOTE_VIEWED)
    assert viewed.detail == f"{quote.number} (PDF)"


# Isolation ----------------------------------------------------------------------------------------
def _quote_rules(app: Flask) -> list[tuple[str, str]]:
    """Every (method, rule) of the app that takes a quote id and is for the portal."""
    found = []
    for rule in app.url_map.iter_rules():
        if "quote_id" in rule.arguments and rule.rule.startswith("/client-portal"):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((method, rule.rule))
    return found


def test_every_portal_quote_route_is_enumerated(app: Flask) -> None:
    assert {r for _, r in _quote_rules(app)} == {
        "/client-portal/quotes/<int:quote_id>",
        "/client-portal/quotes/<int:quote_id>/pdf",
        "/client-portal/quotes/<int:quote_id>/accept",
        "/client-portal/quotes/<int:quote_id>/decline",
    }


def test_other_clients_quotes_and_drafts_are_byte_identical_to_missing_ones(
    app: Flask, as_alpha: FlaskClient, world: World, session: Session, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("timetracker.extensions.limiter.enabled", False)
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        token = _token(as_alpha)
        hidden = [q.id for q in world.b.quotes.values()] + [world.a.quotes["draft"].id]
        before = {
            q.id: _answer_of(session, q.id) for s in (world.a, world.b) for q in s.quotes.values()
        }
        failures = []
        for method, rule in _quote_rules(app):
            data = {"csrf_token": token, **ACCEPT, **DECLINE} if method == "POST" else None

            def ask(quote_id: int, method=method, rule=rule, data=data):  # type: ignore[no-untyped-def]
                path = rule.replace("<int:quote_id>", str(quote_id))
                return as_alpha.open(path, method=method, data=data)

            missing = ask(MISSING_ID)
            assert missing.status_code == 404, rule
            for quote_id in hidden:
                response = ask(quote_id)
                if (response.status_code, response.data) != (404, missing.data):
                    failures.append(f"{method} {rule} with {quote_id}: {response.status_code}")
        assert failures == []
        after = {
            q.id: _answer_of(session, q.id) for s in (world.a, world.b) for q in s.quotes.values()
        }
        assert after == before
        assert _events(session, audit.Kind.QUOTE_VIEWED) == []


@pytest.mark.parametrize(
    "path",
    [
        "/client-portal/quotes/0",
        "/client-portal/quotes/2147483648",
        "/client-portal/quotes/99999999999999999999",
        "/client-portal/quotes/-1",
        "/client-portal/quotes/%D9%A3",  # Arabic-Indic three
        "/client-portal/quotes/01",
    ],
)
def test_ids_out_of_range_are_404(as_alpha: FlaskClient, path: str) -> None:
    assert as_alpha.get(path).status_code == 404
    assert as_alpha.get(f"{path}/pdf").status_code == 404


def test_staff_cannot_use_the_portal_quote_pages(as_admin: FlaskClient, world: World) -> None:
    assert as_admin.get("/client-portal/quotes").status_code == 403
    assert as_admin.get(f"/client-portal/quotes/{world.a.open.id}").status_code == 403
    response = post(as_admin, f"/client-portal/quotes/{world.a.open.id}/accept", ACCEPT)
    assert response.status_code == 403


# Answering ----------------------------------------------------------------------------------------
def test_accepting_records_who_when_from_where_and_tells_the_contact(
    as_alpha: FlaskClient, world: World, session: Session
) -> None:
    quote = world.a.open
    response = post(
        as_alpha,
        f"/client-portal/quotes/{quote.id}/accept",
        ACCEPT,
        token_from="/client-portal/quotes",
        headers={"User-Agent": "QuoteTest/2.0"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/client-portal/quotes/{quote.id}")
    status, answered_at, by_id, name, reason, ip, agent = _answer_of(session, quote.id)
    assert (status, by_id, name, reason, ip, agent) == (
        QuoteStatus.ACCEPTED,
        world.a.contact.id,
        "Alpha Q. Contact",
        None,
        "127.0.0.1",
        "QuoteTest/2.0",
    )
    assert answered_at is not None
    [event] = _events(session, audit.Kind.QUOTE_ACCEPTED)
    assert (event.client_id, event.detail, event.actor_id) == (
        world.a.client.id,
        quote.number,
        world.a.contact.id,
    )
    html = as_alpha.get(response.headers["Location"]).get_data(as_text=True)
    assert "You accepted quote" in html and "Accepted by <strong>Alpha Q. Contact</strong>" in html


def test_declining_records_the_reason(
    as_alpha: FlaskClient, world: World, session: Session
) -> None:
    quote = world.a.open
    response = post(
        as_alpha,
        f"/client-portal/quotes/{quote.id}/decline",
        DECLINE,
        token_from="/client-portal/quotes",
    )
    assert response.status_code == 303
    status, _at, by_id, name, reason, _ip, _agent = _answer_of(session, quote.id)
    assert (status, by_id, name) == (QuoteStatus.DECLINED, world.a.contact.id, None)
    assert reason == "We found a cheaper offer.\nThanks anyway."
    [event] = _events(session, audit.Kind.QUOTE_DECLINED)
    assert (event.client_id, event.detail) == (world.a.client.id, quote.number)


@pytest.mark.parametrize("first", ["accept", "decline"])
def test_a_double_submission_changes_nothing_the_second_time(
    as_alpha: FlaskClient, world: World, session: Session, first: str
) -> None:
    quote = world.a.open
    token = _token(as_alpha)
    data = {"csrf_token": token, **(ACCEPT if first == "accept" else DECLINE)}
    assert as_alpha.post(f"/client-portal/quotes/{quote.id}/{first}", data=data).status_code == 303
    answered = _answer_of(session, quote.id)
    for again in ("accept", "decline"):
        data = {"csrf_token": token, **ACCEPT, **DECLINE, "accept-full_name": "Someone Else"}
        response = as_alpha.post(f"/client-portal/quotes/{quote.id}/{again}", data=data)
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/client-portal/quotes/{quote.id}")
        assert _answer_of(session, quote.id) == answered
    kind = audit.Kind.QUOTE_ACCEPTED if first == "accept" else audit.Kind.QUOTE_DECLINED
    assert len(_events(session, kind)) == 1
    html = as_alpha.get(f"/client-portal/quotes/{quote.id}").get_data(as_text=True)
    assert "nothing was changed" in html


def test_a_second_contacts_late_answer_changes_nothing(
    app: Flask, as_alpha: FlaskClient, world: World, session: Session
) -> None:
    late = make_portal_user(session, world.a.client, name="Late Larry", email="larry@alpha.example")
    session.commit()
    quote = world.a.open
    assert (
        post(
            as_alpha,
            f"/client-portal/quotes/{quote.id}/accept",
            ACCEPT,
            token_from="/client-portal/quotes",
        ).status_code
        == 303
    )
    answered = _answer_of(session, quote.id)
    larry = signed_in(app, late)
    response = post(
        larry,
        f"/client-portal/quotes/{quote.id}/decline",
        DECLINE,
        token_from="/client-portal/quotes",
    )
    assert response.status_code == 303
    assert _answer_of(session, quote.id) == answered
    html = larry.get(response.headers["Location"]).get_data(as_text=True)
    assert "was already accepted" in html and "nothing was changed" in html


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("token", [None, "forged"])
def test_answers_need_a_csrf_token(
    as_alpha: FlaskClient, world: World, session: Session, action: str, token: str | None
) -> None:
    quote = world.a.open
    data: dict[str, str] = {**ACCEPT, **DECLINE}
    if token:
        data["csrf_token"] = token
    response = as_alpha.post(f"/client-portal/quotes/{quote.id}/{action}", data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert _answer_of(session, quote.id)[0] == QuoteStatus.SENT
    assert _events(session, audit.Kind.QUOTE_ACCEPTED) == []


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("accept", {"accept-accept_terms": "y"}, "Type your full name"),
        ("accept", {"accept-full_name": "A", "accept-accept_terms": "y"}, "2 to 200"),
        ("accept", {"accept-full_name": "x" * 201, "accept-accept_terms": "y"}, "2 to 200"),
        ("accept", {"accept-full_name": " \t ", "accept-accept_terms": "y"}, "full name"),
        ("accept", {"accept-full_name": "123", "accept-accept_terms": "y"}, "in letters"),
        ("accept", {"accept-full_name": "Alpha Contact"}, "Tick the box"),
        ("decline", {}, "why you decline"),
        ("decline", {"decline-reason": "   "}, "why you decline"),
        ("decline", {"decline-reason": "x" * 2001}, "at most 2000"),
    ],
)
def test_bad_answers_are_a_400_that_says_why_and_change_nothing(
    as_alpha: FlaskClient, world: World, session: Session, action: str, data: dict, message: str
) -> None:  # type: ignore[type-arg]
    quote = world.a.open
    response = post(
        as_alpha,
        f"/client-portal/quotes/{quote.id}/{action}",
        data,
        token_from="/client-portal/quotes",
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _answer_of(session, quote.id)[0] == QuoteStatus.SENT
    assert _events(session, audit.Kind.QUOTE_ACCEPTED) == []
    assert _events(session, audit.Kind.QUOTE_DECLINED) == []


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_an_answer_that_is_not_utf8_is_refused(
    as_alpha: FlaskClient, world: World, session: Session, action: str
) -> None:
    quote = world.a.open
    token = _token(as_alpha)
    body = (
        f"csrf_token={token}&accept-accept_terms=y&accept-full_name=Al%FFpha&decline-reason=%FF"
    ).encode()
    response = as_alpha.post(
        f"/client-portal/quotes/{quote.id}/{action}",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert _answer_of(session, quote.id)[0] == QuoteStatus.SENT


def test_answers_are_rate_limited_per_contact(
    as_alpha: FlaskClient, world: World, frozen_clock: Any
) -> None:
    quote = world.a.open
    token = _token(as_alpha)
    statuses = [
        as_alpha.post(
            f"/client-portal/quotes/{quote.id}/{action}", data={"csrf_token": token}
        ).status_code
        for action in ["accept", "decline"] * 6
    ]
    assert statuses == [400] * 10 + [429, 429]


# Expiry at the boundary -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("utc", "accepted"),
    [
        (dt.datetime(2026, 1, 16, 4, 59, 30, tzinfo=dt.UTC), True),  # 23:59:30 in New York
        (dt.datetime(2026, 1, 16, 5, 0, 0, tzinfo=dt.UTC), False),  # midnight: expired
    ],
)
def test_a_quote_can_be_answered_until_its_last_day_ends_in_the_firms_timezone(
    app: Flask, world: World, session: Session, utc: dt.datetime, accepted: bool
) -> None:
    from timetracker.models import Settings

    settings = session.get(Settings, 1) or Settings(id=1)
    settings.timezone = "America/New_York"
    session.add(settings)
    quote = world.a.open
    quote.valid_until = dt.date(2026, 1, 15)
    session.commit()
    with time_machine.travel(utc, tick=False):
        as_alpha = signed_in(app, world.a.contact)  # a session of that moment
        token = _token(as_alpha)
        response = as_alpha.post(
            f"/client-portal/quotes/{quote.id}/accept", data={"csrf_token": token, **ACCEPT}
        )
        assert response.status_code == 303
        html = as_alpha.get(response.headers["Location"]).get_data(as_text=True)
        listed = as_alpha.get("/client-portal/quotes?status=expired").get_data(as_text=True)
    status = _answer_of(session, quote.id)[0]
    if accepted:
        assert status == QuoteStatus.ACCEPTED
        assert "ALPHA-OPEN" not in listed
    else:
        assert status == QuoteStatus.SENT
        assert "expired on 01/15/2026 and can no longer be accepted" in html
        assert 'data-state="expired"' in html and "accept-form" not in html
        assert "ALPHA-OPEN" in listed


@pytest.mark.parametrize("state", ["open", "expired", "accepted", "declined"])
def test_every_portal_quote_route_serves_the_clients_own_quotes(
    app: Flask, as_alpha: FlaskClient, world: World, session: Session, state: str, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The other side of the isolation test: the same routes with the client's own quote.
    Reads answer 200; answers to a quote that is not open change nothing (303 back to it); an
    open one is answered by the first POST (accept), and the second changes nothing."""
    monkeypatch.setattr("timetracker.extensions.limiter.enabled", False)
    quote = world.a.quotes[state]
    token = _token(as_alpha)
    before = _answer_of(session, quote.id)
    for method, rule in _quote_rules(app):
        path = rule.replace("<int:quote_id>", str(quote.id))
        data = {"csrf_token": token, **ACCEPT, **DECLINE} if method == "POST" else None
        response = as_alpha.open(path, method=method, data=data)
        assert response.status_code == (303 if method == "POST" else 200), (method, path)
    after = _answer_of(session, quote.id)
    if state == "open":
        assert after[0] == QuoteStatus.ACCEPTED and after[3] == "Alpha Q. Contact"
    else:
        assert after == before


def test_quote_pdfs_are_rate_limited_per_contact(
    as_alpha: FlaskClient, world: World, frozen_clock: Any
) -> None:
    path = f"/client-portal/quotes/{world.a.open.id}/pdf"
    statuses = [as_alpha.get(path).status_code for _ in range(31)]
    assert statuses == [200] * 30 + [429]
