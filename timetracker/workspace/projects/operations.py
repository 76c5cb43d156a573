"""Writes of status updates and notes. Status updates are an append-only history told to the
client; notes are internal unless marked visible to the client. The operations flush and never
commit; the request commits once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from timetracker.models import DeliveryStatus, Project, ProjectNote, ProjectStatusUpdate, User


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
