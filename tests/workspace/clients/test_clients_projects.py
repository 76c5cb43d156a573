"""Clients and projects: create, edit, (de)activate, rates, budgets and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import post
from tests.factories import make_client, make_entry, make_project
from timetracker.models import Client, Project, ProjectStatus
from timetracker.workspace.clients import queries as client_queries

CLIENT = {"name": "Globex", "currency": "gbp", "default_hourly_rate": "120.50"}


def _clients(session) -> int:
    return session.scalar(select(func.count(Client.id)))


def _projects(session) -> int:
    return session.scalar(select(func.count(Project.id)))


def test_admin_creates_and_edits_a_client(as_admin, session):
    response = post(as_admin, "/clients/new", {**CLIENT, "contact_email": "AP@Globex.example"})
    assert response.status_code == 302, response.get_data(as_text=True)
    customer = session.scalars(select(Client)).one()
    assert (customer.currency, customer.default_hourly_rate, customer.contact_email) == (
        "GBP",
        Decimal("120.50"),
        "ap@globex.example",
    )
    data = {**CLIENT, "name": "Globex Ltd", "default_hourly_rate": "130"}
    assert post(as_admin, f"/clients/{customer.id}/edit", data).status_code == 302
    session.refresh(customer)
    assert (customer.name, customer.default_hourly_rate) == ("Globex Ltd", Decimal("130.00"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"default_hourly_rate": "12a"}, "Enter a number using digits"),
        ({"default_hourly_rate": "-5"}, "at least 0"),
        ({"currency": "EURO"}, "three-letter currency code"),
        ({"currency": "XYZ"}, "ISO 4217 currency code"),
        ({"name": "  "}, "Enter the client&#39;s name."),
        ({"contact_email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_bad_client_input_writes_nothing(as_admin, session, data, message):
    response = post(as_admin, "/clients/new", {**CLIENT, **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _clients(session) == 0


def test_client_names_are_unique_ignoring_case(as_admin, session):
    make_client(session, name="Globex")
    response = post(as_admin, "/clients/new", {**CLIENT, "name": "GLOBEX"})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert _clients(session) == 1


def test_a_duplicate_that_slips_past_the_check_is_refused_by_the_database(
    as_admin, session, monkeypatch
):
    """Two admins saving the same new name at once: the unique index answers, not a 500."""
    make_client(session, name="Globex")
    monkeypatch.setattr(client_queries, "name_taken", lambda *_: False)
    response = post(as_admin, "/clients/new", CLIENT)
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    assert _clients(session) == 1


def test_fields_left_out_of_a_post_keep_their_values(as_admin, session):
    customer = make_client(session, name="Kept", default_hourly_rate=Decimal("77.00"))
    assert post(as_admin, f"/clients/{customer.id}/edit", {}).status_code == 302
    session.refresh(customer)
    assert (customer.name, customer.default_hourly_rate) == ("Kept", Decimal("77.00"))


def test_deactivated_client_leaves_the_lists_and_takes_no_time(as_admin, session):
    customer = make_client(session, name="Initech")
    project = make_project(session, customer, name="TPS")
    assert post(as_admin, f"/clients/{customer.id}/deactivate").status_code == 302
    session.refresh(customer)
    assert customer.is_active is False
    as_admin.get(f"/clients/{customer.id}")  # shows the confirmation
    assert "Initech" not in as_admin.get("/clients").get_data(as_text=True)
    assert "Initech" in as_admin.get("/clients?status=inactive").get_data(as_text=True)
    assert ">TPS<" not in as_admin.get("/time/new").get_data(as_text=True)
    response = post(as_admin, "/time/timer/start", {"project": project.id})
    assert response.status_code == 400
    assert post(as_admin, f"/clients/{customer.id}/reactivate").status_code == 302
    session.refresh(customer)
    assert customer.is_active is True


def test_project_rate_falls_back_to_the_clients(as_admin, session):
    customer = make_client(session, default_hourly_rate=Decimal("90.00"))
    data = {"client": customer.id, "name": "Site", "billable": "y"}
    assert post(as_admin, "/projects/new", data).status_code == 302
    project = session.scalars(select(Project)).one()
    assert project.hourly_rate is None
    assert project.effective_rate(customer) == Decimal("90.00")
    assert "(client default)" in as_admin.get("/projects").get_data(as_text=True)
    data = {**data, "hourly_rate": "110", "budget_hours": "40", "budget_amount": "4000"}
    assert post(as_admin, f"/projects/{project.id}/edit", data).status_code == 302
    session.refresh(project)
    assert (project.hourly_rate, project.budget_hours, project.budget_amount) == (
        Decimal("110.00"),
        Decimal("40.00"),
        Decimal("4000.00"),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hourly_rate": "abc"}, "Enter a number using digits"),
        ({"hourly_rate": "1e3"}, "Enter a number using digits"),
        ({"budget_hours": "-1"}, "at least 0"),
        ({"budget_amount": "12.345"}, "at most 2 decimal places"),
        ({"client": "999999"}, "Unknown client"),
        ({"name": ""}, "Enter the project&#39;s name."),
    ],
)
def test_bad_project_input_writes_nothing(as_admin, session, data, message):
    customer = make_client(session)
    response = post(as_admin, "/projects/new", {"client": customer.id, "name": "Site", **data})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _projects(session) == 0


def test_project_names_are_unique_per_client(as_admin, session):
    customer = make_client(session)
    make_project(session, customer, name="Site")
    response = post(as_admin, "/projects/new", {"client": customer.id, "name": "site"})
    assert response.status_code == 400
    other = make_client(session)
    assert post(as_admin, "/projects/new", {"client": other.id, "name": "Site"}).status_code == 302


def test_archived_project_takes_no_new_time(as_admin, session):
    project = make_project(session)
    assert post(as_admin, f"/projects/{project.id}/archive").status_code == 302
    session.refresh(project)
    assert project.status == ProjectStatus.ARCHIVED
    assert post(as_admin, "/time/timer/start", {"project": project.id}).status_code == 400
    assert post(as_admin, f"/projects/{project.id}/unarchive").status_code == 302
    session.refresh(project)
    assert project.status == ProjectStatus.ACTIVE


def test_budget_progress_bar_shows_hours_and_amount_used(as_admin, session):
    customer = make_client(session, default_hourly_rate=Decimal("100.00"))
    project = make_project(
        session, customer, budget_hours=Decimal("10"), budget_amount=Decimal("500")
    )
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    make_entry(session, project, start=start, minutes=150)
    make_entry(session, project, start=start, minutes=150, billable=False)
    make_entry(session, project, start=start, minutes=None)  # running: not counted
    html = as_admin.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "Hours: 5.00 of 10.00 (50%)" in html and "w-pct-50" in html
    assert "Amount: €250.00 of €500.00 (50%)" in html
    make_entry(session, project, start=start, minutes=300)
    html = as_admin.get("/projects").get_data(as_text=True)
    assert "(150%)" in html and "w-pct-100 bg-danger" in html


def test_lists_are_paginated(app, as_staff, session):
    app.config["PAGE_SIZE"] = 3
    try:
        for i in range(7):
            make_project(session, make_client(session, name=f"Paged {i}"))
        clients_page = as_staff.get("/clients?page=3").get_data(as_text=True)
        projects_page = as_staff.get("/projects?page=2").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 50
    assert "Paged 6" in clients_page and "Paged 5" not in clients_page
    assert "7 in all" in clients_page and "page 3 of 3" in clients_page
    assert "page 2 of 3" in projects_page
