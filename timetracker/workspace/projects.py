"""Project views: everyone on the staff reads; administrators create, edit and archive."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from timetracker import db
from timetracker.billing.project_status import latest_status_updates
from timetracker.models import Client, Project, ProjectStatus
from timetracker.workspace import project_updates, queries
from timetracker.workspace.common import found, render_form
from timetracker.workspace.fields import is_record_id
from timetracker.workspace.forms import ProjectFilterForm, ProjectForm
from timetracker.workspace.paging import Page

NAME_TAKEN = "This client already has a project with this name."


def projects():  # type: ignore[no-untyped-def]
    form = ProjectFilterForm(request.args)
    form.client.choices = [("", "All clients"), *queries.client_choices(active_only=False)]
    if not form.validate():
        empty = Page(items=[], total=0, number=1, size=1)
        return render_form(
            "workspace/projects.html",
            400,
            filter_form=form,
            page=empty,
            page_args={},
            budgets={},
            statuses={},
        )
    page = queries.projects_page(
        form.client.data, form.status.data, (form.q.data or "").strip() or None
    )
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template(
        "workspace/projects.html",
        filter_form=form,
        page=page,
        page_args=args,
        budgets=queries.budget_usage(page.items),
        statuses=latest_status_updates(db.session, [p.id for p in page.items], None),
    )


def project_detail(project_id: int):  # type: ignore[no-untyped-def]
    return project_updates.render_project_page(found(queries.get_project(project_id)))


def project_new():  # type: ignore[no-untyped-def]
    form = ProjectForm()
    form.client.choices = queries.client_choices()
    if request.method == "GET":
        if is_record_id(request.args.get("client", "")):
            form.client.data = int(request.args["client"])
        return render_template("workspace/project_form.html", form=form, project=None)
    client = None
    if form.client.data is not None:
        client = db.session.scalar(
            select(Client).where(Client.id == form.client.data, Client.is_active.is_(True))
        )
    project = Project(status=ProjectStatus.ACTIVE)
    if not _save(form, project, client):
        return render_form("workspace/project_form.html", 400, form=form, project=None)
    flash(f"Project {project.name} was created.", "success")
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def project_edit(project_id: int):  # type: ignore[no-untyped-def]
    project = found(queries.get_project(project_id))
    form = ProjectForm(obj=project)
    # A project stays with its client: its time and invoices belong to that client.
    form.client.choices = [(project.client.id, project.client.name)]
    form.client.data = project.client_id
    if request.method == "GET":
        return render_template("workspace/project_form.html", form=form, project=project)
    if not _save(form, project, project.client):
        return render_form("workspace/project_form.html", 400, form=form, project=project)
    flash(f"Project {project.name} was saved.", "success")
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def project_archive(project_id: int):  # type: ignore[no-untyped-def]
    project = found(queries.get_project(project_id))
    project.status = ProjectStatus.ARCHIVED
    flash(f"{project.name} was archived; it no longer takes new time.", "success")
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def project_unarchive(project_id: int):  # type: ignore[no-untyped-def]
    project = found(queries.get_project(project_id))
    project.status = ProjectStatus.ACTIVE
    flash(f"{project.name} is active again.", "success")
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def _save(form: ProjectForm, project: Project, client: Client | None) -> bool:
    """Copy a valid form onto ``project`` and flush; ``False`` with errors set otherwise."""
    valid = form.validate_on_submit()
    if client is None:
        if not form.client.errors:
            form.client.errors.append("Unknown client, or one that is deactivated.")
        return False
    if not valid:
        return False
    name = (form.name.data or "").strip()
    taken = db.session.scalar(
        select(Project.id).where(
            Project.client_id == client.id,
            func.lower(Project.name) == name.lower(),
            Project.id != project.id,
        )
    )
    if taken is not None:
        form.name.errors.append(NAME_TAKEN)
        return False
    try:
        # The savepoint opens before any change (see ``clients._save``).
        with db.session.begin_nested():
            project.client_id = client.id
            project.name = name
            project.description = (form.description.data or "").strip() or None
            project.hourly_rate = form.hourly_rate.number
            project.billable = bool(form.billable.data)
            project.budget_hours = form.budget_hours.number
            project.budget_amount = form.budget_amount.number
            db.session.add(project)
    except IntegrityError:
        form.name.errors.append(NAME_TAKEN)
        return False
    return True
