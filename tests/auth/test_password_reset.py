"""Forgotten passwords: "Forgot password?" on /login, the one answer of /forgot-password for
every address, the emailed link (one hour, single use, stored hashed), and what setting a new
password with it does (every session ends; nobody is signed in by it)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from tests.conftest import CSRF_RE, csrf_token, login
from tests.factories import (
    PASSWORD,
    make_client,
    make_no_access_user,
    make_portal_user,
    make_user,
)
from timetracker.audit import Kind
from timetracker.auth import recovery_service, tokens
from timetracker.models import AuditEvent, TokenPurpose, User, UserToken
from timetracker.notifications.jobs import queue_name

NEW_PASSWORD = "a-brand-new-secret-7"
ANSWER = (
    "If an account exists for this address, we have sent a link to reset the password. "
    "It works for one hour."
)
LINK_RE = re.compile(r"https://tt\.example\.com(/reset-password/[A-Za-z0-9_-]+)")


@pytest.fixture
def inline(app, monkeypatch):
    """Account emails are sent inline (no Redis): the test's SMTP server receives them."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def ask_for_reset(client, email, *, close=True):
    """POST /forgot-password as the browser does. The response is closed, as a server does once
    it is sent, which starts the email's delivery (``close=False`` leaves it open)."""
    token = csrf_token(client, "/forgot-password")
    response = client.post("/forgot-password", data={"email": email, "csrf_token": token})
    response.get_data()
    if close:
        response.close()
    return response


def resets_in(smtp_server) -> list:
    """The reset emails the SMTP server received (not, say, a new-browser notice)."""
    return [m for m in smtp_server.messages if m["Subject"].startswith("Reset your")]


def reset_path(message) -> str:
    """The reset link of an email, which both its parts carry; its path."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    found = LINK_RE.findall(text)
    assert found, text
    assert f'href="https://tt.example.com{found[0]}"' in html
    return found[0]


def set_password(client, path, password=NEW_PASSWORD, confirm=None):
    token = csrf_token(client, "/forgot-password")  # any form of the session's has its token
    data = {"new_password": password, "confirm": confirm or password, "csrf_token": token}
    return client.post(path, data=data)


def issued_link(session, user, purpose=TokenPurpose.PASSWORD_RESET) -> str:
    raw = tokens.issue(session, user, purpose)
    session.commit()
    return f"/{'reset-password' if purpose == TokenPurpose.PASSWORD_RESET else 'invitation'}/{raw}"


def events(session, kind, user=None):
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.kind == kind)
    if user is not None:
        query = query.where(AuditEvent.subject_id == user.id)
    return session.scalars(query.order_by(AuditEvent.id)).all()


def reload(session, user) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.id == user.id)).one()


def open_tokens(session, user) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count(UserToken.id)).where(
            UserToken.user_id == user.id,
            UserToken.used_at.is_(None),
            UserToken.revoked_at.is_(None),
        )
    )


# The whole flow ---------------------------------------------------------------------------------


def test_the_login_page_offers_forgot_password(client, session):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/forgot-password"' in html and "Forgot password?" in html
    page = client.get("/forgot-password")
    assert page.status_code == 200
    assert 'name="email"' in page.get_data(as_text=True)


def test_a_reset_from_the_email_to_signing_in_with_the_new_password(
    app, client, session, smtp_server, inline
):
    user = make_user(session, name="Robin Reset", email="robin@reset.example")
    session.commit()

    answer = ask_for_reset(client, "Robin@Reset.example")
    assert answer.status_code == 200
    assert ANSWER in answer.get_data(as_text=True)
    [message] = resets_in(smtp_server)
    assert [a.addr_spec for a in message["To"].addresses] == ["robin@reset.example"]
    path = reset_path(message)

    page = client.get(path)
    assert page.status_code == 200
    assert "Choose a new password" in page.get_data(as_text=True)
    done = set_password(client, path)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    landing = client.get("/login").get_data(as_text=True)
    assert "Your password was reset. Sign in with the new password." in landing

    assert login(app.test_client(), user.email, PASSWORD).status_code == 400
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
    [requested] = events(session, Kind.PASSWORD_RESET_REQUESTED, user)
    assert requested.detail == "reset link issued"
    [reset] = events(session, Kind.PASSWORD_RESET)
    assert reset.actor_id == user.id


def test_the_email_leaves_only_after_the_answer_is_sent(client, session, smtp_server, inline):
    """With jobs inline, sending during the request would make an existing address answer
    later than an unknown one: the delivery starts when the response is closed."""
    make_user(session, email="later@reset.example")
    session.commit()
    response = ask_for_reset(client, "later@reset.example", close=False)
    assert response.status_code == 200
    assert resets_in(smtp_server) == []
    response.close()
    assert len(resets_in(smtp_server)) == 1


@pytest.mark.redis
def test_with_redis_the_email_is_queued_after_the_answer(app, client, session, smtp_server):
    url = app.config.get("REDIS_URL")
    assert url, "the redis marker lets this run with Redis only"
    connection = Redis.from_url(url)
    with app.app_context():
        queue = Queue(queue_name(), connection=connection)
    queue.empty()
    make_user(session, email="queued@reset.example")
    session.commit()
    try:
        response = ask_for_reset(client, "queued@reset.example", close=False)
        assert response.status_code == 200 and queue.count == 0
        response.close()
        assert queue.count == 1
        with app.app_context():
            SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.empty()
        connection.close()
    [message] = resets_in(smtp_server)
    assert reset_path(message).startswith("/reset-password/")


def test_a_reset_request_that_is_not_committed_sends_nothing(
    client, session, smtp_server, inline, monkeypatch
):
    """The email follows the commit: when the request's after-commit callbacks do not run (an
    error answer, or a commit that failed), the link, whose token was never stored, is not
    sent."""
    from timetracker.auth import recovery_links

    make_user(session, email="rollback@reset.example")
    session.commit()
    monkeypatch.setattr(recovery_links, "after_commit", lambda callback: None)
    assert ask_for_reset(client, "rollback@reset.example").status_code == 200
    assert resets_in(smtp_server) == []


# Enumeration ------------------------------------------------------------------------------------


def _without_csrf(body: bytes) -> bytes:
    return CSRF_RE.sub("csrf", body.decode()).encode()


def test_every_address_gets_the_same_answer_and_only_a_real_account_a_link(
    app, session, smtp_server, inline, frozen_clock
):
    gone_client = make_client(session, name="Gone Co", is_active=False)
    active = make_user(session, email="active@enum.example")
    inactive = make_user(session, email="inactive@enum.example", is_active=False)
    no_access = make_no_access_user(session, email="none@enum.example")
    gone = make_portal_user(session, gone_client, email="gone@enum.example")
    session.commit()
    answers = {}
    for email in (
        "active@enum.example",
        "nobody@enum.example",
        "inactive@enum.example",
        "none@enum.example",
        "gone@enum.example",
    ):
        response = ask_for_reset(app.test_client(), email)
        answers[email] = (
            response.status_code,
            _without_csrf(response.get_data()),
            sorted(response.headers.keys()),
        )
    assert len(set(map(repr, answers.values()))) == 1, answers
    assert answers["active@enum.example"][0] == 200
    assert [m["To"].addresses[0].addr_spec for m in resets_in(smtp_server)] == [
        "active@enum.example"
    ]
    assert open_tokens(session, active) == 1
    for person in (inactive, no_access, gone):
        assert open_tokens(session, person) == 0
        [event] = events(session, Kind.PASSWORD_RESET_REQUESTED, person)
        assert event.detail.startswith("no link sent: ")
    # An unknown address leaves no trace.
    assert (
        session.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.kind == Kind.PASSWORD_RESET_REQUESTED,
                AuditEvent.subject_id.is_(None),
            )
        )
        == 0
    )


def test_an_unknown_address_costs_the_same_token_work(client, session, monkeypatch):
    """The request makes and hashes a token for an unknown address too (the email itself is
    sent after the answer, see test_the_email_leaves_only_after_the_answer_is_sent)."""
    hashed = []
    real = tokens.token_hash
    monkeypatch.setattr(tokens, "token_hash", lambda raw: hashed.append(raw) or real(raw))
    make_user(session, email="known@work.example")
    session.commit()
    ask_for_reset(client, "known@work.example")
    ask_for_reset(client, "unknown@work.example")
    assert len(hashed) == 2
    assert all(len(raw) == 43 for raw in hashed)


def test_mail_off_gives_the_same_answer_and_sends_nothing(client, session):
    user = make_user(session, email="quiet@reset.example")
    session.commit()
    response = ask_for_reset(client, "quiet@reset.example")
    assert response.status_code == 200 and ANSWER in response.get_data(as_text=True)
    assert open_tokens(session, user) == 1  # the autouse SMTP guard proves nothing was sent


def test_a_malformed_address_is_told_so(client, session):
    response = ask_for_reset(client, "not an address")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.get_data(as_text=True)


# The link ---------------------------------------------------------------------------------------


def test_the_link_works_for_exactly_one_hour(client, session):
    user = make_user(session, email="hour@reset.example")
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False) as clock:
        path = issued_link(session, user)
        clock.move_to(start + dt.timedelta(hours=1) - dt.timedelta(seconds=1))
        assert client.get(path).status_code == 200
        clock.move_to(start + dt.timedelta(hours=1))
        response = client.get(path)
        assert response.status_code == 410
        html = response.get_data(as_text=True)
        assert "This link has expired" in html and 'href="/forgot-password"' in html
        assert set_password(client, path).status_code == 410
    assert reload(session, user).password_hash == user.password_hash


def test_a_used_link_cannot_be_used_again(client, session):
    user = make_user(session, email="once@reset.example")
    path = issued_link(session, user)
    assert set_password(client, path).status_code == 302
    again = set_password(client, path, "yet-another-password-9")
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)
    assert client.get(path).status_code == 410
    assert login(client, user.email, NEW_PASSWORD).status_code == 302


def test_two_submissions_of_one_link_set_the_password_once(ctx, app):
    """Both requests checked the link before either used it: the conditional consume lets only
    the first set a password."""
    user = make_user(ctx, email="twice@reset.example")
    raw = tokens.issue(ctx, user, TokenPurpose.PASSWORD_RESET)
    checked = tokens.check(ctx, raw, TokenPurpose.PASSWORD_RESET)
    with app.test_request_context(method="POST"):  # as the form posts it
        assert recovery_service.reset_password(ctx, checked, "first-password-1") is not None
        first = user.password_hash
        assert recovery_service.reset_password(ctx, checked, "second-password-2") is None
    assert user.password_hash == first
    assert len(events(ctx, Kind.PASSWORD_RESET)) == 1


def test_a_newer_link_replaces_the_older(client, session):
    user = make_user(session, email="newer@reset.example")
    older = issued_link(session, user)
    newer = issued_link(session, user)
    response = client.get(older)
    assert response.status_code == 410
    assert "This link is not valid" in response.get_data(as_text=True)
    assert client.get(newer).status_code == 200


def _tampered(path: str) -> list[str]:
    prefix, raw = path.rsplit("/", 1)
    changed = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    return [
        f"{prefix}/{changed}",
        f"{prefix}/{raw[:-1]}",
        f"{prefix}/{raw}{'x' * 200}",
        f"{prefix}/{raw[:-1]}é",
        f"{prefix}/{'ü' * 43}",
        f"{prefix}/short",
    ]


def test_tampered_links_are_unknown(client, session):
    user = make_user(session, email="tamper@reset.example")
    path = issued_link(session, user)
    for bad in _tampered(path):
        for method in ("GET", "POST"):
            data = {"csrf_token": csrf_token(client, "/forgot-password")}
            response = client.open(bad, method=method, data=data if method == "POST" else None)
            assert response.status_code == 404, (bad, method, response.status_code)
            assert "This link is not valid" in response.get_data(as_text=True)
    assert client.get(path).status_code == 200


def test_an_invitation_token_does_not_reset_a_password(client, session):
    user = make_user(session, email="purpose@reset.example")
    invitation = issued_link(session, user, TokenPurpose.INVITATION)
    raw = invitation.rsplit("/", 1)[1]
    assert client.get(f"/reset-password/{raw}").status_code == 404
    assert set_password(client, f"/reset-password/{raw}").status_code == 404
    reset = issued_link(session, user).rsplit("/", 1)[1]
    assert client.get(f"/invitation/{reset}").status_code == 404


def test_the_new_password_must_be_acceptable_and_repeated(client, session):
    user = make_user(session, email="weak@reset.example")
    path = issued_link(session, user)
    short = set_password(client, path, "short")
    assert short.status_code == 400
    assert "at least 8 characters" in short.get_data(as_text=True)
    differ = set_password(client, path, NEW_PASSWORD, confirm="something-else-1")
    assert differ.status_code == 400
    assert "The two passwords differ." in differ.get_data(as_text=True)
    assert open_tokens(session, user) == 1
    assert set_password(client, path).status_code == 302


def test_a_link_of_an_account_deactivated_since_no_longer_works(client, session):
    user = make_user(session, email="since@reset.example")
    path = issued_link(session, user)
    user.is_active = False
    session.commit()
    response = client.get(path)
    assert response.status_code == 403
    assert "This link no longer works" in response.get_data(as_text=True)
    assert set_password(client, path).status_code == 403
    assert open_tokens(session, user) == 1


# What a reset does ------------------------------------------------------------------------------


def test_a_reset_ends_every_session_and_signs_nobody_in(app, client, session):
    user = make_user(session, email="sessions@reset.example")
    session.commit()
    elsewhere = app.test_client()
    assert login(elsewhere, user.email).status_code == 302
    assert elsewhere.get("/account").status_code == 200
    version = user.session_version

    path = issued_link(session, user)
    assert set_password(client, path).status_code == 302
    assert elsewhere.get("/account").headers.get("Location", "").startswith("/login")
    assert client.get("/account").headers.get("Location", "").startswith("/login")
    assert reload(session, user).session_version == version + 1


def test_a_reset_does_not_skip_the_second_factor(app, client, session):
    """Nobody is signed in by a reset: a person with two-factor sign-in still meets the
    second step when they log in with the new password."""
    user = make_user(session, email="twofactor@reset.example")
    user.totp_secret = "JBSWY3DPEHPK3PXP"
    user.totp_enabled_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    path = issued_link(session, user)
    assert set_password(client, path).status_code == 302
    assert client.get("/account").headers.get("Location", "").startswith("/login")
    signed = login(app.test_client(), user.email, NEW_PASSWORD)
    assert signed.status_code == 302
    assert signed.headers["Location"] not in ("/dashboard", "/")


def test_csrf_is_required(client, session):
    user = make_user(session, email="csrf@reset.example")
    path = issued_link(session, user)
    before = session.scalar(select(func.count(AuditEvent.id)))
    response = client.post("/forgot-password", data={"email": user.email})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    response = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert open_tokens(session, user) == 1
    assert session.scalar(select(func.count(AuditEvent.id))) == before
    assert reload(session, user).password_hash == user.password_hash


# Rate limits ------------------------------------------------------------------------------------


def test_requests_are_limited_per_address(client, session, frozen_clock):
    make_user(session, email="limited@reset.example")
    session.commit()
    for email in ("limited@reset.example", "unknown@reset.example"):
        for _ in range(5):
            assert ask_for_reset(client, email).status_code == 200
        assert ask_for_reset(client, email).status_code == 429
        assert ask_for_reset(client, email.upper()).status_code == 429
    assert ask_for_reset(client, "other@reset.example").status_code == 200


def test_requests_are_limited_per_client_address(client, session, frozen_clock):
    for n in range(20):
        assert ask_for_reset(client, f"person{n}@reset.example").status_code == 200
    assert ask_for_reset(client, "one-more@reset.example").status_code == 429
    other = client.application.test_client()
    token = csrf_token(other, "/forgot-password")
    response = other.post(
        "/forgot-password",
        data={"email": "one-more@reset.example", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.99"},
    )
    assert response.status_code == 200
