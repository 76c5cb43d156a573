"""Posting, editing and deleting comments from the portal and the workspace: the thread on both
project pages, the 15-minute edit window, deletion kept as "comment deleted", read-only
archived projects, double submission, and the audit."""

from __future__ import annotations

import datetime as dt
from html import unescape
from typing import Any

import time_machine
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.comments.conftest import (
    World,
    add_comment,
    audit_kinds,
    comments_of,
    form_fields,
    portal_page,
    send,
    workspace_page,
)
from timetracker.comments.operations import EDIT_EXPIRED, EMPTY, READ_ONLY_ARCHIVED, TOO_LONG


def test_a_contact_posts_and_staff_read_it_on_the_workspace_page(
    as_alpha: FlaskClient, as_staff: FlaskClient, session: Session, world: World
) -> None:
    page = portal_page(world.a.project)
    response = send(as_alpha, page, f"{page}/comments", body="When is the **launch**?")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{page}#comments")
    newest = comments_of(session, world.a.project)[-1]
    assert (newest.author_id, newest.author_name) == (world.a.contact.id, "Alpha Contact")
    assert newest.body == "When is the **launch**?"
    html = as_alpha.get(page).get_data(as_text=True)
    assert "When is the <strong>launch</strong>?" in html and "Comment posted." in html
    staff_html = as_staff.get(workspace_page(world.a.project)).get_data(as_text=True)
    assert "When is the <strong>launch</strong>?" in staff_html
    assert 'for="comment-body">Comment</label>' in staff_html and "Post comment" in staff_html
    assert audit_kinds(session)[-1] == "comment_posted"


def test_staff_answer_from_the_workspace_and_the_contact_reads_it(
    as_alpha: FlaskClient, as_staff: FlaskClient, session: Session, world: World
) -> None:
    page = workspace_page(world.a.project)
    response = send(as_staff, page, f"{page}/comments", body="Next *Monday*.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{page}#comments")
    html = as_alpha.get(portal_page(world.a.project)).get_data(as_text=True)
    assert "Next <em>Monday</em>." in html and "Sam Staff" in html


def test_a_rejected_comment_re_renders_the_page_with_the_error_and_writes_nothing(
    as_alpha: FlaskClient, as_staff: FlaskClient, session: Session, world: World
) -> None:
    before = len(comments_of(session, world.a.project))
    for browser, page, prefix in (
        (as_alpha, portal_page(world.a.project), "/client-portal"),
        (as_staff, workspace_page(world.a.project), ""),
    ):
        for body, message in (("   ", EMPTY), ("x" * 5001, TOO_LONG)):
            response = send(browser, page, f"{page}/comments", body=body)
            assert response.status_code == 400, prefix
            html = response.get_data(as_text=True)
            assert message.replace(",", "&#39;") in html or message in html
            assert 'id="comments"' in html
    assert len(comments_of(session, world.a.project)) == before


def test_a_missing_csrf_token_is_refused(as_alpha: FlaskClient, world: World) -> None:
    page = portal_page(world.a.project)
    response = as_alpha.post(f"{page}/comments", data={"body": "Hello"})
    assert response.status_code == 400


def test_the_same_form_posted_twice_posts_once(
    as_alpha: FlaskClient, session: Session, world: World
) -> None:
    page = portal_page(world.a.project)
    fields = form_fields(as_alpha, page)
    first = as_alpha.post(f"{page}/comments", data={**fields, "body": "Only once"})
    second = as_alpha.post(f"{page}/comments", data={**fields, "body": "Only once"})
    assert (first.status_code, second.status_code) == (303, 303)
    assert [c.body for c in comments_of(session, world.a.project)].count("Only once") == 1
    assert "Your comment was already posted." in as_alpha.get(page).get_data(as_text=True)
    # A new form (the page drawn again) posts the same words again on purpose.
    again = send(as_alpha, page, f"{page}/comments", body="Only once")
    assert again.status_code == 303
    assert [c.body for c in comments_of(session, world.a.project)].count("Only once") == 2


def test_the_author_edits_within_fifteen_minutes_only(
    as_alpha: FlaskClient, session: Session, world: World
) -> None:
    page = portal_page(world.a.project)
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        send(as_alpha, page, f"{page}/comments", body="Typo hre")
        comment = comments_of(session, world.a.project)[-1]
        edit = f"{page}/comments/{comment.id}/edit"
        assert 'action="' + edit + '"' in as_alpha.get(page).get_data(as_text=True)
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert send(as_alpha, page, edit, body="Typo here").status_code == 303
        session.refresh(comment)
        assert comment.body == "Typo here" and comment.edited_at is not None
        assert "edited" in as_alpha.get(page).get_data(as_text=True)
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        html = as_alpha.get(page).get_data(as_text=True)
        assert 'action="' + edit + '"' not in html
        response = send(as_alpha, page, edit, body="Too late")
        assert response.status_code == 400
        assert EDIT_EXPIRED.split(".")[0] in response.get_data(as_text=True)
        session.refresh(comment)
        assert comment.body == "Typo here"
        assert audit_kinds(session).count("comment_edited") == 1


def test_nobody_edits_another_persons_comment(
    as_staff: FlaskClient, as_admin: FlaskClient, session: Session, world: World
) -> None:
    page = workspace_page(world.a.project)
    edit = f"{page}/comments/{world.a.comment.id}/edit"
    for browser in (as_staff, as_admin):
        response = send(browser, page, edit, body="Rewritten")
        assert response.status_code == 403
    session.refresh(world.a.comment)
    assert world.a.comment.body == "Question from Alpha"


def test_the_author_deletes_and_the_thread_keeps_a_marker(
    as_alpha: FlaskClient, as_staff: FlaskClient, session: Session, world: World
) -> None:
    page = portal_page(world.a.project)
    delete = f"{page}/comments/{world.a.comment.id}/delete"
    assert send(as_alpha, page, delete).status_code == 303
    session.refresh(world.a.comment)
    assert world.a.comment.deleted_at is not None and world.a.comment.body == ""
    assert world.a.comment.deleted_by_id == world.a.contact.id
    for html in (
        as_alpha.get(page).get_data(as_text=True),
        as_staff.get(workspace_page(world.a.project)).get_data(as_text=True),
    ):
        assert "Comment deleted." in html and "Question from Alpha" not in html
    # A second submission changes nothing and says so.
    assert send(as_alpha, page, delete).status_code == 303
    assert "already deleted" in as_alpha.get(page).get_data(as_text=True)
    assert audit_kinds(session).count("comment_deleted") == 1


def test_an_administrator_deletes_any_comment_and_other_staff_may_not(
    as_staff: FlaskClient, as_admin: FlaskClient, session: Session, world: World
) -> None:
    page = workspace_page(world.a.project)
    delete = f"{page}/comments/{world.a.comment.id}/delete"
    assert send(as_staff, page, delete).status_code == 403
    session.refresh(world.a.comment)
    assert world.a.comment.deleted_at is None
    assert send(as_admin, page, delete).status_code == 303
    session.refresh(world.a.comment)
    assert world.a.comment.deleted_by_id == world.admin.id


def test_a_contact_may_not_delete_another_contacts_comment(
    app, connection, session: Session, world: World
) -> None:
    from tests.comments.conftest import signed_in
    from tests.factories import make_portal_user

    colleague = make_portal_user(session, world.a.client, name="Colleague")
    session.commit()
    browser = signed_in(app, colleague)
    page = portal_page(world.a.project)
    response = send(browser, page, f"{page}/comments/{world.a.comment.id}/delete")
    assert response.status_code == 403
    assert f"comments/{world.a.comment.id}/delete" not in browser.get(page).get_data(as_text=True)


def test_an_archived_projects_thread_is_read_only(
    as_alpha: FlaskClient, as_staff: FlaskClient, session: Session, world: World
) -> None:
    old = add_comment(session, world.archived, world.a.contact, "From the old days")
    session.commit()
    for browser, page in (
        (as_alpha, portal_page(world.archived)),
        (as_staff, workspace_page(world.archived)),
    ):
        html = browser.get(page).get_data(as_text=True)
        assert "From the old days" in html and READ_ONLY_ARCHIVED in html
        assert "Post comment" not in html
        token = form_fields_token(browser)
        response = browser.post(f"{page}/comments", data={"csrf_token": token, "body": "Hi"})
        assert response.status_code == 400
        edit = browser.post(
            f"{page}/comments/{old.id}/edit", data={"csrf_token": token, "body": "Hi"}
        )
        assert edit.status_code in (400, 403)
    assert [c.body for c in comments_of(session, world.archived)] == ["From the old days"]


def form_fields_token(browser: FlaskClient) -> str:
    from tests.conftest import csrf_token

    return csrf_token(browser, "/account")


def test_the_thread_is_paginated_newest_last_and_opens_on_the_newest_page(
    as_staff: FlaskClient, session: Session, world: World
) -> None:
    for n in range(1, 56):
        add_comment(session, world.b.project, world.staff, f"Note number {n:02d}.")
    session.commit()
    page = workspace_page(world.b.project)
    html = as_staff.get(page).get_data(as_text=True)
    # 56 comments: page 2 (the newest six) first, oldest first within the page.
    assert "Note number 55." in html and "Note number 50." in html
    assert "Note number 49." not in html
    assert html.index("Note number 50.") < html.index("Note number 55.")
    assert "page 2 of 2" in html and "?comments_page=1#comments" in html
    first = as_staff.get(f"{page}?comments_page=1").get_data(as_text=True)
    assert "Question from Bravo" in first and "Note number 49." in first
    assert "Note number 50." not in first
    for bad in ("0", "x", "١"):
        assert as_staff.get(f"{page}?comments_page={bad}").status_code == 400


def test_a_deactivated_clients_thread_is_read_only_for_staff(
    as_staff: FlaskClient, session: Session, world: World
) -> None:
    from timetracker.comments.operations import READ_ONLY_CLIENT

    world.a.client.is_active = False
    session.commit()
    page = workspace_page(world.a.project)
    html = unescape(as_staff.get(page).get_data(as_text=True))
    assert READ_ONLY_CLIENT in html and "Post comment" not in html
    assert send_token(as_staff, f"{page}/comments", body="Hello?").status_code == 400


def test_a_deleted_comment_cannot_be_edited(
    as_alpha: FlaskClient, session: Session, world: World
) -> None:
    from timetracker.comments.operations import ALREADY_DELETED

    page = portal_page(world.a.project)
    send(as_alpha, page, f"{page}/comments", body="Short-lived")
    comment = comments_of(session, world.a.project)[-1]
    assert send(as_alpha, page, f"{page}/comments/{comment.id}/delete").status_code == 303
    response = send(as_alpha, page, f"{page}/comments/{comment.id}/edit", body="Back again")
    assert response.status_code == 400
    assert ALREADY_DELETED in response.get_data(as_text=True)
    session.refresh(comment)
    assert comment.body == "" and comment.deleted_at is not None


def send_token(browser: FlaskClient, path: str, **data: str) -> Any:
    return browser.post(path, data={"csrf_token": form_fields_token(browser), **data})
