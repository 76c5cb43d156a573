"""Reads of the project pages: the list, one project, its budget use, status history and notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager

from timetracker import db
from timetracker.billing.summaries import ProjectFigures, project_figures
from timetracker.models import (
    Client,
    Project,
    ProjectNote,
    ProjectStatus,
    ProjectStatusUpdate,
    User,
)
from timetracker.workspace.common import like_pattern
from timetracker.workspace.paging import Page, paginate

#: Status updates shown per page on the workspace project page.
UPDATES_PER_PAGE = 10


def projects_page(client_id: int | None, status: str, q: str | None) -> Page:
    conditions: list[ColumnElement[bool]] = []
    if client_id is not None:
        conditions.append(Project.client_id == client_id)
    if status in (ProjectStatus.ACTIVE, ProjectStatus.ARCHIVED):
        conditions.append(Project.status == status)
    if q:
        conditions.append(Project.name.ilike(like_pattern(q), escape="\\"))
    stmt = (
        select(Project)
        .join(Project.client)
        .options(contains_eager(Project.client))
        .where(*conditions)
        .order_by(Client.name, Project.name)
    )
    count = select(func.count(Project.id)).where(*conditions)
    return paginate(stmt, count_stmt=count)


def get_project(project_id: int) -> Project | None:
    """The project with its client loaded."""
    return db.session.scalar(
        select(Project)
        .join(Project.client)
        .options(contains_eager(Project.client))
        .where(Project.id == project_id)
    )


def name_taken(client_id: int, name: str, project_id: int | None) -> bool:
    """Whether another project of the client has this name, in any case."""
    taken = db.session.scalar(
        select(Project.id).where(
            Project.client_id == client_id,
            func.lower(Project.name) == name.lower(),
            Project.id != project_id,
        )
    )
    return taken is not None


def budget_usage(projects: Sequence[Project]) -> dict[int, ProjectFigures]:
    """Hours, billable value and budget use per project (the figures the portal shows)."""
    return project_figures(db.session, projects, None)


# Status updates and notes -------------------------------------------------------------------
def project_note(project_id: int, note_id: int) -> ProjectNote | None:
    """A note of this project; ``None`` for a note of any other project or none at all."""
    return db.session.scalar(
        select(ProjectNote).where(ProjectNote.id == note_id, ProjectNote.project_id == project_id)
    )


def status_history(project_id: int) -> Page:
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


def project_notes(project_id: int) -> list[Any]:
    """The project's notes (internal and shared), newest first, with the authors' names."""
    return list(
        db.session.execute(
            select(ProjectNote, User.name)
            .outerjoin(User, User.id == ProjectNote.author_id)
            .where(ProjectNote.project_id == project_id)
            .order_by(ProjectNote.created_at.desc(), ProjectNote.id.desc())
        ).all()
    )
