"""The calendar feed: a person's secret ICS address, and the address itself.

/account/calendar          GET   calendar_settings  login   whether an address exists; create one
/account/calendar          POST  calendar_create    login   a new address (replaces the old one),
                                                            shown once
/account/calendar/revoke   POST  calendar_revoke    login   the address stops working
/calendar/<token>.ics      GET   calendar_feed      public  text/calendar; 404 for an unknown or
                                                            revoked token and for a person
                                                            without access

The feed is public by design (calendar programs cannot sign in): the token in its URL is the
only key, so it is long and random, kept only as its hash, and the feed is rate-limited.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from timetracker import db, i18n
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.extensions import limiter
from timetracker.feeds import calendar, ics, tokens
from timetracker.i18n import _l
from timetracker.models import User

bp = Blueprint("feeds", __name__)

#: Calendar programs poll every few minutes to hours; more than this per address is a script.
FEED_LIMIT = "30 per minute;600 per hour"
EXPIRED_FORM = _l("The form has expired or is incomplete. Reload the page and try again.")


class ButtonForm(FlaskForm):
    """Create or revoke: only the CSRF token."""


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _settings_page(feed_url: str | None = None) -> ResponseReturnValue:
    return render_template(
        "feeds/calendar.html", user=_user(), feed_url=feed_url, form=ButtonForm()
    )


def calendar_settings() -> ResponseReturnValue:
    return _settings_page()


def calendar_create() -> ResponseReturnValue:
    if not ButtonForm().validate_on_submit():
        abort(400, str(EXPIRED_FORM))
    token = tokens.create(db.session, _user())
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    path = url_for("feeds.calendar_feed", token=token)
    feed_url = base + path if base else url_for("feeds.calendar_feed", token=token, _external=True)
    return _settings_page(feed_url)


def calendar_revoke() -> ResponseReturnValue:
    if not ButtonForm().validate_on_submit():
        abort(400, str(EXPIRED_FORM))
    if tokens.revoke(db.session, _user()):
        flash(
            _("Your calendar address was revoked: calendars that use it get nothing more."),
            "success",
        )
    else:
        flash(_("You had no calendar address; nothing was changed."), "info")
    return redirect(url_for("feeds.calendar_settings"))


@limiter.limit(FEED_LIMIT, key_func=get_remote_address)
def calendar_feed(token: str) -> ResponseReturnValue:
    user = tokens.owner(db.session, token)
    if user is None:
        abort(404)
    # The feed is the person's, whatever language the calendar program asks for.
    with i18n.speaking(i18n.language_of(_with_client(user))):
        try:
            name, events = calendar.feed_for(db.session, user)
        except calendar.NoFeed:
            abort(404)
        body = ics.calendar(name, events, calendar.stamp())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="calendar.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _with_client(user: User) -> User:
    """``user`` with their client loaded (a contact's), which :func:`i18n.language_of` reads."""
    return (
        db.session.scalar(select(User).options(joinedload(User.client)).where(User.id == user.id))
        or user
    )


GET, POST = ["GET"], ["POST"]

URLS: UrlTable = [
    ("/account/calendar", calendar_settings, GET, Policy.LOGIN),
    ("/account/calendar", calendar_create, POST, Policy.LOGIN),
    ("/account/calendar/revoke", calendar_revoke, POST, Policy.LOGIN),
    ("/calendar/<token>.ics", calendar_feed, GET, Policy.PUBLIC),
]
register_urls(bp, URLS)
