"""Staff side: administrators post status updates and add, edit and delete notes on the
workspace project page; bad input is a 400 that writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import post
from tests.portal.conftest import INTERNAL, SHARED, add_note, signed_in
from timetracker.models import ProjectNote, ProjectStatusUpdate


def _counts(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count(ProjectStatusUpdate.id))),
        session.scalar(select(func.count(ProjectNote.id))),
    )


def _note(session, body):
    return session.scalars(select(ProjectNote).where(ProjectNote.body == body)).one()


WRITES = [
    ("status-updates", {"status": "on_track", "message": "All good"}),
    ("notes", {"body": "A note", "visible_to_client": "y"}),
    ("notes/edit", {"note_id": "{note}", "body": "Changed"}),
    ("notes/delete", {"note_id": "{note}"}),
]


def _write(world, session, suffix, data):
    note = _note(session, INTERNAL)
    path = f"/projects/{world.a.project.id}/{suffix}"
    return path, {k: v.format(note=note.id) for k, v in data.items()}


class TestPermissions:
    @pytest.mark.parametrize(("suffix", "data"), WRITES)
    def test_anonymous_is_sent_to_login(self, app, session, world, suffix, data):
        path, form = _write(world, session, suffix, data)
        browser = signed_in(app, None)
        response = post(browser, path, form, token_from="/login")
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
        assert _counts(session) == (3, 3)

    @pytest.mark.parametrize("role", ["portal", "staff"])
    @pytest.mark.parametrize(("suffix", "data"), WRITES)
    def test_portal_users_and_staff_are_refused(self, app, session, world, role, suffix, data):
        user = world.a.portal_user if role == "portal" else world.staff
        path, form = _write(world, session, suffix, data)
        response = post(signed_in(app, user), path, form)
        assert response.status_code == 403
        assert _counts(session) == (3, 3)
        assert _note(session, INTERNAL).body == INTERNAL

    def test_staff_read_updates_and_notes_but_get_no_forms(self, as_staff, world):
        html = as_staff.get(f"/projects/{world.a.project.id}").get_data(as_text=True)
        assert "Alpha waits for content" in html and INTERNAL in html and SHARED in html
        assert "/status-updates" not in html and "/notes" not in html

    def test_get_is_not_allowed(self, as_admin, world):
        for suffix in ("status-updates", "notes", "notes/edit", "notes/delete"):
            assert as_admin.get(f"/projects/{world.a.project.id}/{suffix}").status_code == 405


class TestStatusUpdates:
    def test_admin_posts_an_update_that_becomes_the_current_status(self, as_admin, session, world):
        project = world.a.project
        response = post(
            as_admin,
            f"/projects/{project.id}/status-updates",
            {"status": "blocked", "message": "  Waiting for the API keys  "},
        )
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/projects/{project.id}#status-updates")
        update = session.scalars(
            select(ProjectStatusUpdate).order_by(ProjectStatusUpdate.id.desc())
        ).first()
        assert (update.status, update.message, update.author_id) == (
            "blocked",
            "Waiting for the API keys",
            world.admin.id,
        )
        html = as_admin.get(f"/projects/{project.id}").get_data(as_text=True)
        header = html.split("</h1>")[0]
        assert 'data-status="blocked"' in header
        listing = as_admin.get("/projects").get_data(as_text=True)
        row = next(r for r in listing.split("<tr>") if "Alpha Website" in r)
        assert 'data-status="blocked"' in row and "Blocked" in row
        row_b = next(r for r in listing.split("<tr>") if "Bravo Website" in r)
        assert 'data-status="blocked"' in row_b  # Bravo's own latest update

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            ({"status": "great", "message": "x"}, "Choose one of the statuses: On track, At risk"),
            ({"status": "", "message": "x"}, "Choose one of the statuses"),
            ({"message": "x"}, "Choose one of the statuses"),
            ({"status": "on_track", "message": "   "}, "Write a short message"),
            ({"status": "on_track", "message": "x" * 2001}, "2000"),
        ],
    )
    def test_bad_input_is_400_and_writes_nothing(self, as_admin, session, world, data, message):
        response = post(as_admin, f"/projects/{world.a.project.id}/status-updates", data)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert _counts(session) == (3, 3)

    def test_unknown_project_is_404(self, as_admin, session, world):
        response = post(
            as_admin, "/projects/987654321/status-updates", {"status": "on_track", "message": "x"}
        )
        assert response.status_code == 404
        assert _counts(session) == (3, 3)

    def test_history_is_paginated_newest_first(self, as_admin, session, world):
        for i in range(12):
            post(
                as_admin,
                f"/projects/{world.b.project.id}/status-updates",
                {"status": "on_track", "message": f"Week {i:02d}"},
            )
        first = as_admin.get(f"/projects/{world.b.project.id}").get_data(as_text=True)
        assert "Week 11" in first and "Week 02" in first and "Week 01" not in first
        second = as_admin.get(f"/projects/{world.b.project.id}?page=2").get_data(as_text=True)
        assert "Week 01" in second and "Week 00" in second and "Bravo secret blocker" in second
        assert "Week 11" not in second
        assert as_admin.get(f"/projects/{world.b.project.id}?page=x").status_code == 400


class TestNotes:
    def test_a_new_note_is_internal_unless_marked_visible(self, as_admin, session, world):
        path = f"/projects/{world.a.project.id}/notes"
        assert post(as_admin, path, {"body": "Only for us"}).status_code == 302
        assert (
            post(as_admin, path, {"body": "For them", "visible_to_client": "y"}).status_code == 302
        )
        assert _note(session, "Only for us").visible_to_client is False
        shared = _note(session, "For them")
        assert (shared.visible_to_client, shared.author_id) == (True, world.admin.id)

    def test_edit_changes_text_and_visibility(self, as_admin, session, world):
        note = _note(session, INTERNAL)
        response = post(
            as_admin,
            f"/projects/{world.a.project.id}/notes/edit",
            {"note_id": note.id, "body": "Now shared", "visible_to_client": "y"},
        )
        assert response.status_code == 302
        session.refresh(note)
        assert (note.body, note.visible_to_client) == ("Now shared", True)
        assert note.updated_at is not None

    def test_edit_unticked_box_makes_a_note_internal(self, as_admin, session, world):
        note = _note(session, SHARED)
        post(
            as_admin,
            f"/projects/{world.a.project.id}/notes/edit",
            {"note_id": note.id, "body": "x"},
        )
        session.refresh(note)
        assert note.visible_to_client is False

    def test_delete(self, as_admin, session, world):
        note = _note(session, INTERNAL)
        path = f"/projects/{world.a.project.id}/notes/delete"
        assert post(as_admin, path, {"note_id": note.id}).status_code == 302
        assert _counts(session) == (3, 2)

    @pytest.mark.parametrize("suffix", ["notes/edit", "notes/delete"])
    def test_a_note_of_another_project_or_none_is_404(self, as_admin, session, world, suffix):
        other = _note(session, "Bravo shared note")
        path = f"/projects/{world.a.project.id}/{suffix}"
        foreign = post(as_admin, path, {"note_id": other.id, "body": "hijack"})
        missing = post(as_admin, path, {"note_id": 987654321, "body": "hijack"})
        assert foreign.status_code == missing.status_code == 404
        assert _note(session, "Bravo shared note").body == "Bravo shared note"
        assert _counts(session) == (3, 3)

    @pytest.mark.parametrize(
        ("suffix", "data", "message"),
        [
            ("notes", {"body": "  "}, "Write the note."),
            ("notes", {"body": "x" * 5001}, "5000"),
            ("notes/edit", {"note_id": "{note}", "body": ""}, "Write the note."),
            ("notes/edit", {"note_id": "abc", "body": "x"}, "Choose a note from the list."),
            ("notes/edit", {"body": "x"}, "Say which note."),
            ("notes/delete", {"note_id": "1e3"}, "Choose a note from the list."),
            ("notes/delete", {}, "Say which note."),
        ],
    )
    def test_bad_input_is_400_and_writes_nothing(
        self, as_admin, session, world, suffix, data, message
    ):
        path, form = _write(world, session, suffix, data)
        response = post(as_admin, path, form)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
        assert _counts(session) == (3, 3)
        assert _note(session, INTERNAL).visible_to_client is False

    def test_a_failed_edit_reopens_that_note_with_the_message(self, as_admin, session, world):
        note = _note(session, INTERNAL)
        response = post(
            as_admin, f"/projects/{world.a.project.id}/notes/edit", {"note_id": note.id, "body": ""}
        )
        html = response.get_data(as_text=True)
        article = html.split(f'id="note-{note.id}"')[1].split("</article>")[0]
        assert "<details open>" in article and "Write the note." in article

    def test_note_text_is_escaped(self, as_admin, session, world):
        add_note(session, world.a.project, "<script>alert(1)</script>", False)
        session.commit()
        html = as_admin.get(f"/projects/{world.a.project.id}").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
