"""Another client's comments are the same 404 as missing ones, on every comment route: the
ids are enumerated (another client's project, another client's comment under one's own
project, a comment of another of one's own projects, ids that do not exist), and nothing of
the other client's thread changes or shows."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.comments.conftest import World, add_comment, comments_of, portal_page, workspace_page
from tests.conftest import csrf_token
from timetracker.comments.views import URLS

MISSING = 987_654
# (The clock stands still: the pages carry a time-stamped CSRF token, and "the same 404" means
# the same bytes.)


def _paths(prefix: str, project_id: int, comment_id: int) -> list[str]:
    base = f"{prefix}/projects/{project_id}/comments"
    return [base, f"{base}/{comment_id}/edit", f"{base}/{comment_id}/delete"]


def _routes_of(prefix: str) -> set[str]:
    return {rule for rule, *_ in URLS if rule.startswith(prefix or "/projects")}


def test_the_table_has_the_routes_enumerated_here() -> None:
    assert _routes_of("/client-portal") == {
        "/client-portal/projects/<int:project_id>/comments",
        "/client-portal/projects/<int:project_id>/comments/<int:comment_id>/edit",
        "/client-portal/projects/<int:project_id>/comments/<int:comment_id>/delete",
    }
    assert len(_routes_of("")) == 3


def _answers(browser: FlaskClient, paths: list[str]) -> list[tuple[int, bytes]]:
    token = csrf_token(browser, "/account")
    data = {"csrf_token": token, "body": "Injected", "seen_up_to": "0"}
    return [
        (response.status_code, response.get_data())
        for response in (browser.post(path, data=data) for path in paths)
    ]


def test_a_contact_reaches_no_other_clients_comment(
    app: Flask, as_alpha: FlaskClient, session: Session, world: World, frozen_clock: Any
) -> None:
    own_other = add_comment(session, world.archived, world.a.contact, "On the archived project")
    session.commit()
    p = "/client-portal"
    missing = _answers(as_alpha, _paths(p, MISSING, MISSING))
    assert {status for status, _ in missing} == {404}
    foreign = {
        "the other client's project": _paths(p, world.b.project.id, world.b.comment.id),
        "its comment under our project": _paths(p, world.a.project.id, world.b.comment.id),
        "our comment under the other project": _paths(p, world.b.project.id, world.a.comment.id),
        "our other project's comment": _paths(p, world.a.project.id, own_other.id),
        "a missing comment": _paths(p, world.a.project.id, MISSING),
    }
    own_thread = (
        "its comment under our project",
        "our other project's comment",
        "a missing comment",
    )
    for case, paths in foreign.items():
        if case in own_thread:  # (posting to our own project's thread is allowed)
            assert _answers(as_alpha, paths[1:]) == missing[1:], case
        else:
            assert _answers(as_alpha, paths) == missing, case
    assert [c.body for c in comments_of(session, world.b.project)] == ["Question from Bravo"]
    assert comments_of(session, world.archived)[0].deleted_at is None
    assert as_alpha.get(portal_page(world.b.project)).status_code == 404
    html = as_alpha.get(portal_page(world.a.project)).get_data(as_text=True)
    assert "Question from Bravo" not in html


def test_staff_reach_comments_only_within_their_project(
    as_admin: FlaskClient, session: Session, world: World, frozen_clock: Any
) -> None:
    missing = _answers(as_admin, _paths("", world.a.project.id, MISSING)[1:])
    assert {status for status, _ in missing} == {404}
    crossed = _answers(as_admin, _paths("", world.a.project.id, world.b.comment.id)[1:])
    assert crossed == missing
    nowhere = _answers(as_admin, _paths("", MISSING, world.b.comment.id))
    assert {status for status, _ in nowhere} == {404}
    assert [c.body for c in comments_of(session, world.b.project)] == ["Question from Bravo"]
    assert comments_of(session, world.b.project)[0].deleted_at is None


def test_contacts_have_no_workspace_routes_and_staff_no_portal_routes(
    as_alpha: FlaskClient, as_staff: FlaskClient, world: World
) -> None:
    for status, _ in _answers(as_alpha, _paths("", world.a.project.id, world.a.comment.id)):
        assert status == 403
    portal = _paths("/client-portal", world.a.project.id, world.a.comment.id)
    for status, _ in _answers(as_staff, portal):
        assert status == 403
    assert as_alpha.get(workspace_page(world.a.project)).status_code == 403


def test_every_comment_route_is_post_only(as_alpha: FlaskClient, world: World) -> None:
    for path in _paths("/client-portal", world.a.project.id, world.a.comment.id):
        assert as_alpha.get(path).status_code == 405
