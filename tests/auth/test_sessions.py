"""Sessions on the account page: what each records (address, browser, last seen), the list
with "this browser" marked, signing out one other session or all others, and the throttled
refresh of "last seen" on the request path."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, login, post
from tests.factories import PASSWORD, make_user
from timetracker.audit import Kind
from timetracker.auth import browsers, sessions
from timetracker.models import AuditEvent, User, UserSession

CHROME_LINUX = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def browser(app: Flask, agent: str, address: str = "127.0.0.1") -> FlaskClient:
    client = app.test_client()
    client.environ_base.update(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    return client


def rows(session: Session, user: User) -> list[UserSession]:
    session.expire_all()
    return list(
        session.scalars(
            select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
        )
    )


def events(session: Session, kind: Kind) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.kind == kind)))


@pytest.fixture
def user(session: Session) -> User:
    person = make_user(session)
    session.commit()
    return person


# The browser's description --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "described"),
    [
        (CHROME_LINUX, "Chrome on Linux"),
        (FIREFOX_WINDOWS, "Firefox on Windows"),
        (SAFARI_IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.4 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1",
            "Chrome on iPad",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/124.0.0.0 Safari/537.36 OPR/109.0.0.0",
            "Opera on Linux",
        ),
        ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) Chrome/124.0.0.0", "Chrome on ChromeOS"),
        ("curl/8.5.0", "curl"),
        ("Mozilla/5.0 (Windows NT 10.0) SomethingNew/1.0", "A browser on Windows"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_a_browser_is_described_for_people(agent, described):
    assert browsers.describe(agent) == described


# What a session records -----------------------------------------------------------------------


def test_a_session_records_where_and_when_it_started(app, session, user, frozen_clock):
    laptop = browser(app, CHROME_LINUX, "203.0.113.7")
    assert login(laptop, user.email).status_code == 302
    [row] = rows(session, user)
    assert row.ip_address == "203.0.113.7"
    assert row.user_agent == CHROME_LINUX
    now = dt.datetime.now(dt.UTC)
    assert row.created_at == now and row.last_seen_at == now


def test_the_account_page_lists_the_persons_sessions_and_marks_this_browser(app, session, user):
    laptop = browser(app, CHROME_LINUX, "203.0.113.7")
    phone = browser(app, SAFARI_IPHONE, "198.51.100.4")
    login(laptop, user.email)
    login(phone, user.email)
    stranger = make_user(session)
    session.commit()
    login(browser(app, FIREFOX_WINDOWS, "192.0.2.99"), stranger.email)
    html = laptop.get("/account").get_data(as_text=True)
    table = html.split('data-testid="sessions"')[1].split("</table>")[0]
    assert "Chrome on Linux" in table and "203.0.113.7" in table
    assert "Safari on iPhone" in table and "198.51.100.4" in table
    assert "Firefox on Windows" not in table and "192.0.2.99" not in table  # not theirs
    this = table.split('data-testid="this-browser"')[1].split("</tr>")[0]
    assert "Chrome on Linux" in this and "This browser" in this
    assert "Sign out" not in this  # this browser signs out with Log out
    mine, other = rows(session, user)
    assert f"/account/sessions/{other.id}/end" in table
    assert f"/account/sessions/{mine.id}/end" not in table
    assert "Sign out all other sessions" in html


# Signing out other sessions -------------------------------------------------------------------


def test_signing_out_one_other_session(app, session, user):
    laptop = browser(app, CHROME_LINUX)
    phone = browser(app, SAFARI_IPHONE)
    tablet = browser(app, FIREFOX_WINDOWS)
    for each in (laptop, phone, tablet):
        login(each, user.email)
    _mine, phones, tablets = rows(session, user)
    response = post(laptop, f"/account/sessions/{phones.id}/end")
    assert response.status_code == 302
    assert phone.get("/dashboard").status_code == 302  # signed out
    assert tablet.get("/dashboard").status_code == 200  # untouched
    assert laptop.get("/dashboard").status_code == 200
    assert [r.id for r in rows(session, user)] == [_mine.id, tablets.id]
    [ended] = events(session, Kind.SESSION_ENDED)
    assert (ended.actor_id, ended.detail) == (user.id, "Safari on iPhone")


def test_this_browsers_own_session_is_not_ended_there(app, session, user):
    laptop = browser(app, CHROME_LINUX)
    login(laptop, user.email)
    [mine] = rows(session, user)
    response = post(laptop, f"/account/sessions/{mine.id}/end")
    assert response.status_code == 400
    assert "Log out" in response.get_data(as_text=True)
    assert laptop.get("/dashboard").status_code == 200


def test_another_persons_session_is_as_missing_as_no_session(app, session, user, frozen_clock):
    stranger = make_user(session)
    session.commit()
    login(browser(app, FIREFOX_WINDOWS), stranger.email)
    [theirs] = rows(session, stranger)
    laptop = browser(app, CHROME_LINUX)
    login(laptop, user.email)
    token = csrf_token(laptop, "/account")
    foreign = laptop.post(f"/account/sessions/{theirs.id}/end", data={"csrf_token": token})
    missing = laptop.post("/account/sessions/987654321/end", data={"csrf_token": token})
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_data() == missing.get_data()
    assert len(rows(session, stranger)) == 1
    assert events(session, Kind.SESSION_ENDED) == []


def test_signing_out_all_other_sessions(app, session, user):
    laptop = browser(app, CHROME_LINUX)
    phone = browser(app, SAFARI_IPHONE)
    token = csrf_token(phone)
    phone.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    remembered = phone.get_cookie("remember_token").value
    login(browser(app, FIREFOX_WINDOWS), user.email)
    login(laptop, user.email)
    stranger = make_user(session)
    session.commit()
    theirs = browser(app, CHROME_LINUX)
    login(theirs, stranger.email)
    response = post(laptop, "/account/sessions/end-others")
    assert response.status_code == 302
    assert laptop.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 302
    keeper = app.test_client()
    keeper.set_cookie("remember_token", remembered)  # "keep me signed in" ends too
    assert keeper.get("/dashboard").status_code == 302
    assert len(rows(session, user)) == 1
    assert theirs.get("/dashboard").status_code == 200  # other people are not touched
    [ended] = events(session, Kind.SESSIONS_ENDED)
    assert (ended.actor_id, ended.subject_id, ended.detail) == (user.id, None, "2 other sessions")
    # With nothing left to sign out, nothing is recorded.
    post(laptop, "/account/sessions/end-others")
    assert len(events(session, Kind.SESSIONS_ENDED)) == 1


def test_ending_sessions_needs_a_csrf_token(app, session, user):
    laptop = browser(app, CHROME_LINUX)
    phone = browser(app, SAFARI_IPHONE)
    login(laptop, user.email)
    login(phone, user.email)
    _mine, other = rows(session, user)
    assert laptop.post(f"/account/sessions/{other.id}/end").status_code == 400
    assert laptop.post("/account/sessions/end-others").status_code == 400
    assert phone.get("/dashboard").status_code == 200


# Last seen ------------------------------------------------------------------------------------


def _updates_of_sessions(statements: list[str]) -> list[str]:
    return [s for s in statements if re.match(r"\s*UPDATE user_sessions", s, re.I)]


def test_last_seen_is_refreshed_at_most_every_five_minutes(
    app, session, user, frozen_clock, count_queries
):
    laptop = browser(app, CHROME_LINUX)
    login(laptop, user.email)
    signed_in_at = rows(session, user)[0].last_seen_at

    def refreshes_after(delay: dt.timedelta) -> int:
        frozen_clock.shift(delay)
        count_queries.statements.clear()
        assert laptop.get("/dashboard").status_code == 200
        return len(_updates_of_sessions(count_queries.statements))

    assert refreshes_after(dt.timedelta(minutes=1)) == 0
    assert refreshes_after(dt.timedelta(minutes=3, seconds=59)) == 0  # 4:59 after signing in
    assert rows(session, user)[0].last_seen_at == signed_in_at
    assert refreshes_after(dt.timedelta(seconds=1)) == 1  # 5:00: one small UPDATE
    refreshed = rows(session, user)[0].last_seen_at
    assert refreshed == signed_in_at + dt.timedelta(minutes=5)
    assert refreshes_after(dt.timedelta(0)) == 0
    assert refreshes_after(dt.timedelta(minutes=4, seconds=59)) == 0
    assert refreshes_after(dt.timedelta(seconds=1)) == 1
    assert rows(session, user)[0].last_seen_at == refreshed + dt.timedelta(minutes=5)


def test_resolving_a_session_is_one_query_unless_last_seen_is_due(
    app, ctx, user, frozen_clock, count_queries
):
    login_id = sessions.start(ctx, user)
    ctx.commit()
    count_queries.statements.clear()
    assert sessions.resolve(ctx, login_id) == user
    assert count_queries.count == 1
    frozen_clock.shift(sessions.LAST_SEEN_EVERY)
    count_queries.statements.clear()
    assert sessions.resolve(ctx, login_id) == user
    assert count_queries.count == 2
    assert len(_updates_of_sessions(count_queries.statements)) == 1


def test_sessions_past_their_lifetime_are_neither_listed_nor_counted(app, ctx, user):
    sessions.start(ctx, user)
    lifetime = app.config["REMEMBER_COOKIE_DURATION"]
    expired = UserSession(
        user_id=user.id,
        key_hash="0" * 64,
        created_at=dt.datetime.now(dt.UTC) - lifetime - dt.timedelta(minutes=1),
    )
    ctx.add(expired)
    ctx.flush()
    listed = sessions.open_sessions(ctx, user)
    assert len(listed) == 1 and expired not in listed
    assert sessions.count_open(ctx, user) == 1
    every = select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)
    assert ctx.scalar(every) == 2
