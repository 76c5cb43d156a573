"""Unread counts in the navigation: contacts follow their client's threads, administrators
every thread, other staff the threads of projects they logged time on or commented in.
Opening a thread reads it (the mark is written after the request), and the page that opens it
already counts it read."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from tests.comments.conftest import World, add_comment, portal_page, signed_in, workspace_page
from tests.factories import make_user
from timetracker.comments.queries import read_mark
from timetracker.comments.unread import unread_total

BADGE = re.compile(r'data-testid="unread-comments">(\d+)<')


def _badge(html: str) -> int:
    found = BADGE.search(html)
    return int(found.group(1)) if found else 0


def test_who_follows_which_thread(ctx: Session, world: World) -> None:
    idle = make_user(ctx, name="Idle")
    assert unread_total(world.a.contact) == 0  # its own comment
    assert unread_total(world.b.contact) == 0
    assert unread_total(world.staff) == 1  # logged time on Alpha's project
    assert unread_total(world.admin) == 2  # every thread
    assert unread_total(idle) == 0
    add_comment(ctx, world.b.project, idle, "Idle joins Bravo")
    add_comment(ctx, world.a.project, world.staff, "Staff answer")
    assert unread_total(idle) == 1  # commented on Bravo: follows it now
    assert unread_total(world.a.contact) == 1
    assert unread_total(world.b.contact) == 1
    deleted = add_comment(ctx, world.a.project, world.staff, "Oops")
    deleted.deleted_at = deleted.created_at
    ctx.flush()
    assert unread_total(world.a.contact) == 1


def test_the_count_is_one_query(ctx: Session, world: World, count_queries: Any) -> None:
    for user in (world.a.contact, world.staff, world.admin):
        before = count_queries.count
        unread_total(user)
        assert count_queries.count - before == 1


def test_opening_the_thread_reads_it_and_the_badge_follows(
    app: Flask, connection: Any, session: Session, world: World
) -> None:
    add_comment(session, world.a.project, world.staff, "Answer one")
    add_comment(session, world.a.project, world.staff, "Answer two")
    session.commit()
    contact = signed_in(app, world.a.contact)
    assert _badge(contact.get("/client-portal/projects").get_data(as_text=True)) == 2
    html = contact.get(portal_page(world.a.project)).get_data(as_text=True)
    assert _badge(html) == 0  # this page reads the thread
    assert html.count('data-testid="comment-new"') == 2 and "2 new" in html
    assert _badge(contact.get("/client-portal/projects").get_data(as_text=True)) == 0
    session.expire_all()
    assert read_mark(session, world.a.contact.id, world.a.project.id) > 0
    again = contact.get(portal_page(world.a.project)).get_data(as_text=True)
    assert 'data-testid="comment-new"' not in again

    staff = signed_in(app, world.staff)
    assert _badge(staff.get("/projects").get_data(as_text=True)) == 1
    staff.get(workspace_page(world.a.project))
    assert _badge(staff.get("/projects").get_data(as_text=True)) == 0


def test_a_failed_page_does_not_read_the_thread(
    app: Flask, connection: Any, session: Session, world: World
) -> None:
    staff = signed_in(app, world.staff)
    assert staff.get(f"{workspace_page(world.a.project)}?comments_page=x").status_code == 400
    session.expire_all()
    assert read_mark(session, world.staff.id, world.a.project.id) == 0
