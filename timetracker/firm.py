"""The firm's settings and its clock: the timezone, now and today (date ranges: billing.periods)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, g
from flask.globals import _cv_app
from sqlalchemy import select

from timetracker import db
from timetracker.models import Settings


def get_settings() -> Settings:
    """The settings row, created with defaults on first use; cached for the request."""
    context = _cv_app.get(None)  # read directly: a page asks a few hundred times
    if context is not None:
        cached = context.g.__dict__.get("firm_settings")
        if cached is not None:
            return cached
    settings = db.session.scalar(select(Settings).where(Settings.id == 1))
    if settings is None:
        settings = Settings(id=1, timezone=current_app.config["TIMEZONE_DEFAULT"])
        db.session.add(settings)
        db.session.flush()
    g.firm_settings = settings
    return settings


def default_tax_rate() -> Decimal:
    """The tax rate a new invoice or quote starts with; 0 when the stored text is not one."""
    from timetracker.parsing import parse_percent

    try:
        return parse_percent(get_settings().default_tax_rate or "0")
    except ValueError:
        return Decimal(0)


def timezone() -> ZoneInfo:
    try:
        return ZoneInfo(get_settings().timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today in the firm's timezone."""
    return now().astimezone(timezone()).date()


def local(value: dt.datetime) -> dt.datetime:
    return value.astimezone(timezone())
