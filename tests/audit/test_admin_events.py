"""An administrator's changes are recorded with who did them: portal access granted and taken
away by the seed's steps (Admin → Users → Edit, "Enable Client Portal", client, Save), users
deactivated and activated, and clients deactivated and activated."""

from __future__ import annotations

import pytest

from tests.audit.conftest import events
from tests.conftest import post
from tests.factories import make_user
from timetracker.audit import Kind

ACCOUNT_KINDS = (
    Kind.PORTAL_ACCESS_GRANTED,
    Kind.PORTAL_ACCESS_REMOVED,
    Kind.USER_ACTIVATED,
    Kind.USER_DEACTIVATED,
    Kind.CLIENT_ACTIVATED,
    Kind.CLIENT_DEACTIVATED,
)


def _recorded(session):
    return [
        (e.kind, e.actor_id, e.subject_id, e.client_id)
        for e in events(session)
        if e.kind in ACCOUNT_KINDS
    ]


def _form(user, **fields):
    """The user form as the browser sends it (a contact's form has no role select)."""
    data = {"name": user.name, "email": user.email, "is_active": "y", "client_id": ""}
    if user.is_staff:
        data["role"] = user.role
    data.update(fields)
    return data


def _save(browser, user, **fields):
    path = f"/admin/users/{user.id}/edit"
    response = post(browser, path, _form(user, **fields), token_from=path)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]


def test_ticking_enable_client_portal_records_access_granted_by_the_admin(session, firm, as_admin):
    person = make_user(session, name="Paula Person")
    session.commit()
    _save(as_admin, person, client_portal_enabled="y", client_id=str(firm.alpha.id))
    assert _recorded(session) == [
        (Kind.PORTAL_ACCESS_GRANTED, firm.admin.id, person.id, firm.alpha.id)
    ]
    (event,) = [e for e in events(session) if e.kind == Kind.PORTAL_ACCESS_GRANTED]
    assert (event.actor_email, event.subject_email) == ("ada@firm.example", person.email)


def test_unticking_it_records_access_taken_away_from_that_client(session, firm, as_admin):
    _save(as_admin, firm.anna)  # the box unticked
    assert _recorded(session) == [
        (Kind.PORTAL_ACCESS_REMOVED, firm.admin.id, firm.anna.id, firm.alpha.id)
    ]


def test_moving_a_contact_to_another_client_records_both(session, firm, as_admin):
    _save(as_admin, firm.anna, client_portal_enabled="y", client_id=str(firm.bravo.id))
    assert _recorded(session) == [
        (Kind.PORTAL_ACCESS_REMOVED, firm.admin.id, firm.anna.id, firm.alpha.id),
        (Kind.PORTAL_ACCESS_GRANTED, firm.admin.id, firm.anna.id, firm.bravo.id),
    ]


def test_a_new_portal_user_records_access_granted(session, firm, as_admin):
    data = {
        "name": "Nina New",
        "email": "nina@alpha.example",
        "role": "staff",
        "is_active": "y",
        "password": "a-long-enough-password-1",
        "client_portal_enabled": "y",
        "client_id": str(firm.alpha.id),
    }
    response = post(as_admin, "/admin/users/new", data, token_from="/admin/users/new")
    assert response.status_code == 302
    (event,) = [e for e in events(session) if e.kind in ACCOUNT_KINDS]
    assert (event.kind, event.subject_email, event.client_id) == (
        Kind.PORTAL_ACCESS_GRANTED,
        "nina@alpha.example",
        firm.alpha.id,
    )


def test_saving_without_a_change_of_access_records_nothing(session, firm, as_admin):
    _save(as_admin, firm.anna, client_portal_enabled="y", client_id=str(firm.alpha.id))
    _save(as_admin, firm.staff, name="Sam Renamed")
    assert _recorded(session) == []


def test_a_refused_form_records_nothing(session, firm, as_admin):
    path = f"/admin/users/{firm.staff.id}/edit"
    data = _form(firm.staff, client_portal_enabled="y", client_id="")  # no client chosen
    assert post(as_admin, path, data, token_from=path).status_code == 400
    assert _recorded(session) == []


@pytest.mark.parametrize("via", ["buttons", "form"])
def test_deactivating_and_activating_a_user_are_recorded(session, firm, as_admin, via):
    contact = firm.anna
    if via == "buttons":
        token_page = "/admin/users"
        assert post(as_admin, f"/admin/users/{contact.id}/deactivate", token_from=token_page)
        assert post(as_admin, f"/admin/users/{contact.id}/activate", token_from=token_page)
        # Activating an active user changes nothing and records nothing.
        assert post(as_admin, f"/admin/users/{contact.id}/activate", token_from=token_page)
    else:
        active = {"client_portal_enabled": "y", "client_id": str(firm.alpha.id)}
        _save(as_admin, contact, **dict(active, is_active=""))
        _save(as_admin, contact, **active)
    assert _recorded(session) == [
        (Kind.USER_DEACTIVATED, firm.admin.id, contact.id, firm.alpha.id),
        (Kind.USER_ACTIVATED, firm.admin.id, contact.id, firm.alpha.id),
    ]


def test_deactivating_and_activating_a_client_are_recorded_once(session, firm, as_admin):
    path = f"/clients/{firm.bravo.id}"
    for action in ("deactivate", "deactivate", "reactivate", "reactivate"):
        response = post(as_admin, f"{path}/{action}", token_from=path)
        assert response.status_code == 302
    assert _recorded(session) == [
        (Kind.CLIENT_DEACTIVATED, firm.admin.id, None, firm.bravo.id),
        (Kind.CLIENT_ACTIVATED, firm.admin.id, None, firm.bravo.id),
    ]
