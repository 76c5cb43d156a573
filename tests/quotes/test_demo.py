"""The demo quotes: every state the portal shows, a draft, and an accepted quote already made
into a project, all by the billing rules."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from tests.factories import make_admin, make_client, make_portal_user
from timetracker import firm
from timetracker.billing import quotes as rules
from timetracker.models import Project
from timetracker.workspace.quotes.demo import add_demo_quotes


def test_the_demo_has_quotes_in_every_state(ctx: Session) -> None:
    acme = make_client(ctx, name="Acme Corp")
    mueller = make_client(ctx, name="Müller & Søn")
    ada = make_portal_user(ctx, acme, name="Ada Acme")
    make_portal_user(ctx, mueller, name="Jonas Müller")
    today = firm.today()

    made = add_demo_quotes(ctx, acme=acme, mueller=mueller, admin=make_admin(ctx), today=today)

    acme_states = sorted(rules.state_of(q, today).value for q in made if q.client_id == acme.id)
    assert acme_states == ["accepted", "declined", "draft", "expired", "open"]
    assert {rules.state_of(q, today).value for q in made if q.client_id == mueller.id} == {
        "open",
        "accepted",
    }
    [converted] = [q for q in made if q.converted_project_id is not None]
    project = ctx.get(Project, converted.converted_project_id)
    assert project is not None and project.budget_amount == converted.subtotal
    accepted = next(q for q in made if q.client_id == acme.id and q.status == "accepted")
    assert (accepted.answered_by_id, accepted.answered_by_name) == (ada.id, "Ada Acme")
    assert accepted.answered_at is not None and accepted.answered_at.date() < today
    numbers = [q.number for q in made]
    assert len(set(numbers)) == len(numbers)
    assert all(q.total > 0 for q in made)
    assert all(q.valid_until >= q.issue_date for q in made)
    expired = next(q for q in made if rules.state_of(q, today).value == "expired")
    assert expired.valid_until < today <= expired.valid_until + dt.timedelta(days=60)
