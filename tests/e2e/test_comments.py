"""Comments in a real browser: a client contact asks a question on a project page, a member
of staff who works on the project sees the unread badge, opens the thread and answers with a
mention, and the contact sees the badge and the answer. The test makes its own client,
contact, staff member and project, so no other flow sees them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tests.e2e.seed import PASSWORD
from tests.e2e.support import Browse
from timetracker import create_app, db
from timetracker.auth.passwords import hash_password
from timetracker.models import Client, Project, Role, TimeEntry, User


@dataclass(frozen=True)
class Made:
    contact_email: str
    contact_name: str
    staff_email: str
    project_id: int
    project_name: str


def _make(database_url: str) -> Made:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "e2e-comments",
            "DATABASE_URL": database_url,
            "REDIS_URL": None,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_ENABLED": False,
        }
    )
    try:
        with app.app_context():
            session = db.session
            client = Client(
                name="Initech Studio", currency="EUR", default_hourly_rate=Decimal("100.00")
            )
            session.add(client)
            session.flush()
            project = Project(name="Glider relaunch", client_id=client.id)
            contact = User(
                name="Harry Osborn",
                email="harry@initech.example",
                password_hash=hash_password(PASSWORD),
                role=Role.CLIENT,
                client_portal_enabled=True,
                client_id=client.id,
            )
            staff = User(
                name="Peggy Carter",
                email="peggy@firm.example",
                password_hash=hash_password(PASSWORD),
                role=Role.STAFF,
            )
            session.add_all([project, contact, staff])
            session.flush()
            start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
            entry = TimeEntry(
                user_id=staff.id,
                project_id=project.id,
                start_time=start,
                notes="Kick-off",
                billable=True,
            )
            entry.stop(start + dt.timedelta(hours=2))
            session.add(entry)
            session.commit()
            return Made(contact.email, contact.name, staff.email, project.id, project.name)
    finally:
        app.extensions["timetracker.engine"].dispose()


def test_a_contact_asks_and_staff_answer_with_the_unread_badge(browse: Browse) -> None:
    made = _make(browse.server.database_url)
    page = browse.page
    main = page.locator("main")
    nav = page.get_by_role("navigation", name="Main")

    # The contact asks on the project page.
    browse.login(made.contact_email, PASSWORD)
    browse.click_and_wait(nav.get_by_role("link", name="Projects"))
    browse.click_and_wait(main.get_by_role("link", name=made.project_name))
    portal_path = f"/client-portal/projects/{made.project_id}"
    assert browse.path == portal_path
    thread = page.get_by_test_id("comments")
    assert "No comments yet." in thread.inner_text()
    form = page.get_by_test_id("comment-form")
    # An empty comment is refused with the reason, and nothing is posted.
    browse.expect_status(f"{portal_path}/comments", 400)
    browse.click_and_wait(form.get_by_role("button", name="Post comment"))
    assert "Write a comment before posting it." in main.inner_text()
    form = page.get_by_test_id("comment-form")
    form.get_by_label("Comment", exact=True).fill(
        "Can we move the **launch** to Friday?\n\n<script>alert('x')</script>"
    )
    browse.click_and_wait(form.get_by_role("button", name="Post comment"))
    assert browse.path == portal_path
    assert "Comment posted." in main.inner_text()
    comment = page.get_by_test_id("comment").last
    assert comment.get_by_test_id("comment-author").inner_text() == made.contact_name
    body = comment.get_by_test_id("comment-body")
    assert body.locator("strong").inner_text() == "launch"
    assert "<script>alert('x')</script>" in body.inner_text()  # shown as text
    assert page.get_by_test_id("unread-comments").count() == 0
    browse.screens("portal-project-comments-flow")
    browse.logout()

    # Staff who work on the project see the unread badge and answer with a mention.
    browse.login(made.staff_email, PASSWORD)
    badge = nav.get_by_test_id("unread-comments")
    assert badge.inner_text().startswith("1")
    browse.goto(f"/projects/{made.project_id}")
    thread = page.get_by_test_id("comments")
    assert thread.get_by_test_id("comment-new").count() == 1
    assert "Can we move the launch to Friday?" in thread.inner_text()
    assert page.get_by_test_id("unread-comments").count() == 0  # read on this page
    assert made.contact_name in page.get_by_test_id("comment-people").inner_text()
    form = page.get_by_test_id("comment-form")
    form.get_by_label("Comment", exact=True).fill(f"@{made.contact_name} Friday works for us.")
    browse.click_and_wait(form.get_by_role("button", name="Post comment"))
    assert browse.path == f"/projects/{made.project_id}"
    answer = page.get_by_test_id("comment").last
    assert "Friday works for us." in answer.inner_text()
    browse.screens("workspace-project-comments")
    browse.logout()

    # The contact sees the badge, then the answer.
    browse.login(made.contact_email, PASSWORD)
    assert nav.get_by_test_id("unread-comments").inner_text().startswith("1")
    browse.click_and_wait(nav.get_by_role("link", name="Projects"))
    browse.click_and_wait(main.get_by_role("link", name=made.project_name))
    answer = page.get_by_test_id("comment").last
    assert answer.get_by_test_id("comment-author").inner_text() == "Peggy Carter"
    assert answer.get_by_test_id("comment-new").count() == 1
    assert "Friday works for us." in answer.inner_text()
    assert page.get_by_test_id("unread-comments").count() == 0
