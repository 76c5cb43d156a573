"""Status updates and notes on a project: the project page that shows them, and the
administrators' writes (post an update; add, edit, delete a note).

Status updates are an append-only history told to the client; notes are internal unless marked
visible to the client. The operations flush and never commit; the request commits once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from timetracker import db
from timetracker.billing.project_status import latest_status_updates
from timetracker.models import (
    DeliveryStatus,
    Project,
    ProjectNote,
    ProjectStatusUpdate,
    User,
)
from timetracker.workspace import queries
from timetracker.workspace.common import found
from timetracker.workspace.forms import NoteDeleteForm, NoteEditForm, NoteForm, StatusUpdateForm
from timetracker.workspace.paging import paginate

#: Status updates shown per page on the workspace project page.
UPDATES_PER_PAGE = 10


# Operations ---------------------------------------------------------------------------------
def post_status_update(
    session: Session, project: Project, status: DeliveryStatus, message: str, author: User
) -> ProjectStatusUpdate:
    update = ProjectStatusUpdate(
        project_id=project.id, status=status.value, message=message.strip(), author_id=author.id
    )
    session.add(update)
    session.flush()
    return update


def add_note(
    session: Session, project: Project, body: str, visible_to_client: bool, author: User
) -> ProjectNote:
    note = ProjectNote(
        project_id=project.id,
        body=body.strip(),
        visible_to_client=visible_to_client,
        author_id=author.id,
    )
    session.add(note)
    session.flush()
    return note


def edit_note(session: Session, note: ProjectNote, body: str, visible_to_client: bool) -> None:
    note.body = body.strip()
    note.visible_to_client = visible_to_client
    note.updated_at = dt.datetime.now(dt.UTC)
    session.flush()


def delete_note(session: Session, note: ProjectNote) -> None:
    session.delete(note)
    session.flush()


# Queries ------------------------------------------------------------------------------------
def project_note(project_id: int, note_id: int) -> ProjectNote | None:
    """A note of this project; ``None`` for a note of any other project or none at all."""
    return db.session.scalar(
        select(ProjectNote).where(ProjectNote.id == note_id, ProjectNote.project_id == project_id)
    )


def _history(project_id: int) -> Any:
    """One page of the project's status updates, newest first, with the authors' names."""
    stmt = (
        select(ProjectStatusUpdate, User.name)
        .outerjoin(User, User.id == ProjectStatusUpdate.author_id)
        .where(ProjectStatusUpdate.project_id == project_id)
        .order_by(ProjectStatusUpdate.created_at.desc(), ProjectStatusUpdate.id.desc())
    )
    count = select(func.count(ProjectStatusUpdate.id)).where(
        ProjectStatusUpdate.project_id == project_id
    )
    return paginate(stmt, count_stmt=count, size=UPDATES_PER_PAGE, scalars=False)


def _notes(project_id: int) -> list[Any]:
    return list(
        db.session.execute(
            select(ProjectNote, User.name)
            .outerjoin(User, User.id == ProjectNote.author_id)
            .where(ProjectNote.project_id == project_id)
            .order_by(ProjectNote.created_at.desc(), ProjectNote.id.desc())
        ).all()
    )


# Views --------------------------------------------------------------------------------------
def render_project_page(project: Project, status: int = 200, **forms: Any) -> Any:
    """The workspace project page with its status history and notes. A rejected form is
    passed back in ``forms`` (with its errors) and the page answers ``status`` (400)."""
    forms.setdefault("status_form", StatusUpdateForm())
    forms.setdefault("note_form", NoteForm())
    forms.setdefault("edit_form", None)
    history = _history(project.id)
    current = latest_status_updates(db.session, [project.id], None).get(project.id)
    return render_template(
        "workspace/project_detail.html",
        project=project,
        budget=queries.budget_usage([project])[project.id],
        current=current,
        history=history,
        notes=_notes(project.id),
        **forms,
    ), status


def _back(project: Project, anchor: str) -> Any:
    return redirect(url_for("workspace.project_detail", project_id=project.id) + anchor)


def status_update_new(project_id: int):  # type: ignore[no-untyped-def]
    project = found(queries.get_project(project_id))
    form = StatusUpdateForm()
    if not form.validate_on_submit():
        return render_project_page(project, 400, status_form=form)
    status = DeliveryStatus(form.status.data)
    post_status_update(db.session, project, status, form.message.data or "", current_user)
    flash(f"Status update posted: {status.label}.", "success")
    return _back(project, "#status-updates")


def note_new(project_id: int):  # type: ignore[no-untyped-def]
    project = found(queries.get_project(project_id))
    form = NoteForm()
    if not form.validate_on_submit():
        return render_project_page(project, 400, note_form=form)
    note = add_note(
        db.session, project, form.body.data or "", bool(form.visible_to_client.data), current_user
    )
    flash(
        "Note added; the client can read it."
        if note.visible_to_client
        else "Internal note added; the client cannot see it.",
        "success",
    )
    return _back(project, "#notes")


def note_edit(project_id: int):  # type: ignore[no-untyped-def]
    project = found(queries.get_project(project_id))
    form = NoteEditForm()
    valid = form.validate_on_submit()
    if form.note_id.errors:
        return render_project_page(project, 400, edit_form=None, note_error=form.note_id.errors)
    note = found(project_note(project.id, form.note_id.data))
    if not valid:
        return render_project_page(project, 400, edit_form=form)
    edit_note(db.session, note, form.body.data or "", bool(form.visible_to_client.data))
    flash("Note saved.", "success")
    return _back(project, f"#note-{note.id}")


def note_delete(project_id: int):  # type: ignore[no-untyped-def]
    project = found(queries.get_project(project_id))
    form = NoteDeleteForm()
    if not form.validate_on_submit():
        return render_project_page(project, 400, note_error=form.note_id.errors or ["Bad request."])
    delete_note(db.session, found(project_note(project.id, form.note_id.data)))
    flash("Note deleted.", "success")
    return _back(project, "#notes")
