"""Nothing in the application edits or deletes an audit event: the ORM refuses it, and the
audit pages are GET only, with nothing on them that sends a change."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from tests.audit.conftest import add_event
from timetracker.audit import AuditTrailIsAppendOnly, Kind
from timetracker.models import AuditEvent


@pytest.fixture
def recorded(session, firm):
    event = add_event(
        session, Kind.SIGN_IN, dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC), actor=firm.anna
    )
    session.commit()
    return event


def test_changing_a_recorded_event_through_the_orm_raises(session, recorded):
    recorded.detail = "nothing happened"
    with pytest.raises(AuditTrailIsAppendOnly):
        session.flush()
    session.rollback()
    session.expire_all()
    assert session.get(AuditEvent, recorded.id).detail is None


def test_deleting_a_recorded_event_through_the_orm_raises(session, recorded):
    session.delete(recorded)
    with pytest.raises(AuditTrailIsAppendOnly):
        session.flush()
    session.rollback()
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.id == recorded.id))


def test_every_route_under_admin_audit_is_get_only(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin/audit")]
    assert {r.rule for r in rules} == {"/admin/audit", "/admin/audit.csv"}
    for rule in rules:
        assert set(rule.methods or ()) - {"HEAD", "OPTIONS"} == {"GET"}, rule.rule


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
def test_other_methods_answer_405_and_change_nothing(session, recorded, as_admin, method, path):
    assert as_admin.open(path, method=method).status_code == 405
    session.expire_all()
    assert session.get(AuditEvent, recorded.id).detail is None


def test_the_page_offers_nothing_that_sends_a_change(recorded, as_admin):
    html = as_admin.get("/admin/audit").get_data(as_text=True)
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert 'method="post"' not in main.lower()
    # No control deletes an event (event kinds such as "Comment deleted" may be filter choices).
    controls = re.findall(r"<(?:button|a)\b[^>]*>(.*?)</(?:button|a)>", main, re.S | re.I)
    assert controls
    assert not [c for c in controls if "delete" in c.lower() or "remove" in c.lower()]
