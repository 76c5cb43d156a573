"""Project views: everyone on the staff reads; administrators create, edit and archive. The
project page itself, with its status updates and notes, is drawn by ``updates.py``."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from timetracker import db
from timetracker.billing.project_status import latest_status_updates
from timetracker.i18n import _l
from timetracker.models import Client, Project, ProjectStatus
from timetracker.parsing import parse_id
from timetracker.workspace.choices import client_choices
from timetracker.workspace.clients.queries import active_client
from timetracker.workspace.common import empty_page, found, render_form
from timetracker.workspace.projects import queries
from timetracker.workspace.projects.forms import ProjectFilterForm, ProjectForm
from timetracker.workspace.projects.updates import render_project_page

NAME_TAKEN = _l("This client already has a project with this name.")


def projects() -> ResponseReturnValue:
    form = ProjectFilterForm(request.args)
    form.client.choices = [("", _("All clients")), *client_choices(active_only=False)]
    if not form.validate():
        return render_form(
            "workspace/projects.html",
            400,
            filter_form=form,
            page=empty_page(),
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


def project_detail(project_id: int) -> ResponseReturnValue:
    return render_project_page(found(queries.get_project(project_id)))


def project_new() -> ResponseReturnValue:
    form = ProjectForm()
    form.client.choices = client_choices()
    if request.method == "GET":
        form.client.data = parse_id(request.args.get("client"))
        return render_template("workspace/project_form.html", form=form, project=None)
    project = Project(status=ProjectStatus.ACTIVE)
    if not _save(form, project, active_client(form.client.data)):
        return render_form("workspace/project_form.html", 400, form=form, project=None)
    flash(_("Project %(name)s was created.", name=project.name), "success")
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def project_edit(project_id: int) -> ResponseReturnValue:
    project = found(queries.get_project(project_id))
    form = ProjectForm(obj=project)
    # A project stays with its client: its time and invoices belong to that client.
    form.client.choices = [(project.client.id, project.client.name)]
    form.client.data = project.client_id
    if request.method == "GET":
        return render_template("workspace/project_form.html", form=form, project=project)
    if not _save(form, project, project.client):
        return render_form("workspace/project_form.html", 400, form=form, project=project)
    flash(_("Project %(name)s was saved.", name=project.name), "success")
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def project_archive(project_id: int) -> ResponseReturnValue:
    project = found(queries.get_project(project_id))
    project.status = ProjectStatus.ARCHIVED
    flash(_("%(name)s was archived; it no longer takes new time.", name=project.name), "success")
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def project_unarchive(project_id: int) -> ResponseReturnValue:
    project = found(queries.get_project(project_id))
    project.status = ProjectStatus.ACTIVE
    flash(_("%(name)s is active again.", name=project.name), "success")
    return redirect(url_for("workspace.project_detail", project_id=project.id))


def _save(form: ProjectForm, project: Project, client: Client | None) -> bool:
    """Copy a valid form onto ``project`` and flush; ``False`` with errors set otherwise."""
    valid = form.validate_on_submit()
    if client is None:
        if not form.client.errors:
            form.client.errors.append(_("Unknown client, or one that is deactivated."))
        return False
    if not valid:
        return False
    name = (form.name.data or "").strip()
    if queries.name_taken(client.id, name, project.id):
        form.name.errors.append(str(NAME_TAKEN))
        return False
    try:
        # The savepoint opens before any change (see ``clients.views._save``).
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
        form.name.errors.append(str(NAME_TAKEN))
        return False
    return True
