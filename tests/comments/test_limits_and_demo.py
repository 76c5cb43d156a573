"""Comment writes are rate-limited per person (posts, edits and deletes together); the demo
thread reads as a conversation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from tests.comments.conftest import World, comments_of, form_fields, portal_page, signed_in
from timetracker.comments.demo import add_demo_thread
from timetracker.comments.mentions import mentioned
from timetracker.comments.queries import people_on_project, read_mark
from timetracker.comments.views import COMMENT_LIMIT


def test_a_person_may_write_ten_comments_a_minute(
    app: Flask, connection: Any, session: Session, world: World, frozen_clock: Any
) -> None:
    assert COMMENT_LIMIT.startswith("10 per minute")
    contact = signed_in(app, world.a.contact)
    page = portal_page(world.a.project)
    fields = form_fields(contact, page)
    statuses = [
        contact.post(f"{page}/comments", data={**fields, "body": f"Comment {n}"}).status_code
        for n in range(11)
    ]
    assert statuses == [303] * 10 + [429]
    assert len(comments_of(session, world.a.project)) == 11  # the fixture's one and ten
    # Counted per person: a colleague at the same firm still writes.
    staff = signed_in(app, world.staff)
    staff_page = f"/projects/{world.a.project.id}"
    answer = staff.post(
        f"{staff_page}/comments", data={**form_fields(staff, staff_page), "body": "Slow down"}
    )
    assert answer.status_code == 303


def test_the_demo_thread_asks_answers_and_mentions(ctx: Session, world: World) -> None:
    now = dt.datetime(2026, 5, 4, 12, tzinfo=dt.UTC)
    made = add_demo_thread(
        ctx, world.b.project, contact=world.b.contact, staff=world.staff, now=now
    )
    assert [c.author_id for c in made] == [world.b.contact.id, world.staff.id, world.b.contact.id]
    assert made[0].created_at < made[1].created_at < made[2].created_at < now
    people = people_on_project(ctx, world.b.project)
    assert mentioned(made[1].body, people, author_id=world.staff.id)[0].id == world.b.contact.id
    assert read_mark(ctx, world.b.contact.id, world.b.project.id) == made[1].id
