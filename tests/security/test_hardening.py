"""Hardening: response headers, cookies, the session's life on the server (login, logout,
password change), login errors and rate limits, the reverse proxy, the body size limit and the
start-up check of SECRET_KEY."""

from __future__ import annotations

import pytest
from flask import Flask
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter
from sqlalchemy import func, select
from werkzeug.middleware.proxy_fix import ProxyFix

from tests.conftest import CSRF_RE, csrf_token, login, post, redis_rate_limits
from tests.factories import PASSWORD, make_user
from tests.security.harness import sibling_app, snapshot
from timetracker.config import ConfigError, load_config
from timetracker.models import UserSession
from timetracker.security import CONTENT_SECURITY_POLICY

SESSION_COOKIE = "session"
REMEMBER_COOKIE = "remember_token"


@pytest.fixture
def user(session):
    u = make_user(session)
    session.commit()
    return u


def cookie(client, name: str = SESSION_COOKIE) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def set_cookie_header(response, name: str) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}="):
            return header
    raise AssertionError(f"no {name} cookie set")


def replay(app: Flask, value: str, name: str = SESSION_COOKIE):
    """A new browser that presents a copy of a cookie."""
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


# Headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/login", 200),
        ("GET", "/no-such-page", 404),
        ("DELETE", "/login", 405),
        ("POST", "/login", 400),
        ("GET", "/static/css/app.css", 200),
        ("GET", "/dashboard", 302),
    ],
)
def test_security_headers_on_every_kind_of_answer(client, method, path, status):
    response = client.open(path, method=method)
    response.close()
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, user):
    login(client, user.email)
    for path in ("/login", "/account", "/dashboard"):
        html = client.get(path).get_data(as_text=True)
        assert "style=" not in html, path
        for tag in html.split("<script")[1:]:
            assert tag.lstrip().startswith("src="), (path, tag[:80])


# Cookies --------------------------------------------------------------------------------------


def test_session_cookie_is_httponly_and_samesite_lax_but_not_secure_over_http(client, user):
    header = set_cookie_header(login(client, user.email), SESSION_COOKIE)
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header


def test_remember_cookie_is_httponly_and_samesite_lax(client, user):
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    header = set_cookie_header(response, REMEMBER_COOKIE)
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_session_cookie_secure_setting_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    config = load_config({"TESTING": True})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    assert load_config({"TESTING": True})["SESSION_COOKIE_SECURE"] is False


def test_session_cookie_is_secure_when_configured(app, connection, user):
    secure = sibling_app(app, SESSION_COOKIE_SECURE=True)
    try:
        header = set_cookie_header(login(secure.test_client(), user.email), SESSION_COOKIE)
        assert "Secure" in header
    finally:
        secure.extensions["timetracker.engine"].dispose()


def test_session_cookie_is_secure_over_https(app, connection):
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in set_cookie_header(response, SESSION_COOKIE)


def test_proxy_https_makes_the_cookie_secure_only_when_the_proxy_is_trusted(app, connection):
    behind = sibling_app(app, PROXY_FIX_HOPS=1)
    try:
        assert isinstance(behind.wsgi_app, ProxyFix)
        forwarded = {"X-Forwarded-Proto": "https"}
        response = behind.test_client().get("/login", headers=forwarded)
        assert "Secure" in set_cookie_header(response, SESSION_COOKIE)
        # Without TIMETRACKER_PROXY_HOPS the header is not believed.
        response = app.test_client().get("/login", headers=forwarded)
        assert "Secure" not in set_cookie_header(response, SESSION_COOKIE)
    finally:
        behind.extensions["timetracker.engine"].dispose()


def test_proxy_hops_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TIMETRACKER_PROXY_HOPS", "2")
    assert load_config({"TESTING": True})["PROXY_FIX_HOPS"] == 2
    monkeypatch.delenv("TIMETRACKER_PROXY_HOPS")
    assert load_config({"TESTING": True})["PROXY_FIX_HOPS"] == 0


# The session on the server --------------------------------------------------------------------


def test_login_rotates_the_session_and_the_old_cookie_does_not_authenticate(app, client, user):
    client.get("/login")
    before = cookie(client)
    assert before
    assert login(client, user.email).status_code == 302
    after = cookie(client)
    assert after and after != before
    assert client.get("/dashboard").status_code == 200
    assert replay(app, before).get("/dashboard").status_code == 302


def test_each_login_gets_its_own_server_side_session(app, session, user):
    first, second = app.test_client(), app.test_client()
    login(first, user.email)
    login(second, user.email)
    assert cookie(first) != cookie(second)
    count = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    assert session.scalar(count) == 2


def test_logout_ends_the_session_even_for_a_copy_of_the_cookie(app, client, session, user):
    login(client, user.email)
    stolen = cookie(client)
    assert replay(app, stolen).get("/dashboard").status_code == 200
    assert post(client, "/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302
    response = replay(app, stolen).get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_logout_ends_the_remember_me_cookie_too(app, client, user):
    token = csrf_token(client)
    client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    remembered = cookie(client, REMEMBER_COOKIE)
    assert remembered
    # The remember cookie alone signs a new browser in...
    assert replay(app, remembered, REMEMBER_COOKIE).get("/dashboard").status_code == 200
    logout = post(client, "/logout")
    assert REMEMBER_COOKIE in " ".join(logout.headers.getlist("Set-Cookie"))  # deleted
    # ...but not once its session was logged out.
    assert replay(app, remembered, REMEMBER_COOKIE).get("/dashboard").status_code == 302


def test_logout_leaves_the_users_other_browsers_signed_in(app, user):
    """Decision: logout ends this browser's session only; "sign out everywhere" is what a
    password change does."""
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    post(laptop, "/logout")
    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 200


def test_password_change_ends_every_other_session_and_copies_of_them(app, session, user):
    mine, other = app.test_client(), app.test_client()
    login(mine, user.email)
    login(other, user.email)
    old_mine, old_other = cookie(mine), cookie(other)
    response = post(
        mine,
        "/account",
        {
            "pw-current_password": PASSWORD,
            "pw-new_password": "a-new-pass-99",
            "pw-confirm": "a-new-pass-99",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    assert mine.get("/dashboard").status_code == 200
    assert cookie(mine) != old_mine
    assert other.get("/dashboard").status_code == 302
    assert replay(app, old_mine).get("/dashboard").status_code == 302
    assert replay(app, old_other).get("/dashboard").status_code == 302
    count = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    assert session.scalar(count) == 1


def test_a_session_older_than_its_lifetime_is_anonymous(app, client, session, user):
    import datetime as dt

    login(client, user.email)
    row = session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    row.created_at = dt.datetime.now(dt.UTC) - app.config["REMEMBER_COOKIE_DURATION"]
    row.created_at -= dt.timedelta(minutes=1)
    session.commit()
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    "login_id",
    [
        "1:1",
        "1",
        "",
        "x:y:z",
        "1:1:short",
        "²:1:" + "k" * 43,
        "99999999999999999999:1:" + "k" * 43,
        "1:99999999999999999999:" + "k" * 43,
        "999999:1:" + "k" * 43,
        "1:1:" + "k" * 43,
    ],
)
def test_forged_login_ids_are_anonymous(app, connection, login_id):
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    forged = serializer.dumps({"_user_id": login_id, "_fresh": True})
    assert replay(app, forged).get("/dashboard").status_code == 302


# Login ----------------------------------------------------------------------------------------


def _login_page_parts(response) -> tuple[int, str]:
    html = CSRF_RE.sub("", response.get_data(as_text=True))
    html = html.replace("nobody@example.com", "EMAIL")
    for value in ("known@example.com", "inactive@example.com"):
        html = html.replace(value, "EMAIL")
    return response.status_code, html


def test_failed_logins_look_the_same_whatever_the_reason(app, session):
    """No user enumeration: unknown email, wrong password and a deactivated account give the
    same status and the same page."""
    make_user(session, email="known@example.com")
    make_user(session, email="inactive@example.com", is_active=False)
    session.commit()
    answers = {
        _login_page_parts(login(app.test_client(), email, password))
        for email, password in [
            ("nobody@example.com", PASSWORD),
            ("known@example.com", "wrong-password"),
            ("inactive@example.com", PASSWORD),
        ]
    }
    assert len(answers) == 1
    status, html = answers.pop()
    assert status == 400
    assert "Wrong email or password, or the account is not active." in html


# Rate limits run with the clock frozen (``frozen_clock`` in tests/conftest.py), so that a window
# cannot end or roll over while a test makes its requests.


@pytest.mark.parametrize("strategy", [FixedWindowRateLimiter, MovingWindowRateLimiter])
def test_memory_rate_limit_windows_follow_the_frozen_clock(frozen_clock, strategy):
    """Memory storage reads ``time.time()``, which time-machine patches: frozen, a window never
    ends; moved on a minute, it does. So freezing the clock does hold the windows still."""
    limiter = strategy(MemoryStorage())
    rate = parse("2 per minute")
    assert [limiter.hit(rate, "k") for _ in range(3)] == [True, True, False]
    frozen_clock.shift(59)
    assert not limiter.hit(rate, "k")
    frozen_clock.shift(2)
    assert limiter.hit(rate, "k")


def test_the_login_window_follows_the_frozen_clock_in_memory_and_not_in_redis(
    app, connection, user, frozen_clock
):
    """The app's limiter uses the fixed window (first request + its length). With memory storage
    a minute on the frozen clock ends it. Redis counts the window's TTL by its own clock (and
    ``frozen_clock`` lengthens the login windows to a day there), so there it holds."""
    assert app.config.get("RATELIMIT_STRATEGY", "fixed-window") == "fixed-window"
    client = app.test_client()
    statuses = [login(client, user.email, f"wrong-{i}").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]
    frozen_clock.shift(61)
    assert login(client, user.email, "wrong").status_code == (
        429 if redis_rate_limits(app) else 400
    )


def _attempt_from(app, address: str, email: str, password: str) -> int:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return login(client, email, password).status_code


@pytest.fixture
def small_login_limits(app, monkeypatch):
    """2 attempts per account and address, 5 per account: the policy of the defaults (5 and
    30 a minute) with few password hashes. Per day, so that no window ends mid-test in Redis
    either (see ``frozen_clock``)."""
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT_IP", "2/day")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_ACCOUNT", "5/day")


def test_a_stranger_spending_the_limit_does_not_lock_the_owner_out_of_their_address(
    app, connection, user, frozen_clock, small_login_limits
):
    stranger = [_attempt_from(app, "198.51.100.7", user.email, f"wrong-{i}") for i in range(10)]
    assert stranger == [400] * 2 + [429] * 8
    # The stranger's refused attempts did not reach the account's ceiling (5): only the two
    # the address was allowed count there, so the owner signs in from their own address.
    assert _attempt_from(app, "10.0.0.1", user.email, PASSWORD) == 302


def test_the_account_ceiling_holds_across_addresses(
    app, session, user, frozen_clock, small_login_limits
):
    statuses = [
        _attempt_from(app, f"10.0.0.{address}", user.email, f"wrong-{address}-{attempt}")
        for address in (1, 2, 3)
        for attempt in (1, 2)
    ]
    assert statuses == [400] * 5 + [429]
    # While the ceiling holds, every address is refused, even with the right password.
    assert _attempt_from(app, "10.0.0.4", user.email, PASSWORD) == 429
    # Another account is not affected.
    other = make_user(session)
    session.commit()
    assert _attempt_from(app, "10.0.0.4", other.email, PASSWORD) == 302


def test_ip_limit_uses_the_forwarded_address_only_behind_a_trusted_proxy(
    app, connection, frozen_clock
):
    behind = sibling_app(app, PROXY_FIX_HOPS=1)
    try:
        client = behind.test_client()
        statuses = []
        for i in range(25):
            client.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{i + 1}"
            statuses.append(login(client, f"nobody{i}@example.com", "x").status_code)
        assert 429 not in statuses  # 25 different clients behind the proxy
        direct = app.test_client()
        statuses = []
        for i in range(21):
            direct.environ_base["HTTP_X_FORWARDED_FOR"] = f"203.0.113.{i + 1}"
            statuses.append(login(direct, f"nobody{i}@example.com", "x").status_code)
        assert statuses[-1] == 429  # the header is not believed without a proxy
    finally:
        behind.extensions["timetracker.engine"].dispose()


def test_rate_limits_are_shared_in_redis_or_else_in_the_database(monkeypatch):
    """Never per process unless asked for: memory storage would multiply every limit by the
    number of workers."""
    monkeypatch.delenv("TIMETRACKER_RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    assert load_config({"TESTING": True})["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    monkeypatch.delenv("REDIS_URL")
    config = load_config({"TESTING": True})
    assert config["RATELIMIT_STORAGE_URI"] == "timetracker-db://"
    # The database storage serves the fixed window only.
    assert config["RATELIMIT_STRATEGY"] == "fixed-window"
    monkeypatch.setenv("TIMETRACKER_RATELIMIT_STORAGE_URI", "memory://")
    assert load_config({"TESTING": True})["RATELIMIT_STORAGE_URI"] == "memory://"


def test_login_limits_come_from_the_environment_and_are_checked(monkeypatch):
    config = load_config({"TESTING": True})
    assert (
        config["LOGIN_RATE_LIMIT_ACCOUNT_IP"],
        config["LOGIN_RATE_LIMIT_ACCOUNT"],
        config["LOGIN_RATE_LIMIT_IP"],
    ) == ("5 per minute", "30 per minute", "20 per minute")
    monkeypatch.setenv("TIMETRACKER_LOGIN_LIMIT_ACCOUNT_IP", "3/minute")
    assert load_config({"TESTING": True})["LOGIN_RATE_LIMIT_ACCOUNT_IP"] == "3/minute"
    monkeypatch.setenv("TIMETRACKER_LOGIN_LIMIT_ACCOUNT", "often")
    with pytest.raises(ConfigError, match="TIMETRACKER_LOGIN_LIMIT_ACCOUNT must be a rate"):
        load_config({"TESTING": True})


# Body size ------------------------------------------------------------------------------------


def test_a_request_body_over_the_limit_is_refused_with_413_and_writes_nothing(
    app, client, session, user
):
    login(client, user.email)
    before = snapshot(session)
    limit = app.config["MAX_CONTENT_LENGTH"]
    token = csrf_token(client, "/account")
    response = client.post(
        "/account",
        data={"csrf_token": token, "pw-current_password": "x" * (limit + 1), "pw-submit": "1"},
    )
    assert response.status_code == 413
    assert "Request too large" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert snapshot(session) == before


def test_body_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TIMETRACKER_MAX_CONTENT_LENGTH", "2048")
    assert load_config({"TESTING": True})["MAX_CONTENT_LENGTH"] == 2048


# SECRET_KEY -----------------------------------------------------------------------------------


def test_missing_secret_key_in_production_is_a_start_up_error(monkeypatch):
    for name in ("SECRET_KEY", "TIMETRACKER_DEBUG", "TIMETRACKER_DEV"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "")
    with pytest.raises(ConfigError):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-value-0123456789")
    assert load_config()["SECRET_KEY"] == "a-long-random-production-value-0123456789"


def test_development_without_secret_key_gets_a_random_one(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("TIMETRACKER_DEV", "1")
    first, second = load_config()["SECRET_KEY"], load_config()["SECRET_KEY"]
    assert len(first) >= 32 and first != second


# NUL characters -------------------------------------------------------------------------------


def test_nul_characters_are_refused_with_400_before_reaching_the_database(client, user):
    """PostgreSQL cannot store NUL in text; no field accepts one on either database."""
    token = csrf_token(client)
    response = client.post(
        "/login", data={"email": "a\x00@example.com", "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    login(client, user.email)
    assert client.get("/invoices?q=%00").status_code == 400
    assert client.get("/invoices?%00=1").status_code == 400
