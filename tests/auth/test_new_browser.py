"""A sign-in from a browser the account has not used before is emailed to its owner, once per
browser, never on the account's very first sign-in; the browser is known by the hash of a
random id in a long-lived cookie that outlives logging out."""

from __future__ import annotations

import hashlib

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, login, post
from tests.factories import make_user
from tests.smtp import SmtpServer
from timetracker.auth import browsers, second_factor
from timetracker.models import KnownBrowser, Settings, User

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"


def browser(app: Flask, agent: str = CHROME_LINUX, address: str = "127.0.0.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    return client


def known(session: Session, user: User) -> list[KnownBrowser]:
    session.expire_all()
    return list(
        session.scalars(
            select(KnownBrowser).where(KnownBrowser.user_id == user.id).order_by(KnownBrowser.id)
        )
    )


def browser_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(browsers.COOKIE)
    assert cookie is not None, "no browser cookie"
    return cookie.value


def set_cookie_header(response, name: str) -> str:  # type: ignore[no-untyped-def]
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie set")


@pytest.fixture
def outbox(app: Flask, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    """The SMTP server the account emails reach, sent inline (not queued in Redis when the
    suite runs with REDIS_URL)."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    return smtp_server


@pytest.fixture
def user(session: Session) -> User:
    person = make_user(session)
    session.commit()
    return person


def test_the_first_sign_in_ever_is_recorded_without_an_email(app, session, user, outbox):
    laptop = browser(app)
    response = login(laptop, user.email)
    assert response.status_code == 302
    header = set_cookie_header(response, browsers.COOKIE)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    assert "Secure" not in header  # plain HTTP here
    assert "Max-Age=34560000" in header  # 400 days
    [row] = known(session, user)
    # Only the hash of the random id is stored.
    value = browser_cookie(laptop)
    assert row.browser_hash == hashlib.sha256(value.encode()).hexdigest() != value
    assert row.sign_ins == 1
    assert outbox.messages == []


def test_the_cookie_is_secure_over_https(app, session, user):
    laptop = browser(app)
    token = csrf_token(laptop)
    response = laptop.post(
        "/login",
        data={"email": user.email, "password": "correct-horse-42", "csrf_token": token},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over HTTPS
    )
    assert response.status_code == 302
    assert "Secure" in set_cookie_header(response, browsers.COOKIE)


def test_a_new_browser_is_emailed_once(app, session, user, outbox):
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.timezone = "Europe/Berlin"
    session.add(settings)
    session.commit()
    laptop = browser(app)
    login(laptop, user.email)
    post(laptop, "/logout", token_from="/logout")
    # The same browser again, after logging out: known, no email.
    login(laptop, user.email)
    assert outbox.messages == []
    assert known(session, user)[0].sign_ins == 2
    # Another browser: one email with what it was, where from and when.
    other = browser(app, FIREFOX_WINDOWS, "203.0.113.50")
    login(other, user.email)
    [message] = outbox.messages
    assert message["To"].addresses[0].addr_spec == user.email
    assert "New sign-in" in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Firefox on Windows" in text and "203.0.113.50" in text
    assert "(Europe/Berlin)" in text
    html = message.get_body(("html",)).get_content()
    assert "Firefox on Windows" in html
    assert len(known(session, user)) == 2
    # That browser is known now.
    post(other, "/logout", token_from="/logout")
    login(other, user.email)
    assert len(outbox.messages) == 1


def test_one_browser_is_new_to_each_account_on_its_own(app, session, user, outbox):
    colleague = make_user(session)
    session.commit()
    login(browser(app), colleague.email)  # the colleague's first sign-in
    shared = browser(app)
    login(shared, user.email)  # the user's first sign-in: silent
    post(shared, "/logout", token_from="/logout")
    login(shared, colleague.email)  # new to the colleague's account
    [message] = outbox.messages
    assert message["To"].addresses[0].addr_spec == colleague.email
    assert len(known(session, user)) == 1 and len(known(session, colleague)) == 2
    # One id for the browser, hashed in each account's row.
    assert known(session, user)[0].browser_hash == known(session, colleague)[1].browser_hash


def test_a_tampered_cookie_counts_as_a_new_browser(app, session, user, outbox):
    login(browser(app), user.email)
    forged = browser(app)
    forged.set_cookie(browsers.COOKIE, "not a valid id!")
    login(forged, user.email)
    assert len(outbox.messages) == 1
    assert browser_cookie(forged) != "not a valid id!"


def test_logout_keeps_the_browser_cookie_but_ends_the_session(app, session, user):
    laptop = browser(app)
    login(laptop, user.email)
    value = browser_cookie(laptop)
    response = post(laptop, "/logout", token_from="/logout")
    cookies = " ".join(response.headers.getlist("Set-Cookie"))
    assert browsers.COOKIE not in cookies
    assert '"cookies"' not in response.headers["Clear-Site-Data"]
    assert browser_cookie(laptop) == value
    assert laptop.get("/dashboard").status_code == 302


def test_the_second_step_notices_a_new_browser_too(app, session, user, outbox):
    login(browser(app), user.email)  # the first sign-in, before two-factor sign-in was on
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = user.created_at
    second_factor.new_recovery_codes(session, user)
    session.commit()
    other = browser(app, FIREFOX_WINDOWS)
    login(other, user.email)
    assert outbox.messages == []  # the password alone signs nobody in
    token = csrf_token(other, "/login/two-factor")
    code = pyotp.TOTP(user.totp_secret).now()
    assert (
        other.post("/login/two-factor", data={"code": code, "csrf_token": token}).status_code == 302
    )
    [message] = outbox.messages
    assert "Firefox on Windows" in message.get_body(("plain",)).get_content()


def test_a_failed_sign_in_records_no_browser(app, session, user, outbox):
    login(browser(app), user.email)
    stranger = browser(app, FIREFOX_WINDOWS)
    assert login(stranger, user.email, "wrong-password").status_code == 400
    assert len(known(session, user)) == 1
    assert stranger.get_cookie(browsers.COOKIE) is None
    assert outbox.messages == []
