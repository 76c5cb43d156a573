"""Roles in Admin → Users: "Enable Client Portal" makes a contact of a client; unticking it takes
portal access away and grants nothing else (live sessions included); only the separate, confirmed
make-staff action gives workspace access back. Deactivation ends sessions for good."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token, login, post
from tests.factories import (
    PASSWORD,
    make_admin,
    make_client,
    make_invoice,
    make_no_access_user,
    make_portal_user,
    make_user,
)
from timetracker.models import Role, User, UserSession

#: Pages a former contact must not open with the session they had (the issue's list).
NO_ACCESS_PAGES = [
    "/clients",
    "/time",
    "/invoices/{invoice}",
    "/time/export.csv",
    "/client-portal",
    "/account",
    "/admin/users",
    "/dashboard",
]


def _signed_in(app, email):
    client = app.test_client()
    response = login(client, email)
    assert response.status_code == 302, response.status_code
    return client


def _edit_form(user, **fields):
    """The user form as the browser sends it: a contact's form has no role select."""
    data = {"name": user.name, "email": user.email, "is_active": "y", "client_id": ""}
    if user.role in (Role.ADMIN, Role.STAFF):
        data["role"] = user.role
    data.update(fields)
    return data


@pytest.fixture
def people(app, session):
    admin = make_admin(session, email="admin@roles.example")
    the_client = make_client(session, name="Contact Co")
    invoice = make_invoice(session, the_client, items=[("Work", "1", "100")])
    contact = make_portal_user(session, the_client, email="contact@roles.example")
    session.commit()
    return {"admin": admin, "client": the_client, "invoice": invoice, "contact": contact}


def _admin_client(app, people):
    return _signed_in(app, people["admin"].email)


# Ticking and unticking "Enable Client Portal" ---------------------------------------------------


def test_ticking_the_box_makes_a_staff_member_a_contact_of_the_client(app, session, people):
    staff = make_user(session)
    session.commit()
    staff_browser = _signed_in(app, staff.email)
    assert staff_browser.get("/clients").status_code == 200
    admin = _admin_client(app, people)
    form = _edit_form(staff, client_portal_enabled="y", client_id=str(people["client"].id))
    assert post(admin, f"/admin/users/{staff.id}/edit", form).status_code == 302
    session.expire_all()
    fresh = session.get(User, staff.id)
    assert (fresh.role, fresh.client_id, fresh.client_portal_enabled) == (
        Role.CLIENT,
        people["client"].id,
        True,
    )
    # Their workspace access ends, on the session they have.
    assert staff_browser.get("/clients").status_code == 403
    assert staff_browser.get("/client-portal").status_code == 200


def test_unticking_the_box_leaves_no_access_anywhere_live_session_included(app, session, people):
    contact = people["contact"]
    contact_browser = _signed_in(app, contact.email)
    assert contact_browser.get("/client-portal").status_code == 200
    admin = _admin_client(app, people)
    edit_page = admin.get(f"/admin/users/{contact.id}/edit").get_data(as_text=True)
    assert 'name="role"' not in edit_page  # a contact is offered no role to choose

    response = post(admin, f"/admin/users/{contact.id}/edit", _edit_form(contact))
    assert response.status_code == 302
    session.expire_all()
    fresh = session.get(User, contact.id)
    assert (fresh.role, fresh.client_id, fresh.client_portal_enabled) == (Role.NONE, None, False)
    assert not fresh.is_staff

    for page in NO_ACCESS_PAGES:
        path = page.format(invoice=people["invoice"].id)
        response = contact_browser.get(path)
        assert response.status_code == 403, (path, response.status_code)
        assert "no access" in response.get_data(as_text=True)
    # Writes too, with a valid token of the session.
    token = csrf_token(contact_browser, "/account")
    for path in ("/time/timer/start", "/time/new", "/clients/new", "/account"):
        response = contact_browser.post(path, data={"csrf_token": token})
        assert response.status_code == 403, path
    # Logging out still works.
    assert contact_browser.post("/logout", data={"csrf_token": token}).status_code == 302


def test_an_account_without_access_cannot_log_in_and_is_told_why(client, session):
    nobody = make_no_access_user(session, email="nobody@roles.example")
    session.commit()
    response = login(client, nobody.email)
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Your account has no access" in html
    assert client.get("/account").status_code == 302  # not signed in
    # With a wrong password it is the answer everyone gets: the reason needs the password.
    wrong = login(client, nobody.email, "wrong-password")
    assert wrong.status_code == 400
    assert "Your account has no access" not in wrong.get_data(as_text=True)


def test_unticking_does_not_restore_staff_access_to_a_former_staff_member(app, session, people):
    """Staff → contact → unticked: still no access (nothing reverts to an earlier role)."""
    staff = make_user(session)
    session.commit()
    admin = _admin_client(app, people)
    ticked = _edit_form(staff, client_portal_enabled="y", client_id=str(people["client"].id))
    assert post(admin, f"/admin/users/{staff.id}/edit", ticked).status_code == 302
    session.expire_all()
    contact = session.get(User, staff.id)
    assert post(admin, f"/admin/users/{staff.id}/edit", _edit_form(contact)).status_code == 302
    session.expire_all()
    assert session.get(User, staff.id).role == Role.NONE


def test_a_forged_role_on_a_contacts_form_is_ignored(app, session, people):
    contact = people["contact"]
    admin = _admin_client(app, people)
    response = post(admin, f"/admin/users/{contact.id}/edit", _edit_form(contact, role="admin"))
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, contact.id).role == Role.NONE


def test_a_portal_user_is_never_an_administrator(app, session, people):
    other_admin = make_admin(session)
    session.commit()
    admin = _admin_client(app, people)
    form = _edit_form(other_admin, client_portal_enabled="y", client_id=str(people["client"].id))
    response = post(admin, f"/admin/users/{other_admin.id}/edit", form)
    assert response.status_code == 400
    assert "make this user Staff" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, other_admin.id).role == Role.ADMIN


# Creating users ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "role"),
    [
        ({"role": "staff"}, Role.STAFF),
        ({"role": "admin"}, Role.ADMIN),
        ({"role": "staff", "client_portal_enabled": "y"}, Role.CLIENT),
    ],
)
def test_a_new_user_is_staff_an_administrator_or_a_contact(app, session, people, fields, role):
    admin = _admin_client(app, people)
    data = {
        "name": "New Person",
        "email": "new@roles.example",
        "is_active": "y",
        "password": PASSWORD,
        "client_id": str(people["client"].id) if "client_portal_enabled" in fields else "",
        **fields,
    }
    assert post(admin, "/admin/users/new", data).status_code == 302
    user = session.scalar(select(User).where(User.email == "new@roles.example"))
    assert user.role == role
    assert user.client_id == (people["client"].id if role == Role.CLIENT else None)


def test_a_new_user_cannot_be_created_without_access_or_with_an_unknown_role(app, session, people):
    admin = _admin_client(app, people)
    for role in ("none", "client", "user", ""):
        data = {
            "name": "New Person",
            "email": "new@roles.example",
            "role": role,
            "password": PASSWORD,
            "client_id": "",
        }
        assert post(admin, "/admin/users/new", data).status_code == 400, role
    assert session.scalar(select(User).where(User.email == "new@roles.example")) is None


def test_the_users_list_shows_role_badges(app, session, people):
    make_no_access_user(session, name="Nora Nobody")
    make_user(session, name="Sam Staff")
    session.commit()
    html = _admin_client(app, people).get("/admin/users").get_data(as_text=True)
    for role, label in [
        ("admin", "Administrator"),
        ("staff", "Staff"),
        ("client", "Client contact"),
        ("none", "No access"),
    ]:
        assert f'data-role="{role}">{label}</span>' in html, role
    assert "Portal: Contact Co" in html
    assert "Make Nora Nobody staff" in html
    assert "Make Sam Staff staff" not in html


# The explicit make-staff action ----------------------------------------------------------------


def test_make_staff_needs_its_confirmation_and_restores_workspace_access(app, session, people):
    nobody = make_no_access_user(session, name="Former Contact")
    session.commit()
    nobody_browser = app.test_client()
    admin = _admin_client(app, people)
    path = f"/admin/users/{nobody.id}/make-staff"

    page = admin.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "every client" in html and 'name="confirm"' in html

    # Without the ticked confirmation, or without a CSRF token: refused, nothing changes.
    assert post(admin, path, {}).status_code == 400
    assert admin.post(path, data={"confirm": "y"}).status_code == 400
    session.expire_all()
    assert session.get(User, nobody.id).role == Role.NONE
    assert login(nobody_browser, nobody.email).status_code == 403

    assert post(admin, path, {"confirm": "y"}).status_code == 302
    session.expire_all()
    assert session.get(User, nobody.id).role == Role.STAFF
    assert login(nobody_browser, nobody.email).status_code == 302
    assert nobody_browser.get("/clients").status_code == 200
    assert nobody_browser.get("/client-portal").status_code == 403


def test_make_staff_is_only_for_accounts_without_access(app, session, people):
    admin = _admin_client(app, people)
    staff = make_user(session)
    session.commit()
    for user in (people["contact"], staff, people["admin"]):
        assert admin.get(f"/admin/users/{user.id}/make-staff").status_code == 400
        response = post(admin, f"/admin/users/{user.id}/make-staff", {"confirm": "y"})
        assert response.status_code == 400
    session.expire_all()
    assert session.get(User, people["contact"].id).role == Role.CLIENT


def test_only_administrators_may_make_staff(app, session, people):
    nobody = make_no_access_user(session)
    staff = make_user(session)
    session.commit()
    browser = _signed_in(app, staff.email)
    response = post(browser, f"/admin/users/{nobody.id}/make-staff", {"confirm": "y"})
    assert response.status_code == 403
    session.expire_all()
    assert session.get(User, nobody.id).role == Role.NONE


# Deactivation -----------------------------------------------------------------------------------


def _session_rows(session, user_id):
    return session.scalar(select(UserSession.id).where(UserSession.user_id == user_id).limit(1))


def test_a_deactivated_clients_contacts_get_403_everywhere_account_included(app, session, people):
    contact, the_client = people["contact"], people["client"]
    browser = _signed_in(app, contact.email)
    token = csrf_token(browser, "/account")
    # The flag changes under a live session (the deactivation action also ends the session;
    # see below): every page refuses it all the same.
    the_client.is_active = False
    session.commit()
    for path in ("/account", "/client-portal", "/client-portal/invoices", "/", "/login"):
        response = browser.get(path)
        assert response.status_code == 403, path
        assert "no longer active" in response.get_data(as_text=True)
    changed = browser.post(
        "/account",
        data={
            "csrf_token": token,
            "pw-current_password": PASSWORD,
            "pw-new_password": "another-horse-43",
            "pw-confirm": "another-horse-43",
            "pw-submit": "y",
            "prefs-submit": "y",
        },
    )
    assert changed.status_code == 403
    session.expire_all()
    assert session.get(User, contact.id).password_hash == contact.password_hash


def test_deactivating_a_client_ends_its_contacts_sessions_and_refuses_their_login(
    app, session, people
):
    contact, the_client = people["contact"], people["client"]
    other_client = make_client(session)
    other_contact = make_portal_user(session, other_client)
    session.commit()
    browser = _signed_in(app, contact.email)
    other_browser = _signed_in(app, other_contact.email)
    admin = _admin_client(app, people)

    assert post(admin, f"/clients/{the_client.id}/deactivate").status_code == 302
    assert _session_rows(session, contact.id) is None
    response = browser.get("/client-portal")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert other_browser.get("/client-portal").status_code == 200  # other clients unaffected

    refused = login(app.test_client(), contact.email)
    assert refused.status_code == 403
    assert "no longer active" in refused.get_data(as_text=True)
    # Only after the password is verified.
    wrong = login(app.test_client(), contact.email, "wrong-password")
    assert wrong.status_code == 400
    assert "no longer active" not in wrong.get_data(as_text=True)

    # Reactivation does not revive the old cookie; a new login works.
    assert post(admin, f"/clients/{the_client.id}/reactivate").status_code == 302
    assert browser.get("/client-portal").status_code == 302
    assert _signed_in(app, contact.email).get("/client-portal").status_code == 200


def test_deactivating_a_user_ends_their_sessions_and_reactivation_does_not_revive_them(
    app, session, people
):
    staff = make_user(session)
    session.commit()
    browser = app.test_client()
    token = csrf_token(browser, "/login")
    response = browser.post(
        "/login",
        data={"email": staff.email, "password": PASSWORD, "remember": "y", "csrf_token": token},
    )
    assert response.status_code == 302
    assert browser.get("/clients").status_code == 200
    version = staff.session_version
    admin = _admin_client(app, people)

    assert post(admin, f"/admin/users/{staff.id}/deactivate").status_code == 302
    session.expire_all()
    assert session.get(User, staff.id).session_version == version + 1
    assert _session_rows(session, staff.id) is None
    assert browser.get("/clients").status_code == 302  # signed out

    assert post(admin, f"/admin/users/{staff.id}/activate").status_code == 302
    # Neither the session cookie nor the "keep me signed in" cookie works again.
    assert browser.get("/clients").status_code == 302
    assert _signed_in(app, staff.email).get("/clients").status_code == 200


def test_deactivating_through_the_edit_form_ends_sessions_too(app, session, people):
    staff = make_user(session)
    session.commit()
    browser = _signed_in(app, staff.email)
    admin = _admin_client(app, people)
    form = _edit_form(staff)
    del form["is_active"]
    assert post(admin, f"/admin/users/{staff.id}/edit", form).status_code == 302
    assert _session_rows(session, staff.id) is None
    assert browser.get("/clients").status_code == 302
