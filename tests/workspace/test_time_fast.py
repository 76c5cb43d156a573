"""Fast time entry beyond the grid: restarting an entry, the short timer's discard and its undo,
the project picker, the keyboard shortcuts' help, and the time list grouped by day with the
publish gate's badges and approval boxes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from tests.conftest import login, post
from tests.factories import make_client, make_entry, make_invoice, make_project, make_user
from timetracker.models import ProjectStatus, TimeEntry
from timetracker.workspace.time import undo

NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)
UNDO_TOKEN = re.compile(r'name="token" value="([^"]+)"')


@pytest.fixture
def customer(session):
    return make_client(session, name="Acme")


@pytest.fixture
def project(session, customer):
    return make_project(session, customer, name="Website")


def _count(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(TimeEntry.id)))


# Restart --------------------------------------------------------------------------------------
def test_restart_starts_a_timer_with_the_entrys_project_and_notes(
    as_staff, session, staff, project
):
    entry = make_entry(session, project, staff, start=NOON, notes="Layout")
    response = post(as_staff, f"/time/{entry.id}/restart", {"next": "/time"})
    assert response.status_code == 302 and response.headers["Location"] == "/time"
    running = session.scalars(select(TimeEntry).where(TimeEntry.end_time.is_(None))).one()
    assert (running.user_id, running.project_id, running.notes) == (staff.id, project.id, "Layout")
    assert f'action="/time/{entry.id}/restart"' in as_staff.get("/time").get_data(as_text=True)


def test_restart_refuses_a_second_timer_an_archived_project_and_others_entries(
    as_staff, session, staff, project
):
    mine = make_entry(session, project, staff, start=NOON)
    theirs = make_entry(session, project, make_user(session), start=NOON)
    assert post(as_staff, f"/time/{theirs.id}/restart").status_code == 404
    assert post(as_staff, f"/time/{mine.id}/restart").status_code == 302
    again = post(as_staff, f"/time/{mine.id}/restart")
    assert again.status_code == 400 and "already running" in again.get_data(as_text=True)
    assert _count(session) == 3
    project.status = ProjectStatus.ARCHIVED
    session.execute(TimeEntry.__table__.delete().where(TimeEntry.end_time.is_(None)))
    session.flush()
    assert post(as_staff, f"/time/{mine.id}/restart").status_code == 400
    assert _count(session) == 2


def test_restart_needs_post_and_csrf(as_staff, session, staff, project):
    entry = make_entry(session, project, staff, start=NOON)
    assert as_staff.get(f"/time/{entry.id}/restart").status_code == 405
    assert as_staff.post(f"/time/{entry.id}/restart").status_code == 400
    assert _count(session) == 1


# Short timers: discard and undo ----------------------------------------------------------------
def _short_timer(client, staff, project, seconds: int = 20) -> tuple[str, str]:
    """Start and stop a timer ``seconds`` long; the stop's page and the undo token on it."""
    with time_machine.travel(NOON, tick=False) as clock:
        login(client, staff.email)
        post(client, "/time/timer/start", {"project": project.id, "notes": "Oops"})
        clock.shift(dt.timedelta(seconds=seconds))
        response = post(client, "/time/timer/stop", {"next": "/time"})
        assert response.status_code == 302
        page = client.get("/time").get_data(as_text=True)
    match = UNDO_TOKEN.search(page)
    return page, match.group(1) if match else ""


def test_a_timer_under_a_minute_is_discarded_with_an_undo(client, session, staff, project):
    page, token = _short_timer(client, staff, project)
    assert _count(session) == 0
    assert "Timer discarded" in page and "Undo discard" in page and token
    with time_machine.travel(NOON + dt.timedelta(minutes=5), tick=False):
        # The undo is offered once: the next page no longer has it.
        assert "Undo discard" not in client.get("/time").get_data(as_text=True)
        response = post(client, "/time/timer/undo", {"token": token})
        assert response.status_code == 302
        # A second click restores nothing more.
        assert post(client, "/time/timer/undo", {"token": token}).status_code == 302
    entry = session.scalars(select(TimeEntry)).one()
    assert (entry.project_id, entry.notes, entry.duration_seconds) == (project.id, "Oops", 20)
    assert entry.start_time == NOON and entry.invoice_item_id is None


def test_a_timer_of_a_minute_is_kept(client, session, staff, project):
    page, token = _short_timer(client, staff, project, seconds=60)
    assert not token and "Timer discarded" not in page
    assert _count(session) == 1


def test_an_expired_undo_is_refused(client, session, staff, project):
    _page, token = _short_timer(client, staff, project)
    with time_machine.travel(NOON + dt.timedelta(minutes=11), tick=False):
        response = post(client, "/time/timer/undo", {"token": token})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert _count(session) == 0


def test_a_tampered_or_foreign_undo_is_refused(app, client, session, staff, project):
    _page, token = _short_timer(client, staff, project)
    forged_key = URLSafeTimedSerializer("not the secret", salt="timetracker.timer-undo")
    with app.app_context():
        real = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="timetracker.timer-undo")
        payload = real.loads(token)
    with time_machine.travel(NOON + dt.timedelta(minutes=1), tick=False):
        for bad in (
            token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
            forged_key.dumps({**payload, "start": "2020-01-01T00:00:00+00:00"}),
            "",
        ):
            assert post(client, "/time/timer/undo", {"token": bad}).status_code == 400
        # Someone else's valid token restores nothing for them either.
        colleague = make_user(session)
        other = app.test_client()
        login(other, colleague.email)
        assert post(other, "/time/timer/undo", {"token": token}).status_code == 400
    assert _count(session) == 0


def test_undo_helpers_measure_a_minute():
    entry = TimeEntry(start_time=NOON)
    entry.stop(NOON + dt.timedelta(seconds=59))
    assert undo.is_short(entry)
    entry.stop(NOON + dt.timedelta(seconds=60))
    assert not undo.is_short(entry)


# The project picker ----------------------------------------------------------------------------
def test_the_picker_groups_by_client_with_recent_first_and_chooses_the_latest(
    as_staff, session, staff, customer, project
):
    other = make_project(session, make_client(session, name="Zeta"), name="Audit")
    make_project(session, customer, name="Support")
    make_entry(session, other, staff, start=NOON)
    html = as_staff.get("/time/new").get_data(as_text=True)
    select_html = html.split('id="project"')[1].split("</select>")[0]
    groups = re.findall(r'<optgroup label="([^"]+)"', select_html)
    assert groups == ["Recent", "Acme"]  # Zeta's only project is under "Recent"
    assert re.search(rf'<option selected value="{other.id}">Zeta · Audit</option>', select_html)
    assert "data-project-filter" in html and "Filter projects" in html
    # The timer's form chooses it too.
    timer = as_staff.get("/time").get_data(as_text=True).split("data-timer-start-form")[1]
    assert f'<option selected value="{other.id}">' in timer.split("</select>")[0]


def test_without_recent_time_nothing_is_chosen(as_staff, session, project):
    html = as_staff.get("/time/new").get_data(as_text=True)
    select_html = html.split('id="project"')[1].split("</select>")[0]
    assert re.search(r'<option selected value="">Choose a project…</option>', select_html)
    assert "Recent" not in select_html


def test_the_edit_forms_duration_placeholder_is_a_neutral_hint(as_staff, session, staff, project):
    entry = make_entry(session, project, staff, start=NOON, minutes=45)
    html = as_staff.get(f"/time/{entry.id}/edit").get_data(as_text=True)
    duration = (
        html.split('id="duration"')[0].rsplit("<input", 1)[1]
        + html.split('id="duration"')[1].split(">")[0]
    )
    assert 'placeholder="e.g. 1:30 or 1.5"' in duration


# Keyboard shortcuts ----------------------------------------------------------------------------
@pytest.mark.parametrize("page", ["/time", "/time/week", "/time/new", "/dashboard", "/clients"])
def test_every_staff_page_has_the_shortcuts_and_their_script(as_staff, page):
    html = as_staff.get(page).get_data(as_text=True)
    assert 'id="shortcuts"' in html and "Keyboard shortcuts" in html
    assert 'data-new-url="/time/new"' in html and 'data-start-url="/time#start-timer"' in html
    assert html.count("/static/js/time.js") == 1
    for key in ("<kbd>n</kbd>", "<kbd>s</kbd>", "<kbd>/</kbd>", "<kbd>?</kbd>"):
        assert key in html


def test_the_running_timer_feeds_the_tab_title(as_staff, session, staff, project):
    make_entry(session, project, staff, start=NOON, minutes=None)
    html = as_staff.get("/clients").get_data(as_text=True)
    assert 'data-timer-title="Website"' in html and "data-timer-stop-form" in html


def test_portal_pages_have_no_shortcuts(as_portal):
    html = as_portal.get("/client-portal").get_data(as_text=True)
    assert "time.js" not in html


# The list: days, badges, approval --------------------------------------------------------------
def test_the_list_groups_entries_by_day_with_the_days_total(as_staff, session, staff, project):
    make_entry(session, project, staff, start=NOON, minutes=60)
    make_entry(session, project, staff, start=NOON + dt.timedelta(hours=2), minutes=30)
    make_entry(session, project, staff, start=NOON - dt.timedelta(days=1), minutes=15)
    html = as_staff.get("/time").get_data(as_text=True)
    assert html.count('class="day-heading') == 2
    totals = re.findall(r'data-testid="day-total">([^<]+)<', html)
    assert totals == ["1.50 h", "0.25 h"]
    assert "/static/css/time.css" in html


def test_gate_badges_and_approval_boxes_without_n_plus_one(
    app, as_admin, session, staff, customer, project, count_queries
):
    customer.time_requires_approval = True
    plain = make_project(session, make_client(session), name="Plain")
    invoice = make_invoice(session, customer)
    waiting = make_entry(session, project, staff, start=NOON)
    approved = make_entry(session, project, staff, start=NOON, approved_at=NOON)
    billed = make_entry(session, project, staff, start=NOON, invoice_item_id=invoice.items[0].id)
    make_entry(session, plain, staff, start=NOON)
    for i in range(5):
        make_entry(session, project, staff, start=NOON - dt.timedelta(days=i + 1))
    count_queries.statements.clear()
    html = as_admin.get("/time?user=").get_data(as_text=True)
    # As many statements for more entries of more clients: nothing per row.
    first = count_queries.count
    for _ in range(4):
        make_entry(session, make_project(session, make_client(session)), staff, start=NOON)
    count_queries.statements.clear()
    as_admin.get("/time?user=")
    assert count_queries.count == first
    per_row = [
        s for s in count_queries.statements if re.search(r"WHERE (clients|projects)\.id = ", s)
    ]
    assert not per_row, per_row
    assert html.count('data-testid="awaiting"') == 6
    assert html.count('data-testid="approved"') == 1
    boxes = re.findall(r'name="entry_ids" value="(\d+)" form="approve-form"', html)
    assert str(waiting.id) in boxes and str(approved.id) not in boxes
    assert str(billed.id) not in boxes and len(boxes) == 6
    assert 'action="/time/approve"' in html and "Approve selected" in html
    # The filter: only what waits for approval.
    filtered = as_admin.get("/time?user=&awaiting=y").get_data(as_text=True)
    assert filtered.count('class="entry-row"') == 6
    # ...and its CSV export (the link carries the filter) holds the same six entries.
    assert 'href="/time/export.csv?user=&amp;awaiting=y"' in filtered
    csv_all = as_admin.get("/time/export.csv?user=").get_data(as_text=True)
    csv_waiting = as_admin.get("/time/export.csv?user=&awaiting=y").get_data(as_text=True)
    assert len(csv_all.splitlines()) == 1 + 13
    assert len(csv_waiting.splitlines()) == 1 + 6
    response = post(as_admin, "/time/approve", {"entry_ids": [waiting.id]}, token_from="/time")
    assert response.status_code == 302
    session.refresh(waiting)
    assert waiting.approved_at is not None


def test_staff_see_badges_but_no_approval_form(as_staff, session, staff, customer, project):
    customer.time_requires_approval = True
    make_entry(session, project, staff, start=NOON)
    html = as_staff.get("/time").get_data(as_text=True)
    assert 'data-testid="awaiting"' in html
    assert "Approve selected" not in html and 'name="entry_ids"' not in html
