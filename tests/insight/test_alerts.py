"""Budget alerts: one per project, budget and threshold, emailed to the project's staff and,
when the firm allows it, to the client's contacts (about money only when they may see it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_portal_user,
    make_project,
    make_user,
)
from tests.smtp import SmtpServer
from timetracker import firm
from timetracker.billing import publication
from timetracker.insight.alerts import check_budget, recipients
from timetracker.models import BudgetAlert, Client, Project, Settings, TimeEntry, User
from timetracker.workspace.time.timekeeping import create_entry, delete_entry

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def _alerts(session: Session, project: Project) -> set[tuple[str, int]]:
    rows = session.execute(
        select(BudgetAlert.measure, BudgetAlert.threshold).where(
            BudgetAlert.project_id == project.id
        )
    )
    return {(m, t) for m, t in rows}


def _log(session: Session, project: Project, user: User, hours: float, day: int = 0) -> None:
    start = START + dt.timedelta(days=day)
    end = start + dt.timedelta(minutes=int(hours * 60))
    create_entry(session, user, project, start, end, None, True)


def _settings(session: Session, *, to_clients: bool) -> None:
    settings = firm.get_settings()
    settings.budget_alerts_to_clients = to_clients
    session.flush()


@pytest.fixture
def team(ctx: Session) -> tuple[Client, Project, User, User, User]:
    client = make_client(ctx, name="Acme")
    project = make_project(ctx, client, name="Website relaunch", budget_hours=Decimal("10"))
    staff = make_user(ctx, name="Sam Staff", email="sam@acme-firm.example")
    admin = make_admin(ctx, name="Ada Admin", email="ada@acme-firm.example")
    contact = make_portal_user(ctx, client, name="Carl Contact", email="carl@acme.example")
    return client, project, staff, admin, contact


def test_crossing_75_and_90_in_one_entry_records_two_alerts_and_later_entries_none(
    ctx: Session, team: tuple[Client, Project, User, User, User]
) -> None:
    _client, project, staff, _admin, _contact = team
    _log(ctx, project, staff, 7)
    assert _alerts(ctx, project) == set()
    _log(ctx, project, staff, 2, day=1)  # 9 h of 10
    assert _alerts(ctx, project) == {("hours", 75), ("hours", 90)}
    _log(ctx, project, staff, 0.5, day=2)
    assert check_budget(ctx, project.id) == []
    assert _alerts(ctx, project) == {("hours", 75), ("hours", 90)}
    _log(ctx, project, staff, 1, day=3)  # 10.5 h
    assert _alerts(ctx, project) == {("hours", 75), ("hours", 90), ("hours", 100)}


def test_a_threshold_crossed_again_after_a_deletion_sends_nothing_new(
    ctx: Session, team: tuple[Client, Project, User, User, User]
) -> None:
    _client, project, staff, _admin, _contact = team
    _log(ctx, project, staff, 8)
    from timetracker.models import TimeEntry

    entry = ctx.scalars(select(TimeEntry).where(TimeEntry.project_id == project.id)).one()
    delete_entry(ctx, entry)
    _log(ctx, project, staff, 8, day=1)
    assert check_budget(ctx, project.id) == []
    assert _alerts(ctx, project) == {("hours", 75)}


def test_the_budget_in_money_has_its_own_alerts(
    ctx: Session, team: tuple[Client, Project, User, User, User]
) -> None:
    _client, project, staff, _admin, _contact = team
    project.budget_hours = None
    project.budget_amount = Decimal("1000.00")  # 10 h at the client's 100.00
    _log(ctx, project, staff, 10)
    assert _alerts(ctx, project) == {("amount", 75), ("amount", 90), ("amount", 100)}


def test_recipients_are_the_projects_staff_admins_and_contacts_only_when_allowed(
    ctx: Session, team: tuple[Client, Project, User, User, User]
) -> None:
    client, project, staff, _admin, _contact = team
    make_entry(ctx, project, staff)
    gone = make_user(ctx, name="Gone Staff", is_active=False)
    make_entry(ctx, project, gone)
    make_user(ctx, name="Idle Staff")  # no time on the project
    make_admin(ctx, name="Old Admin", is_active=False)
    make_portal_user(ctx, client, name="Former Contact", is_active=False)
    make_portal_user(ctx, make_client(ctx), name="Stranger")
    names = lambda measure: [r.name for r in recipients(ctx, project, measure)]  # noqa: E731
    _settings(ctx, to_clients=False)
    assert names("hours") == ["Ada Admin", "Sam Staff"]
    _settings(ctx, to_clients=True)
    assert names("hours") == ["Ada Admin", "Carl Contact", "Sam Staff"]
    assert names("amount") == ["Ada Admin", "Carl Contact", "Sam Staff"]
    client.portal_shows_amounts = False
    assert names("amount") == ["Ada Admin", "Sam Staff"]
    assert names("hours") == ["Ada Admin", "Carl Contact", "Sam Staff"]


def test_each_new_alert_is_emailed_once_to_each_recipient(
    ctx: Session,
    team: tuple[Client, Project, User, User, User],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    _client, project, staff, _admin, _contact = team
    _settings(ctx, to_clients=True)
    _log(ctx, project, staff, 9)
    subjects = sorted((m["To"].addresses[0].addr_spec, m["Subject"]) for m in smtp_server.messages)
    assert subjects == sorted(
        (to, f"Website relaunch: {t} % of the hours budget used")
        for to in ("ada@acme-firm.example", "carl@acme.example", "sam@acme-firm.example")
        for t in (75, 90)
    )
    by_to = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    staff_text = by_to["sam@acme-firm.example"].get_body(("plain",)).get_content()
    contact_text = by_to["carl@acme.example"].get_body(("plain",)).get_content()
    assert f"https://tt.example.com/projects/{project.id}#forecast" in staff_text
    assert f"https://tt.example.com/client-portal/projects/{project.id}#forecast" in contact_text
    assert "9.00 of 10.00 hours (90 %)" in staff_text
    _log(ctx, project, staff, 0.5, day=1)
    assert len(smtp_server.messages) == 6


def test_contacts_of_a_client_hiding_amounts_get_no_alert_about_money(
    ctx: Session,
    team: tuple[Client, Project, User, User, User],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    client, project, staff, _admin, _contact = team
    _settings(ctx, to_clients=True)
    client.portal_shows_amounts = False
    project.budget_hours = Decimal("100")
    project.budget_amount = Decimal("800.00")
    _log(ctx, project, staff, 6.5)  # 650.00 of 800.00: 75 % of the money, 6.5 % of the hours
    to = sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    assert to == ["ada@acme-firm.example", "sam@acme-firm.example"]
    assert all("75 % of the budget in money" in m["Subject"] for m in smtp_server.messages)


def test_the_alert_goes_after_the_requests_commit(
    app: Flask, connection: object, session: Session, smtp_server: SmtpServer, inline: None
) -> None:
    client = make_client(session, name="Acme")
    project = make_project(session, client, name="Website relaunch", budget_hours=Decimal("2"))
    staff = make_user(session, name="Sam Staff", email="sam@acme-firm.example")
    settings = session.get(Settings, 1) or Settings(id=1)
    session.add(settings)
    session.flush()
    browser = app.test_client()
    login(browser, staff.email)
    response = post(
        browser,
        "/time/new",
        {
            "project": str(project.id),
            "day": "2026-11-02",
            "start": "09:00",
            "end": "10:30",
            "billable": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert [m["Subject"] for m in smtp_server.messages] == [
        "Website relaunch: 75 % of the hours budget used"
    ]
    assert _alerts(session, project) == {("hours", 75)}


def test_a_contact_is_alerted_only_about_time_the_publish_gate_shows(
    ctx: Session,
    team: tuple[Client, Project, User, User, User],
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    """The client's time waits for approval: crossing 75 % with unapproved time emails the
    staff but not the contact (whose portal does not show that time); the figures a contact
    reads are the published ones."""
    client, project, staff, _admin, _contact = team
    _settings(ctx, to_clients=True)
    client.time_requires_approval = True
    _log(ctx, project, staff, 8)  # 80 % of the hours, none of it approved
    to = sorted(m["To"].addresses[0].addr_spec for m in smtp_server.messages)
    assert to == ["ada@acme-firm.example", "sam@acme-firm.example"]

    entries = ctx.scalars(select(TimeEntry.id).where(TimeEntry.project_id == project.id)).all()
    publication.approve(ctx, entries, _admin, firm.now())
    _log(ctx, project, staff, 1.5, day=1)  # 95 %: 80 % approved, 15 % waiting
    contact_mail = [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec
                    == "carl@acme.example"]  # fmt: skip
    assert [m["Subject"] for m in contact_mail] == []  # 90 % is reached only with unapproved time
    assert {m["Subject"] for m in smtp_server.messages[2:]} == {
        "Website relaunch: 90 % of the hours budget used"
    }

    client.time_requires_approval = False  # everything shows: 10 h of 10 reach 100 %
    _log(ctx, project, staff, 0.5, day=2)
    contact_mail = [m for m in smtp_server.messages if m["To"].addresses[0].addr_spec
                    == "carl@acme.example"]  # fmt: skip
    assert [m["Subject"] for m in contact_mail] == [
        "Website relaunch: 100 % of the hours budget used"
    ]
    assert "10.00 of 10.00 hours (100 %)" in contact_mail[0].get_body(("plain",)).get_content()
