"""A project's current status: its newest status update (by time, then id), one query for many
projects. The portal and the workspace both ask here; the portal passes its client id so the
query starts from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from timetracker.models import DeliveryStatus, Project, ProjectStatusUpdate, User


@dataclass(frozen=True)
class StatusUpdateRow:
    """One dated status update of a project, with its author's name."""

    id: int
    project_id: int
    status: str
    message: str
    created_at: dt.datetime
    author_name: str | None

    @property
    def label(self) -> str:
        return DeliveryStatus(self.status).label


#: Newest first: the order of a project's history, and how "current" is chosen.
NEWEST_FIRST = (ProjectStatusUpdate.created_at.desc(), ProjectStatusUpdate.id.desc())


def status_update_rows(client_id: int | None) -> Select[Any]:
    """Status update rows with author names, of one client's projects (or of every project
    when ``client_id`` is ``None``: staff only)."""
    query = (
        select(
            ProjectStatusUpdate.id,
            ProjectStatusUpdate.project_id,
            ProjectStatusUpdate.status,
            ProjectStatusUpdate.message,
            ProjectStatusUpdate.created_at,
            User.name,
        )
        .join(Project, Project.id == ProjectStatusUpdate.project_id)
        .outerjoin(User, User.id == ProjectStatusUpdate.author_id)
    )
    if client_id is not None:
        query = query.where(Project.client_id == client_id)
    return query


def latest_status_updates(
    session: Session, project_ids: Sequence[int], client_id: int | None
) -> dict[int, StatusUpdateRow]:
    """The current status of each project named (those without an update are absent)."""
    if not project_ids:
        return {}
    ranked = (
        select(
            ProjectStatusUpdate.id,
            func.row_number()
            .over(partition_by=ProjectStatusUpdate.project_id, order_by=NEWEST_FIRST)
            .label("rank"),
        )
        .where(ProjectStatusUpdate.project_id.in_(list(project_ids)))
        .subquery()
    )
    rows = session.execute(
        status_update_rows(client_id)
        .join(ranked, ranked.c.id == ProjectStatusUpdate.id)
        .where(ranked.c.rank == 1)
    ).all()
    return {row.project_id: StatusUpdateRow(*row) for row in rows}
