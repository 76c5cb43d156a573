"""Personal access tokens: what authenticates, what is refused (401/403), and that every use
is recorded and rate-limited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.conftest import Side, auth, get, make_token
from tests.conftest import login
from tests.factories import make_portal_user, make_user
from timetracker.api import tokens
from timetracker.audit import Kind
from timetracker.models import AuditEvent, Role
from timetracker.models.api import ApiToken

PROJECTS = "/api/v1/portal/projects"
TIME = "/api/v1/time-entries"


def _row(session: Session, secret: str) -> ApiToken:
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == tokens.prefix_of(secret)))
    assert row is not None
    session.refresh(row)
    return row


def test_a_token_is_shown_once_and_stored_as_its_hash_and_prefix(
    session: Session, side: Side
) -> None:
    secret = side.staff_token
    assert secret.startswith("tt_") and len(secret) >= 3 + 43
    row = _row(session, secret)
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.prefix == secret[3:11]
    assert secret not in {row.name, row.scopes, row.prefix}


def test_a_session_cookie_does_not_authenticate_the_api(client: FlaskClient, side: Side) -> None:
    assert login(client, side.staff.email).status_code == 302
    response = client.get(TIME)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer tt_short", "Bearer tt_" + "A" * 43],
)
def test_a_missing_or_unknown_token_is_401(client: FlaskClient, side: Side, header: str) -> None:
    response = client.get(TIME, headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.get_json()["title"] == "Unauthorized"


def test_a_token_with_a_known_prefix_but_another_secret_is_401(
    client: FlaskClient, side: Side
) -> None:
    forged = (
        side.staff_token[:11]
        + ("B" if side.staff_token[11] != "B" else "C")
        + side.staff_token[12:]
    )
    assert get(client, TIME, forged).status_code == 401


def test_revoked_and_expired_tokens_are_401(
    client: FlaskClient, session: Session, side: Side
) -> None:
    row = _row(session, side.staff_token)
    tokens.revoke(session, row, side.staff, side.staff)
    expiring = make_token(session, side.staff, days=30)
    session.commit()
    assert get(client, TIME, side.staff_token).status_code == 401
    assert get(client, TIME, expiring).status_code == 200
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        assert get(client, TIME, expiring).status_code == 401


def test_tokens_of_people_who_lost_access_are_401(
    client: FlaskClient, session: Session, side: Side, other: Side
) -> None:
    side.staff.is_active = False  # a deactivated account
    side.contact.client_portal_enabled = False  # portal access taken away
    side.contact.role = Role.NONE
    side.contact.client_id = None
    other.client.is_active = False  # a deactivated client
    session.commit()
    assert get(client, TIME, side.staff_token).status_code == 401
    assert get(client, PROJECTS, side.portal_token).status_code == 401
    response = get(client, PROJECTS, other.portal_token)
    assert response.status_code == 401
    assert "no longer active" in response.get_json()["detail"]


def test_a_token_without_the_scope_is_403(
    client: FlaskClient, session: Session, side: Side
) -> None:
    reader = make_token(session, side.staff, [tokens.TIME_READ])
    session.commit()
    assert get(client, TIME, reader).status_code == 200
    response = client.post(TIME, json={}, headers=auth(reader))
    assert response.status_code == 403
    assert "time:write" in response.get_json()["detail"]
    assert get(client, PROJECTS, side.staff_token).status_code == 403
    assert get(client, TIME, side.portal_token).status_code == 403


def test_a_staff_token_stops_working_for_staff_routes_when_its_owner_becomes_a_contact(
    client: FlaskClient, session: Session, side: Side
) -> None:
    side.staff.role = Role.CLIENT
    side.staff.client_portal_enabled = True
    side.staff.client_id = side.client.id
    session.commit()
    assert get(client, TIME, side.staff_token).status_code == 403
    assert get(client, PROJECTS, side.staff_token).status_code == 403


def test_scopes_follow_the_role(session: Session, side: Side) -> None:
    with pytest.raises(tokens.TokenError):
        tokens.create(session, side.contact, "Export", [tokens.TIME_READ], None)
    with pytest.raises(tokens.TokenError):
        tokens.create(session, side.staff, "Export", [tokens.PORTAL_READ], None)
    with pytest.raises(tokens.TokenError):
        tokens.create(session, side.staff, "Export", [], None)
    with pytest.raises(tokens.TokenError):
        tokens.create(session, side.staff, " ", [tokens.TIME_READ], None)
    nobody = make_user(session, role=Role.NONE)
    with pytest.raises(tokens.TokenError):
        tokens.create(session, nobody, "Export", [tokens.PORTAL_READ], None)


def _requests(session: Session, user_id: int) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.kind == Kind.API_REQUEST, AuditEvent.actor_id == user_id)
            .order_by(AuditEvent.id)
        )
    )


def test_every_use_is_recorded_and_the_last_use_at_most_once_a_minute(
    client: FlaskClient, session: Session, side: Side, frozen_clock: time_machine.Coordinates
) -> None:
    assert get(client, TIME, side.staff_token).status_code == 200
    first = _row(session, side.staff_token).last_used_at
    assert first is not None
    assert get(client, TIME + "/999999", side.staff_token).status_code == 404
    frozen_clock.shift(30)
    assert get(client, TIME, side.staff_token).status_code == 200
    assert _row(session, side.staff_token).last_used_at == first
    frozen_clock.shift(31)
    assert get(client, TIME, side.staff_token).status_code == 200
    assert _row(session, side.staff_token).last_used_at > first
    details = [e.detail for e in _requests(session, side.staff.id)]
    assert details == [
        f"GET {TIME} 200",
        f"GET {TIME}/999999 404",
        f"GET {TIME} 200",
        f"GET {TIME} 200",
    ]


def test_the_rate_limit_is_per_token_and_answers_a_problem_with_retry_after(
    app: Flask,
    client: FlaskClient,
    session: Session,
    side: Side,
    monkeypatch: pytest.MonkeyPatch,
    frozen_clock: time_machine.Coordinates,
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    for _ in range(3):
        assert get(client, TIME, side.staff_token).status_code == 200
    response = get(client, TIME, side.staff_token)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 61
    assert get(client, PROJECTS, side.portal_token).status_code == 200  # another token


def test_a_made_up_token_with_someones_prefix_does_not_spend_their_limit(
    app: Flask,
    client: FlaskClient,
    side: Side,
    monkeypatch: pytest.MonkeyPatch,
    frozen_clock: time_machine.Coordinates,
) -> None:
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    forged = side.staff_token[:11] + "x" * (len(side.staff_token) - 11)
    for _ in range(5):
        assert get(client, TIME, forged).status_code in (401, 429)
    assert get(client, TIME, side.staff_token).status_code == 200


def test_the_api_needs_no_csrf_token(client: FlaskClient, side: Side) -> None:
    response = client.post(
        "/api/v1/timer/start",
        json={"project_id": side.ids["project"]},
        headers=auth(side.staff_token),
    )
    assert response.status_code == 201


def test_a_contact_of_another_client_gets_their_own_token(session: Session, other: Side) -> None:
    contact = make_portal_user(session, other.client)
    secret = make_token(session, contact)
    assert _row(session, secret).scopes == tokens.PORTAL_READ
