"""The projects and clients staff see (scope ``projects:read``), with the figures the
workspace and the portal show (:func:`timetracker.billing.summaries.project_figures`).

URL table (under /api/v1, GET only, policy ``token``):

    /projects            projects   ?client_id=&status=active|archived|all
    /projects/<id>       project
    /clients             clients    every client, active ones first
"""

from __future__ import annotations

from typing import Any

from flask import request
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import contains_eager

from timetracker import db
from timetracker.api import pagination, schemas
from timetracker.api.core import Blueprint, cached_get, errors_doc, prepare, token
from timetracker.api.problems import Problem
from timetracker.api.tokens import PROJECTS_READ
from timetracker.billing.summaries import ProjectFigures
from timetracker.models import Client, Project, ProjectStatus
from timetracker.workspace.paging import paginate
from timetracker.workspace.projects.queries import budget_usage

bp = Blueprint(
    "api_catalog",
    __name__,
    url_prefix="/api/v1",
    description="The firm's projects and clients, as staff see them (scope projects:read).",
)
prepare(bp)


def _summaries(projects: list[Project]) -> list[ProjectFigures]:
    figures = budget_usage(projects)
    return [figures[p.id] for p in projects]


def _projects() -> Any:
    return select(Project).join(Project.client).options(contains_eager(Project.client))


@bp.route("/projects", methods=["GET"])
@token(PROJECTS_READ)
@bp.arguments(schemas.ProjectQuery, location="query", as_kwargs=True)
@bp.response(200, schemas.StaffProjectList, headers={"Link": pagination.LINK})
@cached_get(bp)
@errors_doc(bp)
def projects(**args: Any) -> Any:
    """Projects by client and name, with hours, billable value and budget use."""
    status = args.get("status") or ProjectStatus.ACTIVE
    conditions: list[ColumnElement[bool]] = []
    if status != "all":
        conditions.append(Project.status == status)
    if args.get("client_id") is not None:
        conditions.append(Project.client_id == args["client_id"])
    _single("status", "client_id")
    wanted = pagination.page_request(args)
    stmt = _projects().where(*conditions).order_by(Client.name, Project.name, Project.id)
    count = select(func.count(Project.id)).where(*conditions)
    page = paginate(stmt, count_stmt=count, number=wanted.number, size=wanted.size)
    return pagination.answer(page, {"items": _summaries(list(page.items))})


@bp.route("/projects/<int:project_id>", methods=["GET"])
@token(PROJECTS_READ)
@bp.response(200, schemas.StaffProject)
@cached_get(bp)
@errors_doc(bp)
def project(project_id: int) -> Any:
    """One project with its figures."""
    found = db.session.scalar(_projects().where(Project.id == project_id))
    if found is None:
        raise Problem(404)
    return _summaries([found])[0]


@bp.route("/clients", methods=["GET"])
@token(PROJECTS_READ)
@bp.arguments(schemas.PageQuery, location="query", as_kwargs=True)
@bp.response(200, schemas.ClientList, headers={"Link": pagination.LINK})
@cached_get(bp)
@errors_doc(bp)
def clients(**args: Any) -> Any:
    """Every client with its number of active projects, active clients first."""
    active_projects = (
        select(func.count(Project.id))
        .where(Project.client_id == Client.id, Project.status == ProjectStatus.ACTIVE)
        .correlate(Client)
        .scalar_subquery()
    )
    wanted = pagination.page_request(args)
    stmt = select(Client, active_projects).order_by(Client.is_active.desc(), Client.name, Client.id)
    page = paginate(
        stmt,
        count_stmt=select(func.count(Client.id)),
        number=wanted.number,
        size=wanted.size,
        scalars=False,
    )
    items = [
        {
            "id": client.id,
            "name": client.name,
            "is_active": client.is_active,
            "currency": client.currency,
            "active_projects": int(count),
        }
        for client, count in page.items
    ]
    return pagination.answer(page, {"items": items})


def _single(*names: str) -> None:
    """A filter given twice is refused, as the portal refuses it."""
    for name in names:
        if len(request.args.getlist(name)) > 1:
            raise Problem(400, f"The parameter '{name}' was given more than once; give it once.")
