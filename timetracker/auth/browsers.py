"""Browsers: a short description of a user agent for people to read ("Chrome on Linux"), and
the sign-in from a browser an account has not used before, which is emailed to its owner.

A browser is recognised by a random id in a long-lived cookie (``HttpOnly``, ``SameSite=Lax``,
``Secure`` over HTTPS). The id is not a credential: it only tells a browser seen before from a
new one. Only its SHA-256 is stored, once per account that signs in from the browser
(:class:`~timetracker.models.KnownBrowser`), so one browser shared by two people is known to
each of them separately, and the database alone does not tell which cookie belongs to whom.
An account's very first sign-in (no known browser yet, e.g. the first one after an invitation
or after this feature was installed) is recorded without an email: nothing would tell the
person anything they do not know.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from flask import Response, after_this_request, current_app, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from timetracker import firm
from timetracker.i18n import N_
from timetracker.models import KnownBrowser, User
from timetracker.notifications.accounts import AccountEmail, send_account_email

#: The cookie with the browser's random id.
COOKIE = "tt_browser"
#: Browsers cap a cookie's lifetime at 400 days; it is renewed at each sign-in.
COOKIE_MAX_AGE = dt.timedelta(days=400)
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{32,64}")

# (marker in the user agent, name); the first match wins, so the more specific come first:
# Edge and Opera announce Chrome too, Chrome announces Safari, Android announces Linux and
# iPhones announce "Mac OS X".
_BROWSERS = [
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("Opera", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Vivaldi/", "Vivaldi"),
    ("YaBrowser/", "Yandex Browser"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("HeadlessChrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Chrome/", "Chrome"),
    ("Version/", "Safari"),  # Safari says "Version/17.4 ... Safari/605"; others do not
    ("Trident/", "Internet Explorer"),
    ("MSIE ", "Internet Explorer"),
    ("curl/", "curl"),
    ("Wget/", "Wget"),
]
_SYSTEMS = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
    ("FreeBSD", "FreeBSD"),
]
UNKNOWN = N_("Unknown browser")


def _first(text: str, table: list[tuple[str, str]]) -> str | None:
    return next((name for marker, name in table if marker in text), None)


def describe(user_agent: str | None) -> str:
    """A short description of a browser for people: "Chrome on Linux", "Safari on iPhone", in
    the language being spoken."""
    text = user_agent or ""
    browser = _first(text, _BROWSERS)
    system = _first(text, _SYSTEMS)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if browser:
        return browser
    if system:
        return _("A browser on %(system)s", system=system)
    return _(UNKNOWN)


def _hash(browser_id: str) -> str:
    return hashlib.sha256(browser_id.encode()).hexdigest()


def _cookie_id() -> str | None:
    value = request.cookies.get(COOKIE, "")
    return value if _COOKIE_VALUE.fullmatch(value) else None


def _set_cookie(browser_id: str) -> None:
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure

    @after_this_request
    def remember_browser(response: Response) -> Response:
        response.set_cookie(
            COOKIE,
            browser_id,
            max_age=int(COOKIE_MAX_AGE.total_seconds()),
            path="/",
            secure=secure,
            httponly=True,
            samesite="Lax",
        )
        return response


def note_sign_in(session: Session, user: User) -> bool:
    """Record that ``user`` signed in from this request's browser, and email them when it is a
    browser their account has not used before (except on their very first sign-in). Returns
    whether the sign-in was from a new browser."""
    browser_id = _cookie_id() or secrets.token_urlsafe(32)
    digest = _hash(browser_id)
    now = firm.now()
    known = session.scalar(
        select(KnownBrowser).where(
            KnownBrowser.user_id == user.id, KnownBrowser.browser_hash == digest
        )
    )
    _set_cookie(browser_id)  # renewed at each sign-in, so a browser in use stays known
    if known is not None:
        known.last_seen_at = now
        known.sign_ins = (known.sign_ins or 0) + 1
        return False
    first_ever = (
        session.scalar(select(KnownBrowser.id).where(KnownBrowser.user_id == user.id).limit(1))
        is None
    )
    session.add(
        KnownBrowser(
            user_id=user.id, browser_hash=digest, first_seen_at=now, last_seen_at=now, sign_ins=1
        )
    )
    if not first_ever:
        when = firm.local(now)
        send_account_email(
            AccountEmail.NEW_SIGN_IN,
            user,
            when=f"{when:%Y-%m-%d %H:%M} ({firm.timezone().key})",
            # Described and worded in the person's language, when the email is composed.
            user_agent=request.user_agent.string or "",
            address=request.remote_addr or "",
        )
    return True
