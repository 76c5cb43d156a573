"""A project with a budget and time of fixed dates: 40 h in October, 2 h the day before the
last four weeks, 28 h (7 h a week) in them, and a running timer that does not count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine
from flask import Flask
from sqlalchemy.orm import Session

from tests.factories import make_client, make_entry, make_project, make_user
from timetracker.models import Client, Project, Settings, User

#: A Wednesday; the trailing four weeks are 12 Nov to 9 Dec 2026.
TODAY = dt.date(2026, 12, 9)
NOW = dt.datetime(2026, 12, 9, 15, 0, tzinfo=dt.UTC)


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC)


@dataclass
class Fixed:
    client: Client
    project: Project
    staff: User


@pytest.fixture
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def fixed(session: Session) -> Fixed:
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.timezone = "UTC"
    session.add(settings)
    client = make_client(session, name="Acme", default_hourly_rate=Decimal("100.00"))
    project = make_project(
        session,
        client,
        name="Website relaunch",
        budget_hours=Decimal("100"),
        budget_amount=Decimal("8000"),
    )
    staff = make_user(session, name="Sam Staff")
    for day in range(5, 10):  # Mon 5 to Fri 9 October: 40 h
        make_entry(session, project, staff, start=at(dt.date(2026, 10, day)), minutes=480)
    make_entry(session, project, staff, start=at(dt.date(2026, 11, 11)), minutes=120)
    for day in (dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30)):
        make_entry(session, project, staff, start=at(day), minutes=420)
    make_entry(session, project, staff, start=at(dt.date(2026, 12, 7)), minutes=420)
    make_entry(session, project, make_user(session), start=at(TODAY, 8), minutes=None)
    return Fixed(client, project, staff)


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Emails are sent here and now (no Redis queue)."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)
