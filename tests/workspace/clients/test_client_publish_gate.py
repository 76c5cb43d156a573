"""The publish gate on the client form: saved, audited, and refused outside its limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import post
from tests.factories import make_client
from timetracker.audit import Kind
from timetracker.models import AuditEvent

SHOWN = (
    "portal_shows_staff_names",
    "portal_shows_entry_notes",
    "portal_shows_amounts",
    "portal_shows_time_entries",
    "portal_shows_documents",
)
FORM = {"name": "Gated Ltd", "currency": "EUR", "default_hourly_rate": "100"} | dict.fromkeys(
    SHOWN, "y"
)


def test_the_gate_is_saved_and_audited(as_admin, session):
    customer = make_client(session, name="Gated Ltd")
    session.commit()
    data = {**FORM, "time_requires_approval": "y", "publish_after_days": "7"}
    assert post(as_admin, f"/clients/{customer.id}/edit", data).status_code == 302
    session.refresh(customer)
    assert (customer.time_requires_approval, customer.publish_after_days) == (True, 7)
    details = session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.kind == Kind.PORTAL_VISIBILITY_CHANGED, AuditEvent.client_id == customer.id
        )
    ).all()
    assert details == ["time shown once approved or after 7 days"]
    page = as_admin.get(f"/clients/{customer.id}/edit").get_data(as_text=True)
    assert 'name="publish_after_days"' in page and 'value="7"' in page
    # Off again, the delay emptied (a browser sends the empty field).
    data = {**FORM, "publish_after_days": ""}
    assert post(as_admin, f"/clients/{customer.id}/edit", data).status_code == 302
    session.refresh(customer)
    assert (customer.time_requires_approval, customer.publish_after_days) == (False, None)


@pytest.mark.parametrize("days", ["0", "366", "-1", "1.5", "abc", "１", "99999999999999999999"])
def test_a_delay_outside_1_to_365_days_is_refused_and_nothing_changes(as_admin, session, days):
    customer = make_client(session, name="Gated Ltd")
    session.commit()
    data = {**FORM, "time_requires_approval": "y", "publish_after_days": days}
    response = post(as_admin, f"/clients/{customer.id}/edit", data)
    assert response.status_code == 400
    assert "from 1 to 365" in response.get_data(as_text=True)
    session.refresh(customer)
    assert (customer.time_requires_approval, customer.publish_after_days) == (False, None)


@pytest.mark.parametrize("days", ["1", "365"])
def test_the_delay_limits_are_accepted(as_admin, session, days):
    customer = make_client(session, name="Gated Ltd")
    session.commit()
    data = {**FORM, "time_requires_approval": "y", "publish_after_days": days}
    assert post(as_admin, f"/clients/{customer.id}/edit", data).status_code == 302
    session.refresh(customer)
    assert customer.publish_after_days == int(days)
