"""The client's projects with their figures, status history and shared notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select
from werkzeug.exceptions import NotFound

from timetracker.billing.project_status import (
    NEWEST_FIRST,
    StatusUpdateRow,
    latest_status_updates,
    status_update_rows,
)
from timetracker.billing.summaries import ProjectFigures, project_figures
from timetracker.models import (
    Project,
    ProjectNote,
    ProjectStatus,
    ProjectStatusUpdate,
    User,
)
from timetracker.pagination import Page, PageRequest
from timetracker.portal.results import NoteRow, ProjectChoice
from timetracker.portal.scope.base import ScopeBase


class ProjectScope(ScopeBase):
    def _projects(self) -> Select[tuple[Project]]:
        return select(Project).where(Project.client_id == self.client_id)

    def active_projects(self) -> list[Project]:
        query = self._projects().where(Project.status == ProjectStatus.ACTIVE)
        return list(self.session.scalars(query.order_by(Project.name, Project.id)))

    def project_choices(self) -> list[ProjectChoice]:
        """Id, name and whether active, of every project (the time entry filter's menu)."""
        rows = self.session.execute(
            select(Project.id, Project.name, Project.status)
            .where(Project.client_id == self.client_id)
            .order_by(Project.name, Project.id)
        )
        return [
            ProjectChoice(pid, name, status == ProjectStatus.ACTIVE) for pid, name, status in rows
        ]

    def project(self, project_id: int) -> Project:
        project = self.session.scalar(self._projects().where(Project.id == project_id))
        if project is None:
            raise NotFound()
        return project

    def active_project_page(self, request: PageRequest) -> Page[ProjectFigures]:
        """Active projects with hours, billable amount and budget use, one page at a time."""
        base = self._projects().where(Project.status == ProjectStatus.ACTIVE)
        total = self.session.scalar(select(func.count()).select_from(base.subquery())) or 0
        request = request.clamp(total)
        projects = list(
            self.session.scalars(
                base.order_by(Project.name, Project.id).limit(request.size).offset(request.offset)
            )
        )
        return Page(self._summaries(projects), total, request.number, request.size)

    def _summaries(self, projects: list[Project]) -> list[ProjectFigures]:
        """Hours, billable value and budget use of ``projects`` (the client's)."""
        figures = project_figures(self.session, projects, self.client_id)
        return [figures[p.id] for p in projects]

    def project_summary(self, project_id: int) -> ProjectFigures:
        """One of the client's projects, archived ones included (their time is visible too),
        with its figures; 404 for any other id."""
        return self._summaries([self.project(project_id)])[0]

    # Status updates and notes ---------------------------------------------------------------
    def latest_status_updates(self, project_ids: Sequence[int]) -> dict[int, StatusUpdateRow]:
        """The current status (newest update) of each of the client's projects named."""
        return latest_status_updates(self.session, project_ids, self.client_id)

    def status_update_page(self, project_id: int, request: PageRequest) -> Page[StatusUpdateRow]:
        """A project's status history, newest first."""
        condition = ProjectStatusUpdate.project_id == project_id
        total = (
            self.session.scalar(
                select(func.count(ProjectStatusUpdate.id))
                .join(Project, Project.id == ProjectStatusUpdate.project_id)
                .where(Project.client_id == self.client_id, condition)
            )
            or 0
        )
        request = request.clamp(total)
        rows = self.session.execute(
            status_update_rows(self.client_id)
            .where(condition)
            .order_by(*NEWEST_FIRST)
            .limit(request.size)
            .offset(request.offset)
        ).all()
        return Page([StatusUpdateRow(*row) for row in rows], total, request.number, request.size)

    def visible_notes(self, project_id: int) -> list[NoteRow]:
        """The project's notes marked visible to the client, newest first; internal notes
        never leave this query."""
        rows: Any = self.session.execute(
            select(
                ProjectNote.id,
                ProjectNote.body,
                ProjectNote.created_at,
                ProjectNote.updated_at,
                User.name,
            )
            .join(Project, Project.id == ProjectNote.project_id)
            .outerjoin(User, User.id == ProjectNote.author_id)
            .where(
                Project.client_id == self.client_id,
                ProjectNote.project_id == project_id,
                ProjectNote.visible_to_client.is_(True),
            )
            .order_by(ProjectNote.created_at.desc(), ProjectNote.id.desc())
        ).all()
        return [NoteRow(*row) for row in rows]
