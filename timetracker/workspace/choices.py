"""The lists that draw the record choices of the workspace's forms (time, projects, invoices and
their filters share them). A list only draws the select: what is chosen is looked up again, and
scoped, by the view that receives it."""

from __future__ import annotations

from collections.abc import Iterable

from flask import g
from sqlalchemy import and_, select

from timetracker import db
from timetracker.models import Client, Project, ProjectStatus, User
from timetracker.models.users import STAFF_ROLES


def project_choices(*, include_ids: Iterable[int] = ()) -> dict[str, list[tuple[int, str]]]:
    """Active projects of active clients grouped by client, plus ``include_ids`` (e.g. the
    project an entry already has)."""
    extra = tuple(sorted({i for i in include_ids if i}))
    # A page draws several project selects (the timer's, the filter's): read once a request.
    drawn = g.setdefault("project_choices", {})
    if extra not in drawn:
        drawn[extra] = _project_groups(extra)
    return drawn[extra]


def _project_groups(extra: tuple[int, ...]) -> dict[str, list[tuple[int, str]]]:
    trackable = and_(Project.status == ProjectStatus.ACTIVE, Client.is_active.is_(True))
    condition = trackable if not extra else trackable | Project.id.in_(extra)
    rows = (
        db.session.connection()  # plain rows: thousands of projects, no entities wanted
        .execute(
            select(Project.id, Project.name, Client.name)
            .join(Client, Client.id == Project.client_id)
            .where(condition)
            .order_by(Client.name, Project.name)
        )
        .all()
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for project_id, project_name, client_name in rows:
        groups.setdefault(client_name, []).append((project_id, project_name))
    return groups


def flat_project_choices(empty_label: str) -> list[tuple[int | str, str]]:
    """The trackable projects as one list (``client · project``) after an empty choice."""
    return [("", empty_label)] + [
        (pid, f"{client} · {name}")
        for client, projects in project_choices().items()
        for pid, name in projects
    ]


def client_choices(*, active_only: bool = True) -> list[tuple[int, str]]:
    query = select(Client.id, Client.name).order_by(Client.name)
    if active_only:
        query = query.where(Client.is_active.is_(True))
    return [(row.id, row.name) for row in db.session.execute(query)]


def staff_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.name).where(User.role.in_(STAFF_ROLES)).order_by(User.name, User.id)
    )
    return [(row.id, row.name) for row in rows]
