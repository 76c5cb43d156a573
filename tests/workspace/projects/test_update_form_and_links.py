"""The status form starts from the project's current status (a quick update must not silently
change the client's badge), and URLs in notes and status updates are links, safely."""

from __future__ import annotations

import re

from tests.conftest import post
from tests.factories import make_project
from tests.portal.conftest import add_note, add_update


def _selected_status(html: str) -> list[str]:
    form = html.split('aria-label="Post a status update"')[1].split("</form>")[0]
    select = form.split('name="status"')[1].split("</select>")[0]
    return re.findall(r'<option selected value="([^"]+)"|<option value="([^"]+)" selected', select)


def _selected(html: str) -> str:
    found = [a or b for a, b in _selected_status(html)]
    assert len(found) == 1, found
    return found[0]


def test_the_status_form_starts_from_the_current_status(as_admin, world):
    project = world.a.project
    # The world's latest update of Alpha says "at risk".
    assert _selected(as_admin.get(f"/projects/{project.id}").get_data(as_text=True)) == "at_risk"
    response = post(
        as_admin, f"/projects/{project.id}/status-updates", {"status": "blocked", "message": "Keys"}
    )
    assert response.status_code == 302
    html = as_admin.get(f"/projects/{project.id}").get_data(as_text=True)
    assert _selected(html) == "blocked"


def test_a_project_without_updates_starts_on_track(as_admin, session, world):
    project = make_project(session, world.a.client, name="Fresh")
    session.commit()
    html = as_admin.get(f"/projects/{project.id}").get_data(as_text=True)
    assert _selected_status(html) == [] or _selected(html) == "on_track"
    # Without a choice the browser shows the first option, "On track".
    select = html.split('name="status"')[1].split("</select>")[0]
    assert re.findall(r'<option[^>]*value="([^"]+)"', select)[0] == "on_track"


def test_a_rejected_note_keeps_the_status_form_on_the_current_status(as_admin, world):
    project = world.a.project
    response = post(as_admin, f"/projects/{project.id}/notes", {"body": "  "})
    assert response.status_code == 400
    assert _selected(response.get_data(as_text=True)) == "at_risk"


def test_a_rejected_update_keeps_the_status_that_was_posted(as_admin, world):
    project = world.a.project
    response = post(
        as_admin, f"/projects/{project.id}/status-updates", {"status": "on_hold", "message": ""}
    )
    assert response.status_code == 400
    assert _selected(response.get_data(as_text=True)) == "on_hold"


def test_urls_in_notes_and_updates_are_links_and_nothing_else_is(as_staff, session, world):
    project = world.a.project
    add_note(
        session,
        project,
        "Specs: https://docs.example/spec?a=1&b=2. Not: javascript:alert(1) <b>bold</b>",
        False,
        world.admin,
    )
    add_update(session, project, "on_track", "Preview at https://staging.example/alpha", 9)
    session.commit()
    html = as_staff.get(f"/projects/{project.id}").get_data(as_text=True)
    rel = 'rel="nofollow noopener noreferrer"'
    assert f'<a href="https://docs.example/spec?a=1&amp;b=2" {rel}>' in html
    assert f'<a href="https://staging.example/alpha" {rel}>' in html
    assert 'href="javascript:' not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold</b>" not in html
