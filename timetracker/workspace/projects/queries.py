"""Reads of the project pages: the list, one project, its budget use, status history and notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager

from timetracker import db
from timetracker.billing import rules
from timetracker.models import (
    Client,
    Project,
    ProjectNote,
    ProjectStatus,
    ProjectStatusUpdate,
    TimeEntryMonth,
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


@dataclass(frozen=True)
class Budget:
    """What a project has used of its budget: all its completed time, and the value of its
    billable time (the billing rules, from the monthly totals the portal reads too)."""

    seconds: int
    billable_cents: int
    budget_hours: Decimal | None
    budget_amount: Decimal | None

    @property
    def hours(self) -> Decimal:
        return rules.hours(self.seconds)

    @property
    def amount(self) -> Decimal:
        return rules.from_cents(self.billable_cents)

    @property
    def hours_percent(self) -> int | None:
        return rules.percent(self.hours, self.budget_hours)

    @property
    def amount_percent(self) -> int | None:
        return rules.percent(self.amount, self.budget_amount)


def budget_usage(projects: Sequence[Project]) -> dict[int, Budget]:
    """Hours and billable value used per project, in one GROUP BY over the monthly totals."""
    ids = [p.id for p in projects]
    used: dict[int, tuple[int, int]] = {}
    if ids:
        rows = db.session.execute(
            select(
                TimeEntryMonth.project_id,
                func.sum(TimeEntryMonth.seconds),
                func.sum(TimeEntryMonth.billable_cents),
            )
            .where(TimeEntryMonth.project_id.in_(ids))
            .group_by(TimeEntryMonth.project_id)
        ).all()
        used = {pid: (int(sec), int(cents)) for pid, sec, cents in rows}
    return {
        p.id: Budget(*used.get(p.id, (0, 0)), p.budget_hours, p.budget_amount) for p in projects
    }


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
