"""Two-factor sign-in: set-up on the account page, codes (window edges, reuse), the second step
at login (nothing opens before it; it expires; recovery codes work once; rate limits), turning
it off and new recovery codes, the firm's requirement, and an administrator's reset."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from tests.conftest import CSRF_RE, csrf_token, login, post
from tests.factories import PASSWORD, make_admin, make_client, make_portal_user, make_user
from tests.smtp import SmtpServer
from timetracker.audit import Kind
from timetracker.auth import second_factor, signin
from timetracker.auth.twofactor import WRONG_CODE, WRONG_SETUP_CODE
from timetracker.models import AuditEvent, RecoveryCode, Settings, User, UserSession

SECRET_RE = re.compile(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<')
CODES_RE = re.compile(r"<li class=\"col\">([0-9a-z]{5}-[0-9a-z]{5})</li>")


# Helpers --------------------------------------------------------------------------------------


def enrol(session: Session, user: User) -> tuple[str, list[str]]:
    """Turn two-factor sign-in on for ``user`` directly; returns the secret and recovery codes."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = dt.datetime.now(dt.UTC)
    user.totp_last_step = None
    codes = second_factor.new_recovery_codes(session, user)
    session.commit()
    return user.totp_secret, codes


def code_at(secret: str, when: dt.datetime | None = None) -> str:
    return pyotp.TOTP(secret).at(when or dt.datetime.now(dt.UTC))


def send_code(client: FlaskClient, code: str) -> Any:
    token = csrf_token(client, "/login/two-factor")
    return client.post("/login/two-factor", data={"code": code, "csrf_token": token})


def events(session: Session, kind: Kind) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id))
    )


@pytest.fixture
def written() -> Iterator[list[AuditEvent]]:
    """Every audit event inserted while the test runs, in whichever transaction. A wrong code's
    event is written in a transaction of its own (``audit.record_now``), which in production
    outlives the request's rollback; in the tests every transaction is a savepoint of the
    test's one connection, so the 400's rollback takes the row away again and only its insert
    shows that it was written."""
    rows: list[AuditEvent] = []

    def collect(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
        rows.append(target)

    event.listen(AuditEvent, "after_insert", collect)
    yield rows
    event.remove(AuditEvent, "after_insert", collect)


def failures(written: list[AuditEvent]) -> list[AuditEvent]:
    return [e for e in written if e.kind == Kind.TWO_FACTOR_FAILED]


def session_rows(session: Session, user: User) -> int:
    count = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    return int(session.scalar(count) or 0)


def require(session: Session, who: str) -> None:
    settings = session.get(Settings, 1)
    if settings is None:
        settings = Settings(id=1)
        session.add(settings)
    settings.require_two_factor = who
    session.commit()


def start_setup(client: FlaskClient) -> str:
    """Start set-up as the account page's button does; returns the set-up page."""
    response = post(client, "/account/two-factor/start", token_from="/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"
    return client.get("/account/two-factor").get_data(as_text=True)


def shown_secret(html: str) -> str:
    match = SECRET_RE.search(html)
    assert match, "no secret on the set-up page"
    return match.group(1).replace(" ", "")


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


@pytest.fixture
def signed_in(client: FlaskClient, user: User) -> FlaskClient:
    assert login(client, user.email).status_code == 302
    return client


# Set-up ---------------------------------------------------------------------------------------


def test_setup_shows_a_qr_code_and_the_secret_and_starts_afresh_each_time(signed_in, session, user):
    # Opening the page starts nothing (a GET writes nothing): it offers to start.
    offer = signed_in.get("/account/two-factor").get_data(as_text=True)
    assert "Start set-up" in offer and "two-factor-secret" not in offer
    session.expire_all()
    assert user.totp_secret is None
    html = start_setup(signed_in)
    assert 'src="data:image/svg+xml' in html  # the QR code, an image the CSP allows
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    secret = shown_secret(html)
    session.expire_all()
    assert user.totp_secret == secret and user.totp_enabled_at is None
    assert not user.has_two_factor
    # Reloading shows the same key; starting again makes a new one.
    assert shown_secret(signed_in.get("/account/two-factor").get_data(as_text=True)) == secret
    again = shown_secret(start_setup(signed_in))
    assert again != secret
    session.expire_all()
    assert user.totp_secret == again


def test_a_wrong_code_is_refused_audited_and_leaves_it_off(signed_in, session, user, written):
    secret = shown_secret(start_setup(signed_in))
    wrong = f"{(int(code_at(secret)) + 1) % 1_000_000:06d}"
    response = post(signed_in, "/account/two-factor", {"code": wrong}, "/account")
    assert response.status_code == 400
    assert WRONG_SETUP_CODE in response.get_data(as_text=True)
    # The page keeps the same secret, so the person can try again with the app they scanned.
    assert shown_secret(response.get_data(as_text=True)) == secret
    session.expire_all()
    assert not user.has_two_factor and user.totp_secret == secret
    assert session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    [failure] = failures(written)
    assert failure.subject_id == user.id and failure.detail == "setting up two-factor sign-in"


def test_a_correct_code_turns_it_on_and_shows_ten_codes_once(signed_in, session, user, outbox):
    secret = shown_secret(start_setup(signed_in))
    response = post(signed_in, "/account/two-factor", {"code": code_at(secret)}, "/account")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    codes = CODES_RE.findall(html)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "shown only this once" in html
    session.expire_all()
    assert user.has_two_factor and user.totp_secret == secret
    stored = set(session.scalars(select(RecoveryCode.code_hash)))
    # Only hashes are stored: of each code as typed without its hyphen.
    assert stored == {hashlib.sha256(c.replace("-", "").encode()).hexdigest() for c in codes}
    [enrolled] = events(session, Kind.TWO_FACTOR_ENROLLED)
    assert enrolled.actor_id == user.id
    [message] = outbox.messages
    assert message["To"].addresses[0].addr_spec == user.email
    assert "Two-factor sign-in changed" in message["Subject"]
    assert "turned on" in message.get_body(("plain",)).get_content()
    # The account page says it is on, and shows no code again.
    account = signed_in.get("/account").get_data(as_text=True)
    assert 'data-testid="two-factor-status">On<' in account
    assert not any(code in account for code in codes)
    # Set-up cannot start again while it is on: the secret stays.
    assert signed_in.get("/account/two-factor").status_code == 302
    assert post(signed_in, "/account/two-factor/start").status_code == 302
    session.expire_all()
    assert user.totp_secret == secret


def test_a_code_is_never_accepted_twice(signed_in, session, user, frozen_clock):
    secret = shown_secret(start_setup(signed_in))
    code = code_at(secret)
    assert post(signed_in, "/account/two-factor", {"code": code}).status_code == 200
    post(signed_in, "/logout", token_from="/logout")
    assert login(signed_in, user.email).headers["Location"] == "/login/two-factor"
    # The code that turned it on does not sign in, even within its 30 seconds.
    response = send_code(signed_in, code)
    assert response.status_code == 400
    assert WRONG_CODE in response.get_data(as_text=True)
    # The next step's code does, once.
    frozen_clock.shift(30)
    following = code_at(secret)
    assert send_code(signed_in, following).status_code == 302
    assert signed_in.get("/account").status_code == 200


def test_posting_a_code_without_starting_setup_leads_to_the_start(signed_in, session, user):
    response = post(signed_in, "/account/two-factor", {"code": "123456"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"
    session.expire_all()
    assert not user.has_two_factor


# Codes: the window and reuse --------------------------------------------------------------------

STEP_START = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)  # a multiple of 30 seconds


@pytest.mark.parametrize(
    ("steps_away", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)]
)
@pytest.mark.parametrize("seconds_into_step", [0, 29.9])
def test_codes_of_the_step_before_and_after_are_accepted_and_no_further(
    ctx, steps_away, accepted, seconds_into_step
):
    person = make_user(ctx)
    secret, _codes = enrol(ctx, person)
    now = STEP_START + dt.timedelta(seconds=seconds_into_step)
    code = code_at(secret, STEP_START + dt.timedelta(seconds=30 * steps_away))
    with time_machine.travel(now, tick=False):
        assert second_factor.accept_app_code(ctx, person, code) is accepted


def test_an_accepted_code_and_older_ones_are_refused_afterwards(ctx):
    person = make_user(ctx)
    secret, _codes = enrol(ctx, person)
    with time_machine.travel(STEP_START, tick=False):
        current, previous = code_at(secret), code_at(secret, STEP_START - dt.timedelta(seconds=30))
        assert second_factor.accept_app_code(ctx, person, current)
        assert not second_factor.accept_app_code(ctx, person, current)
        assert not second_factor.accept_app_code(ctx, person, previous)  # older than the last
        assert person.totp_last_step == int(STEP_START.timestamp()) // 30
    with time_machine.travel(STEP_START + dt.timedelta(seconds=30), tick=False):
        assert second_factor.accept_app_code(ctx, person, code_at(secret))


@pytest.mark.parametrize("typed", ["12345", "1234567", "12a456", "", "١٢٣٤٥٦"])
def test_what_is_not_six_ascii_digits_is_no_app_code(ctx, typed):
    person = make_user(ctx)
    enrol(ctx, person)
    assert not second_factor.accept_app_code(ctx, person, typed)


# The second step at login -----------------------------------------------------------------------


def test_the_password_alone_signs_nobody_in(app, client, session, user):
    enrol(session, user)
    response = login(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/two-factor"
    for path in ("/dashboard", "/account", "/time", "/account/two-factor", "/admin/users"):
        answer = client.get(path)
        assert answer.status_code == 302, path
        assert answer.headers["Location"].startswith("/login"), path
    assert session_rows(session, user) == 0
    assert events(session, Kind.SIGN_IN) == []
    assert client.get("/login/two-factor").status_code == 200


def test_a_correct_code_signs_in_like_the_password_does(client, session, user):
    secret, _codes = enrol(session, user)
    token = csrf_token(client)
    response = client.post(
        "/login?next=/time",
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    assert response.headers["Location"] == "/login/two-factor"
    assert client.get_cookie("remember_token") is None
    response = send_code(client, code_at(secret))
    assert response.status_code == 302
    assert response.headers["Location"] == "/time"
    assert client.get("/time").status_code == 200
    assert client.get_cookie("remember_token") is not None  # "keep me signed in" carried over
    assert session_rows(session, user) == 1
    [signed] = events(session, Kind.SIGN_IN)
    assert (signed.actor_id, signed.detail) == (user.id, "with two-factor code")
    session.expire_all()
    assert user.last_login_at is not None


def test_a_wrong_code_is_400_audited_and_signs_nobody_in(client, session, user, written):
    secret, _codes = enrol(session, user)
    login(client, user.email)
    wrong = f"{(int(code_at(secret)) + 5) % 1_000_000:06d}"
    response = send_code(client, wrong)
    assert response.status_code == 400
    assert WRONG_CODE in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    assert session_rows(session, user) == 0
    [failure] = failures(written)
    assert (failure.subject_id, failure.detail) == (user.id, "at sign-in")
    assert failure.actor_id is None  # nobody is signed in
    assert events(session, Kind.SIGN_IN) == []


def test_the_pending_step_expires_after_five_minutes(client, session, user, frozen_clock):
    secret, _codes = enrol(session, user)
    login(client, user.email)
    token = csrf_token(client, "/login/two-factor")
    frozen_clock.shift(signin.PENDING_LIFETIME.total_seconds() + 1)
    response = client.post("/login/two-factor", data={"code": code_at(secret), "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "not finished within five minutes" in client.get("/login").get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    assert session_rows(session, user) == 0
    # The step is gone: asking again leads to the login form.
    assert client.get("/login/two-factor").headers["Location"] == "/login"


def test_the_pending_step_still_works_just_before_five_minutes(client, session, user, frozen_clock):
    secret, _codes = enrol(session, user)
    login(client, user.email)
    token = csrf_token(client, "/login/two-factor")
    frozen_clock.shift(signin.PENDING_LIFETIME.total_seconds() - 1)
    response = client.post("/login/two-factor", data={"code": code_at(secret), "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_a_password_change_meanwhile_ends_the_pending_step(client, session, user):
    secret, _codes = enrol(session, user)
    login(client, user.email)
    token = csrf_token(client, "/login/two-factor")
    user.session_version += 1  # what a password change or reset does
    session.commit()
    response = client.post("/login/two-factor", data={"code": code_at(secret), "csrf_token": token})
    assert response.headers["Location"] == "/login"
    assert session_rows(session, user) == 0


def test_without_a_pending_step_the_page_leads_to_the_login_form(client):
    assert client.get("/login/two-factor").headers["Location"] == "/login"
    token = csrf_token(client)
    response = client.post("/login/two-factor", data={"code": "123456", "csrf_token": token})
    assert response.headers["Location"] == "/login"


def test_a_recovery_code_signs_in_once(client, session, user):
    _secret, codes = enrol(session, user)
    login(client, user.email)
    # Typed in capitals and without the hyphen, it still counts.
    response = send_code(client, codes[3].replace("-", "").upper())
    assert response.status_code == 302
    dashboard = client.get("/dashboard")
    assert dashboard.status_code == 200
    assert "recovery code; 9 left" in dashboard.get_data(as_text=True)
    [signed] = events(session, Kind.SIGN_IN)
    assert signed.detail == "with recovery code"
    [used] = events(session, Kind.RECOVERY_CODE_USED)
    assert (used.actor_id, used.detail) == (user.id, "9 recovery codes left")
    assert second_factor.remaining_recovery_codes(session, user) == 9
    post(client, "/logout", token_from="/logout")
    login(client, user.email)
    again = send_code(client, codes[3])
    assert again.status_code == 400
    assert client.get("/dashboard").status_code == 302
    # Another one still works.
    assert send_code(client, codes[4]).status_code == 302


def test_the_second_step_is_rate_limited_per_account(client, session, user, frozen_clock):
    secret, _codes = enrol(session, user)
    login(client, user.email)
    wrong = f"{(int(code_at(secret)) + 7) % 1_000_000:06d}"
    for _ in range(5):
        assert send_code(client, wrong).status_code == 400
    # Even the right code is refused now: a guesser cannot go on.
    assert send_code(client, code_at(secret)).status_code == 429
    assert session_rows(session, user) == 0


def test_the_second_step_is_rate_limited_per_address(app, session, frozen_clock):
    people = [make_user(session) for _ in range(5)]
    for person in people:
        enrol(session, person)
    refused = 0
    for person in people:
        browser = app.test_client()
        login(browser, person.email)
        for _ in range(4):  # below each account's own limit
            status = send_code(browser, "abcde-fghjk").status_code
            refused += status == 429
    assert refused == 0  # 20 attempts from one address are allowed...
    last = app.test_client()
    extra = make_user(session)
    enrol(session, extra)
    login(last, extra.email)
    assert send_code(last, "abcde-fghjk").status_code == 429  # ...the 21st is not


# Turning it off, new recovery codes -------------------------------------------------------------


def test_turning_it_off_needs_the_password_and_a_code(signed_in, session, user, outbox, written):
    secret, _codes = enrol(session, user)
    page = "/account/two-factor/disable"
    assert signed_in.get(page).status_code == 200
    wrong_password = post(
        signed_in, page, {"current_password": "nope", "code": code_at(secret)}, page
    )
    assert wrong_password.status_code == 400
    assert "current password is not correct" in wrong_password.get_data(as_text=True)
    wrong_code = post(signed_in, page, {"current_password": PASSWORD, "code": "000001"}, page)
    assert wrong_code.status_code == 400
    session.expire_all()
    assert user.has_two_factor
    assert [e.detail for e in failures(written)] == ["turning two-factor sign-in off"]
    done = post(signed_in, page, {"current_password": PASSWORD, "code": code_at(secret)}, page)
    assert done.status_code == 302
    session.expire_all()
    assert not user.has_two_factor
    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_step) == (None, None, None)
    assert session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    [removed] = events(session, Kind.TWO_FACTOR_REMOVED)
    assert removed.actor_id == user.id
    [message] = outbox.messages
    assert "turned off" in message.get_body(("plain",)).get_content()
    # The next sign-in takes the password alone.
    post(signed_in, "/logout", token_from="/logout")
    assert login(signed_in, user.email).headers["Location"] == "/dashboard"


def test_it_cannot_be_turned_off_when_the_firm_requires_it(signed_in, session, user):
    secret, _codes = enrol(session, user)
    require(session, "staff")
    page = "/account/two-factor/disable"
    assert "cannot be turned off" in signed_in.get(page).get_data(as_text=True)
    response = post(
        signed_in, page, {"current_password": PASSWORD, "code": code_at(secret)}, "/account"
    )
    assert response.status_code == 400
    session.expire_all()
    assert user.has_two_factor
    assert "Turn off" not in signed_in.get("/account").get_data(as_text=True)


def test_new_recovery_codes_replace_the_old_ones(signed_in, session, user, outbox):
    secret, old = enrol(session, user)
    page = "/account/two-factor/recovery-codes"
    assert post(signed_in, page, {"code": "999999"}, page).status_code == 400
    response = post(signed_in, page, {"code": code_at(secret)}, page)
    assert response.status_code == 200
    new = CODES_RE.findall(response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert not second_factor.accept_recovery_code(session, user, old[0])
    assert second_factor.accept_recovery_code(session, user, new[0])
    [message] = outbox.messages
    assert "no longer work" in message.get_body(("plain",)).get_content()


def test_pages_for_turning_it_off_lead_back_when_it_is_off(signed_in):
    for page in ("/account/two-factor/disable", "/account/two-factor/recovery-codes"):
        assert signed_in.get(page).headers["Location"] == "/account"
        assert post(signed_in, page, {"code": "123456"}).headers["Location"] == "/account"


# Required by the firm -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("none", {"admin": False, "staff": False, "contact": False}),
        ("staff", {"admin": True, "staff": True, "contact": False}),
        ("clients", {"admin": False, "staff": False, "contact": True}),
        ("all", {"admin": True, "staff": True, "contact": True}),
    ],
)
def test_who_must_use_it(ctx, rule, expected):
    people = {
        "admin": make_admin(ctx),
        "staff": make_user(ctx),
        "contact": make_portal_user(ctx, make_client(ctx)),
    }
    require(ctx, rule)
    ctx.expire_all()
    assert {name: second_factor.required_for(p) for name, p in people.items()} == expected


@pytest.mark.parametrize(
    ("rule", "role", "confined"),
    [
        ("staff", "staff", True),
        ("staff", "admin", True),
        ("staff", "contact", False),
        ("clients", "contact", True),
        ("clients", "staff", False),
        ("all", "contact", True),
        ("all", "admin", True),
        ("none", "admin", False),
    ],
)
def test_people_who_must_use_it_are_confined_to_the_setup_until_they_do(
    client, session, rule, role, confined
):
    person = {
        "staff": lambda: make_user(session),
        "admin": lambda: make_admin(session),
        "contact": lambda: make_portal_user(session, make_client(session)),
    }[role]()
    require(session, rule)
    home = "/client-portal" if role == "contact" else "/dashboard"
    response = login(client, person.email)
    assert response.status_code == 302
    if not confined:
        assert response.headers["Location"] == home
        assert client.get(home).status_code == 200
        return
    # Signed in (the password was right), but every page leads to the set-up.
    assert response.headers["Location"] == "/account/two-factor"
    assert session_rows(session, person) == 1
    for path in (home, "/account", "/", "/time", "/client-portal/invoices", "/admin/users"):
        answer = client.get(path)
        assert (answer.status_code, answer.headers.get("Location")) == (
            302,
            "/account/two-factor",
        ), path
    setup = client.get("/account/two-factor")
    assert setup.status_code == 200
    assert "requires two-factor sign-in" in setup.get_data(as_text=True)
    with client.get("/static/css/app.css") as stylesheet:
        assert stylesheet.status_code == 200
    assert client.get("/logout").status_code == 200
    # Once set up, everything opens again.
    token = CSRF_RE.search(setup.get_data(as_text=True)).group(1)
    started = client.post("/account/two-factor/start", data={"csrf_token": token})
    assert started.headers["Location"] == "/account/two-factor"
    code = code_at(shown_secret(client.get("/account/two-factor").get_data(as_text=True)))
    done = client.post("/account/two-factor", data={"code": code, "csrf_token": token})
    assert done.status_code == 200
    assert client.get(home).status_code == 200


def test_a_requirement_set_while_signed_in_confines_at_the_next_page(signed_in, session):
    assert signed_in.get("/dashboard").status_code == 200
    require(session, "all")
    assert signed_in.get("/dashboard").headers["Location"] == "/account/two-factor"


# The administrator --------------------------------------------------------------------------------


@pytest.fixture
def admin_browser(app: Flask, session: Session) -> tuple[FlaskClient, User]:
    admin = make_admin(session)
    session.commit()
    browser = app.test_client()
    assert login(browser, admin.email).status_code == 302
    return browser, admin


def test_the_user_page_shows_sign_in_security(admin_browser, session, user, app):
    browser, _admin = admin_browser
    other = app.test_client()
    login(other, user.email)
    page = browser.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'data-testid="user-two-factor">Off' in page
    assert 'data-testid="user-sessions">1<' in page
    assert "Reset two-factor sign-in" not in page  # nothing to reset
    enrol(session, user)
    page = browser.get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert 'data-testid="user-two-factor">On' in page
    assert "Reset two-factor sign-in" in page and "Sign out everywhere" in page


def test_an_admin_resets_a_persons_second_factor(app, admin_browser, session, user, outbox):
    browser, admin = admin_browser
    enrol(session, user)
    url = f"/admin/users/{user.id}/reset-two-factor"
    response = post(browser, url, token_from=f"/admin/users/{user.id}/edit")
    assert response.status_code == 302
    session.expire_all()
    assert (user.totp_secret, user.totp_enabled_at, user.totp_last_step) == (None, None, None)
    assert session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    [reset] = events(session, Kind.TWO_FACTOR_RESET)
    assert (reset.actor_id, reset.subject_id) == (admin.id, user.id)
    [message] = outbox.messages
    assert message["To"].addresses[0].addr_spec == user.email
    assert f"{admin.name} reset two-factor sign-in" in message.get_body(("plain",)).get_content()
    # The person signs in with the password alone again.
    assert login(app.test_client(), user.email).headers["Location"] == "/dashboard"


def test_an_admin_cannot_reset_their_own_second_factor_here(admin_browser, session):
    browser, admin = admin_browser
    enrol(session, admin)
    response = post(browser, f"/admin/users/{admin.id}/reset-two-factor", token_from="/account")
    assert response.status_code == 400
    assert "account page" in response.get_data(as_text=True)
    session.expire_all()
    assert admin.has_two_factor
    assert events(session, Kind.TWO_FACTOR_RESET) == []


def test_an_admin_signs_a_person_out_everywhere(app, admin_browser, session, user):
    browser, admin = admin_browser
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    token = csrf_token(phone)
    phone.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    copied = laptop.get_cookie("session").value
    remembered = phone.get_cookie("remember_token").value
    response = post(browser, f"/admin/users/{user.id}/end-sessions", token_from="/account")
    assert response.status_code == 302
    for person in (laptop, phone):
        assert person.get("/dashboard").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/dashboard").status_code == 302
    keeper = app.test_client()
    keeper.set_cookie("remember_token", remembered)
    assert keeper.get("/dashboard").status_code == 302
    assert session_rows(session, user) == 0
    [ended] = events(session, Kind.SESSIONS_ENDED)
    assert (ended.actor_id, ended.subject_id) == (admin.id, user.id)
    assert browser.get("/admin/users").status_code == 200  # the admin stays signed in


def test_an_admin_cannot_sign_themselves_out_everywhere_here(admin_browser, session):
    browser, admin = admin_browser
    response = post(browser, f"/admin/users/{admin.id}/end-sessions", token_from="/account")
    assert response.status_code == 400
    assert "Sign out all other sessions" in response.get_data(as_text=True)
    assert browser.get("/admin/users").status_code == 200
    assert events(session, Kind.SESSIONS_ENDED) == []


def test_only_admins_reset_or_end_sessions(app, signed_in, session, user):
    other = make_user(session)
    enrol(session, other)
    for url in (
        f"/admin/users/{other.id}/reset-two-factor",
        f"/admin/users/{other.id}/end-sessions",
    ):
        assert post(signed_in, url).status_code == 403
    session.expire_all()
    assert other.has_two_factor


def test_a_missing_user_is_404(admin_browser):
    browser, _admin = admin_browser
    for url in ("/admin/users/987654/reset-two-factor", "/admin/users/987654/end-sessions"):
        assert post(browser, url).status_code == 404


def test_csrf_is_required(signed_in, session, user):
    for path in ("/account/two-factor/start", "/account/two-factor"):
        assert signed_in.post(path, data={"code": "123456"}).status_code == 400
    session.expire_all()
    assert user.totp_secret is None
