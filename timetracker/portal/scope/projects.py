"""The client's projects with their figures, status history and shared notes: without staff
names or amounts when the client's visibility settings hide them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, null, select
from werkzeug.exceptions import NotFound

from timetracker.billing.forecast import Forecast, project_forecast
from timetracker.billing.project_status import (
    NEWEST_FIRST,
    StatusUpdateRow,
    latest_status_updates,
    status_update_rows,
)
from timetracker.billing.summaries import project_figures
from timetracker.models import (
    Project,
    ProjectNote,
    ProjectStatus,
    ProjectStatusUpdate,
    User,
)
from timetracker.pagination import Page, PageRequest
from timetracker.portal.results import NoteRow, ProjectChoice, ProjectRow, ProjectSummary
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

    def active_project_rows(self) -> list[ProjectRow]:
        """The active projects as the portal shows them (amounts as the client may see)."""
        return [self._row(p) for p in self.active_projects()]

    def _row(self, project: Project) -> ProjectRow:
        return ProjectRow(
            id=project.id,
            name=project.name,
            description=project.description,
            is_active=project.status == ProjectStatus.ACTIVE,
            billable=project.billable,
            budget_hours=project.budget_hours,
            budget_amount=project.budget_amount if self.visibility.amounts else None,
        )

    def project(self, project_id: int) -> Project:
        """One of the client's projects (archived ones too); 404 for any other id. Found once
        per scope: the sections of a project page (figures, comments, documents) each ask."""
        found: dict[int, Project] = self.__dict__.setdefault("_found_projects", {})
        project = found.get(project_id)
        if project is None:
            project = self.session.scalar(self._projects().where(Project.id == project_id))
            if project is None:
                raise NotFound()
            found[project_id] = project
        return project

    def active_project_page(self, request: PageRequest) -> Page[ProjectSummary]:
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

    def _summaries(self, projects: list[Project]) -> list[ProjectSummary]:
        """Hours, billable value and budget use of ``projects`` (the client's); no value nor
        budget in money when amounts are hidden."""
        figures = project_figures(self.session, projects, self.client_id, self.gate.hidden())
        amounts = self.visibility.amounts
        return [
            ProjectSummary(
                self._row(p),
                figures[p.id].seconds,
                figures[p.id].billable_seconds,
                figures[p.id].billable_cents if amounts else None,
            )
            for p in projects
        ]

    def project_summary(self, project_id: int) -> ProjectSummary:
        """One of the client's projects, archived ones included (their time is visible too),
        with its figures; 404 for any other id."""
        return self._summaries([self.project(project_id)])[0]

    def project_forecast(self, project_id: int) -> Forecast | None:
        """The budget burn-down of one of the client's projects (404 for any other id): hours
        always, amounts only when the client may see them; ``None`` without such a budget."""
        project = self.project(project_id)
        return project_forecast(
            self.session,
            project,
            self.client_id,
            self.today,
            amounts=self.visibility.amounts,
            shown=self.gate.shown(),
        )

    # Status updates and notes ---------------------------------------------------------------
    def latest_status_updates(self, project_ids: Sequence[int]) -> dict[int, StatusUpdateRow]:
        """The current status (newest update) of each of the client's projects named."""
        rows = latest_status_updates(self.session, project_ids, self.client_id)
        return {pid: self._shown_update(row) for pid, row in rows.items()}

    def _shown_update(self, row: StatusUpdateRow) -> StatusUpdateRow:
        """The update without its author's name when staff names are hidden."""
        if self.visibility.staff_names:
            return row
        return dataclasses.replace(row, author_name=None)

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
        items = [self._shown_update(StatusUpdateRow(*row)) for row in rows]
        return Page(items, total, request.number, request.size)

    def visible_notes(self, project_id: int) -> list[NoteRow]:
        """The project's notes marked visible to the client, newest first; internal notes
        never leave this query, nor the author's name when staff names are hidden."""
        shows_author = self.visibility.staff_names
        query = select(
            ProjectNote.id,
            ProjectNote.body,
            ProjectNote.created_at,
            ProjectNote.updated_at,
            User.name if shows_author else null(),
        ).join(Project, Project.id == ProjectNote.project_id)
        if shows_author:
            query = query.outerjoin(User, User.id == ProjectNote.author_id)
        rows: Any = self.session.execute(
            query.where(
                Project.client_id == self.client_id,
                ProjectNote.project_id == project_id,
                ProjectNote.visible_to_client.is_(True),
            ).order_by(ProjectNote.created_at.desc(), ProjectNote.id.desc())
        ).all()
        return [NoteRow(*row) for row in rows]
