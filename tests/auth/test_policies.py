"""Deny by default: every endpoint declares an access policy or the app does not start; roles are
stored and the database refuses the combinations that would mix a client contact with staff."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.factories import make_client, make_user
from timetracker import create_app, diagnostics
from timetracker.auth.access import (
    MissingAccessPolicy,
    Policy,
    check_access_policies,
    public,
    undeclared_endpoints,
)
from timetracker.models import Role, User
from timetracker.models.users import STAFF_ROLES


def _config(app):
    return {
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["DATABASE_URL"],
        "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
        "REDIS_URL": app.config["REDIS_URL"],
        "MAIL_ENABLED": False,
    }


def test_the_app_declares_a_policy_for_every_endpoint(app):
    assert undeclared_endpoints(app) == []
    assert {r.endpoint for r in app.url_map.iter_rules()} >= {"static", "auth.login"}


def test_the_app_refuses_to_start_with_an_endpoint_without_a_policy(app, monkeypatch):
    """A bare route registered while the app is built (here by the diagnostics hook, which runs
    inside ``create_app``) stops ``create_app`` with an error that names it."""
    original = diagnostics.init_app

    def add_routes(flask_app):
        original(flask_app)
        flask_app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
        flask_app.add_url_rule("/declared", "declared", public(lambda: "fine"))

    monkeypatch.setattr(diagnostics, "init_app", add_routes)
    with pytest.raises(MissingAccessPolicy) as refused:
        create_app(_config(app))
    message = str(refused.value)
    assert "forgotten (/forgotten)" in message
    assert "declared (" not in message


def test_the_check_names_every_endpoint_without_a_policy(app):
    other = create_app(_config(app))
    try:
        other.add_url_rule("/a", "bare_a", lambda: "a")
        other.add_url_rule("/b/<int:x>", "bare_b", lambda x: "b")
        with pytest.raises(MissingAccessPolicy, match=r"bare_a \(/a\), bare_b \(/b/<int:x>\)"):
            check_access_policies(other)
        # A made-up policy name is no policy either.
        view = other.view_functions["bare_a"]
        view.access_policy = "everyone"
        assert "bare_a (/a)" in undeclared_endpoints(other)
        view.access_policy = Policy.PUBLIC
        assert undeclared_endpoints(other) == ["bare_b (/b/<int:x>)"]
    finally:
        other.extensions["timetracker.engine"].dispose()


def test_static_files_are_public_by_declaration(app):
    assert app.view_functions["static"].access_policy == Policy.PUBLIC


# Stored roles ---------------------------------------------------------------------------------


def test_role_properties(session):
    client = make_client(session)
    admin = make_user(session, role=Role.ADMIN)
    staff = make_user(session, role=Role.STAFF)
    contact = make_user(session, role=Role.CLIENT, client_portal_enabled=True, client_id=client.id)
    nobody = make_user(session, role=Role.NONE)
    assert STAFF_ROLES == (Role.ADMIN, Role.STAFF)
    assert [u.is_admin for u in (admin, staff, contact, nobody)] == [True, False, False, False]
    assert [u.is_staff for u in (admin, staff, contact, nobody)] == [True, True, False, False]
    assert [u.is_client_contact for u in (admin, staff, contact, nobody)] == [
        False,
        False,
        True,
        False,
    ]
    assert [u.is_client_portal_user for u in (admin, staff, contact, nobody)] == [
        False,
        False,
        True,
        False,
    ]
    assert nobody.role_label == "No access"
    staff_ids = set(session.scalars(select(User.id).where(User.role.in_(STAFF_ROLES))))
    assert staff_ids == {admin.id, staff.id}


def test_an_account_created_without_a_role_has_no_access(session):
    user = User(email="nobody@example.com", name="Nobody", password_hash="x")
    session.add(user)
    session.flush()
    session.refresh(user)
    assert user.role == Role.NONE
    assert not user.is_staff and not user.is_client_contact


@pytest.mark.parametrize(
    ("role", "portal", "with_client"),
    [
        (Role.ADMIN, True, True),  # a portal user is never an administrator
        (Role.ADMIN, False, True),  # ...nor linked to a client
        (Role.STAFF, False, True),  # staff have no client
        (Role.STAFF, True, False),
        (Role.CLIENT, True, False),  # a client contact without a client
        (Role.CLIENT, False, True),  # ...or without the portal
        (Role.NONE, True, False),  # no access means no portal
        (Role.NONE, False, True),
        ("user", False, False),  # the old role name
        ("superuser", False, False),
    ],
)
def test_the_database_refuses_inconsistent_roles(session, role, portal, with_client):
    client = make_client(session)
    with pytest.raises(IntegrityError), session.begin_nested():
        make_user(
            session,
            role=role,
            client_portal_enabled=portal,
            client_id=client.id if with_client else None,
        )


def test_an_admin_cannot_be_turned_into_a_contact_by_an_update(session):
    client = make_client(session)
    admin = make_user(session, role=Role.ADMIN)
    with pytest.raises(IntegrityError), session.begin_nested():
        admin.client_portal_enabled = True
        admin.client_id = client.id
        session.flush()


def test_deleting_a_client_leaves_its_contacts_without_access(session):
    client = make_client(session)
    contact = make_user(session, role=Role.CLIENT, client_portal_enabled=True, client_id=client.id)
    version = contact.session_version
    session.delete(client)
    session.flush()
    session.refresh(contact)
    assert (contact.role, contact.client_id, contact.client_portal_enabled) == (
        Role.NONE,
        None,
        False,
    )
    assert contact.session_version == version + 1
