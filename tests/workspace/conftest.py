"""Fixtures of the workspace tests: people of each role, signed in."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_admin, make_client, make_portal_user, make_user
from timetracker.models import User


@pytest.fixture
def admin(session: Session) -> User:
    return make_admin(session, name="Ada Admin")


@pytest.fixture
def staff(session: Session) -> User:
    return make_user(session, name="Sam Staff")


@pytest.fixture
def as_admin(app: Flask, connection, admin: User) -> FlaskClient:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    assert login(browser, admin.email).status_code == 302
    return browser


@pytest.fixture
def as_staff(app: Flask, connection, staff: User) -> FlaskClient:  # type: ignore[no-untyped-def]
    browser = app.test_client()
    assert login(browser, staff.email).status_code == 302
    return browser


@pytest.fixture
def as_portal(app: Flask, connection, session: Session) -> FlaskClient:  # type: ignore[no-untyped-def]
    user = make_portal_user(session, make_client(session))
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser
