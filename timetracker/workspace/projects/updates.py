"""The project page with its status updates and notes, and the administrators' writes there
(post an update; add, edit, delete a note). A note's id comes in the form and is looked up
within the project, so another project's note is a missing one (404)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from timetracker import db, firm
from timetracker.billing.forecast import project_forecast
from timetracker.billing.project_status import latest_status_updates
from timetracker.charts.burndown import forecast_panel
from timetracker.comments import panels as comment_panels
from timetracker.comments.markdown import linkify
from timetracker.models import DeliveryStatus, Project
from timetracker.sharing import panels as document_panels
from timetracker.workspace.common import found
from timetracker.workspace.projects import queries
from timetracker.workspace.projects.forms import (
    NoteDeleteForm,
    NoteEditForm,
    NoteForm,
    StatusUpdateForm,
    status_label,
)
from timetracker.workspace.projects.operations import (
    add_note,
    delete_note,
    edit_note,
    post_status_update,
)


def render_project_page(project: Project, status: int = 200, **forms: Any) -> tuple[str, int]:
    """The workspace project page with its status history and notes. A rejected form is
    passed back in ``forms`` (with its errors) and the page answers ``status`` (400).

    A new status update starts from the project's current status, so that a quick update
    does not silently change what the client sees (an "At risk" project stays at risk unless
    someone picks another status)."""
    current = latest_status_updates(db.session, [project.id], None).get(project.id)
    if "status_form" not in forms:
        forms["status_form"] = (
            StatusUpdateForm(status=current.status) if current else StatusUpdateForm()
        )
    forms.setdefault("note_form", NoteForm())
    forms.setdefault("edit_form", None)
    return render_template(
        "workspace/project_detail.html",
        project=project,
        budget=queries.budget_usage([project])[project.id],
        current=current,
        history=queries.status_history(project.id),
        notes=queries.project_notes(project.id),
        forecast=forecast_panel(
            project_forecast(db.session, project, None, firm.today()), project.client.currency
        ),
        **comment_panels.workspace_thread(project, **forms),
        **document_panels.workspace_project_documents(project, **forms),
        # Notes and updates are plain text with their http(s) URLs made links.
        linkify=linkify,
        **forms,
    ), status


def _back(project: Project, anchor: str) -> Response:
    return redirect(url_for("workspace.project_detail", project_id=project.id) + anchor)


def status_update_new(project_id: int) -> ResponseReturnValue:
    project = found(queries.get_project(project_id))
    form = StatusUpdateForm()
    if not form.validate_on_submit():
        return render_project_page(project, 400, status_form=form)
    status = DeliveryStatus(form.status.data)
    post_status_update(db.session, project, status, form.message.data or "", current_user)
    flash(_("Status update posted: %(status)s.", status=status_label(status)), "success")
    return _back(project, "#status-updates")


def note_new(project_id: int) -> ResponseReturnValue:
    project = found(queries.get_project(project_id))
    form = NoteForm()
    if not form.validate_on_submit():
        return render_project_page(project, 400, note_form=form)
    note = add_note(
        db.session, project, form.body.data or "", bool(form.visible_to_client.data), current_user
    )
    flash(
        _("Note added; the client can read it.")
        if note.visible_to_client
        else _("Internal note added; the client cannot see it."),
        "success",
    )
    return _back(project, "#notes")


def note_edit(project_id: int) -> ResponseReturnValue:
    project = found(queries.get_project(project_id))
    form = NoteEditForm()
    valid = form.validate_on_submit()
    if form.note_id.errors:
        return render_project_page(project, 400, edit_form=None, note_error=form.note_id.errors)
    note = found(queries.project_note(project.id, form.note_id.data))
    if not valid:
        return render_project_page(project, 400, edit_form=form)
    edit_note(db.session, note, form.body.data or "", bool(form.visible_to_client.data))
    flash(_("Note saved."), "success")
    return _back(project, f"#note-{note.id}")


def note_delete(project_id: int) -> ResponseReturnValue:
    project = found(queries.get_project(project_id))
    form = NoteDeleteForm()
    if not form.validate_on_submit():
        return render_project_page(
            project, 400, note_error=form.note_id.errors or [_("Bad request.")]
        )
    delete_note(db.session, found(queries.project_note(project.id, form.note_id.data)))
    flash(_("Note deleted."), "success")
    return _back(project, "#notes")
