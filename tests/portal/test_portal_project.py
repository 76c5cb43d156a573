"""Client side: the portal's project page (figures, status history, shared notes), status
badges on the project list, isolation between clients, and query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import post
from tests.factories import make_entry, make_project
from tests.portal.conftest import INTERNAL, SHARED, add_note, add_update, signed_in
from tests.test_client_portal import PORTAL_PAGES, same_page


def _detail(project) -> str:
    return f"/client-portal/projects/{project.id}"


class TestProjectPage:
    def test_shows_figures_current_status_history_and_shared_notes(self, as_alpha, world):
        response = as_alpha.get(_detail(world.a.project))
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        header = html.split("</h1>")[0]
        assert "Alpha Website" in header and 'data-status="at_risk"' in header
        assert 'data-stat="hours">1.50<' in html
        assert "150.00" in html  # 1.5 billable hours at 100
        assert "1.50 of 10.00 hours" in html
        history = html.split('data-testid="status-updates"')[1].split("</ol>")[0]
        assert history.index("Alpha waits for content") < history.index("Alpha kick-off")
        assert "Ada Admin" in history
        assert SHARED in html
        assert INTERNAL not in html

    def test_archived_projects_of_the_client_are_viewable(self, as_alpha, world):
        response = as_alpha.get(_detail(world.a.archived))
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "Archived" in html.split("</h1>")[0]
        assert "No status updates yet." in html

    def test_history_is_paginated(self, app, session, world):
        for day in range(1, 28):
            add_update(session, world.b.project, "on_track", f"Bravo day {day:02d}", day)
        session.commit()
        browser = signed_in(app, world.b.portal_user)
        first = browser.get(_detail(world.b.project)).get_data(as_text=True)
        assert "Bravo day 27" in first and "page 1 of 3" in first
        assert "Bravo day 18" in first and "Bravo day 17" not in first
        last = browser.get(_detail(world.b.project) + "?page=3").get_data(as_text=True)
        assert "Bravo day 27" not in last and "Bravo day 01" in last
        assert "Bravo secret blocker" in last  # the fixture's update of 3 March
        bad = browser.get(_detail(world.b.project) + "?page=0")
        assert bad.status_code == 400
        assert "page must be a whole number" in bad.get_data(as_text=True)

    def test_project_list_links_the_page_and_shows_the_current_status(self, as_alpha, world):
        html = as_alpha.get("/client-portal/projects").get_data(as_text=True)
        assert f'href="{_detail(world.a.project)}"' in html
        row = next(r for r in html.split("<tr>") if "Alpha Website" in r)
        assert 'data-status="at_risk"' in row and "At risk" in row

    def test_a_project_without_updates_says_so_on_the_list(self, app, session, world):
        make_project(session, world.a.client, name="Alpha Fresh")
        session.commit()
        html = signed_in(app, world.a.portal_user).get("/client-portal/projects")
        row = next(r for r in html.get_data(as_text=True).split("<tr>") if "Alpha Fresh" in r)
        assert "No update yet" in row

    def test_is_read_only_but_for_its_declared_actions(self, as_alpha, world):
        html = as_alpha.get(_detail(world.a.project)).get_data(as_text=True)
        forms = [f.split(">")[0] for f in html.split("<form")[1:]]
        # Posting a comment is the page's one declared action (uploads are off by default).
        thread = re.escape(f"{_detail(world.a.project)}/comments")
        others = [f for f in forms if not re.search(f'action="(?:/logout|{thread})"', f)]
        assert others == []
        assert any(f'action="{_detail(world.a.project)}/comments"' in f for f in forms)
        # With a valid CSRF token, so that only the missing route can refuse the POST.
        response = post(as_alpha, _detail(world.a.project), token_from="/account")
        assert response.status_code == 405
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


class TestIsolation:
    def test_other_clients_and_missing_projects_answer_the_same_404(self, as_alpha, world):
        reference = as_alpha.get("/client-portal/projects/987654321")
        assert reference.status_code == 404
        for project in (world.b.project, world.b.archived):
            for suffix in ("", "?page=2"):
                response = as_alpha.get(_detail(project) + suffix)
                assert response.status_code == 404
                assert same_page(response) == same_page(reference)
                html = response.get_data(as_text=True)
                assert "Bravo" not in html

    def test_internal_notes_never_reach_any_portal_page(self, app, session, world):
        add_note(session, world.a.archived, "Internal archive remark", False)
        session.commit()
        browser = signed_in(app, world.a.portal_user)
        paths = PORTAL_PAGES + [_detail(world.a.project), _detail(world.a.archived)]
        paths += [f"/client-portal/time-entries?project_id={world.a.project.id}"]
        for path in paths:
            html = browser.get(path).get_data(as_text=True)
            for secret in (INTERNAL, "Internal archive remark", "Bravo secret blocker"):
                assert secret not in html, (path, secret)

    def test_a_note_becomes_visible_only_when_shared(self, app, session, world):
        note = add_note(session, world.a.project, "Draft remark", False)
        session.commit()
        browser = signed_in(app, world.a.portal_user)
        assert "Draft remark" not in browser.get(_detail(world.a.project)).get_data(as_text=True)
        note.visible_to_client = True
        session.commit()
        assert "Draft remark" in browser.get(_detail(world.a.project)).get_data(as_text=True)

    @pytest.mark.parametrize("role", ["anonymous", "staff", "admin"])
    def test_non_portal_users_are_refused(self, app, world, role):
        user = {"anonymous": None, "staff": world.staff, "admin": world.admin}[role]
        response = signed_in(app, user).get(_detail(world.a.project))
        if role == "anonymous":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403


class TestQueryCount:
    def _count(self, browser, count_queries, path) -> int:
        before = count_queries.count
        assert browser.get(path).status_code == 200, path
        return count_queries.count - before

    def test_project_pages_stay_within_ten_queries_whatever_the_data(
        self, app, session, world, count_queries
    ):
        browser = signed_in(app, world.a.portal_user)
        paths = [_detail(world.a.project), _detail(world.a.archived), "/client-portal/projects"]
        small = {path: self._count(browser, count_queries, path) for path in paths}
        for i in range(25):
            project = make_project(session, world.a.client, name=f"Alpha extra {i}")
            add_update(session, project, "on_track", f"Extra {i}", 1 + i)
            add_update(session, world.a.project, "completed", f"More {i}", 1 + i)
            add_note(session, world.a.project, f"Shared {i}", True)
            add_note(session, world.a.project, f"Internal {i}", False)
            make_entry(
                session,
                world.a.project,
                world.staff,
                start=dt.datetime(2026, 2, 1 + i, 9, tzinfo=dt.UTC),
            )
        session.commit()
        large = {path: self._count(browser, count_queries, path) for path in paths}
        assert large == small
        # The figures, the status history and the notes take 8; the comment thread (read mark,
        # count, page, newest id, people to mention), its unread count in the navigation, the
        # documents section and the budget forecast take the rest.
        assert max(large.values()) <= 16, large
