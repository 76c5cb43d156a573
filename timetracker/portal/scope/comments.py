"""The client's side of the comment threads on its projects.

Every query starts from ``self.client_id``: a comment of another client's project, a comment
of another of this client's projects named under this project, and a missing id are the same
404. The shared SQL is in :mod:`timetracker.comments.queries`; each query here adds the
client's condition to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from werkzeug.exceptions import NotFound

from timetracker.comments import queries
from timetracker.comments.queries import CommentRow, Person
from timetracker.models import Comment, Project
from timetracker.pagination import Page
from timetracker.portal.scope.projects import ProjectScope


class CommentScope(ProjectScope):
    def _in_client(self, query: Select[Any]) -> Select[Any]:
        return query.join(Project, Project.id == Comment.project_id).where(
            Project.client_id == self.client_id
        )

    def comment_project(self, project_id: int) -> Project:
        """One of the client's projects (archived ones too: their thread is read-only)."""
        return self.project(project_id)

    def comment(self, project_id: int, comment_id: int) -> Comment:
        """A comment of one of the client's projects, looked up within that project."""
        found = self.session.scalar(
            select(Comment)
            .join(Project, Project.id == Comment.project_id)
            .where(
                Project.client_id == self.client_id,
                Project.id == project_id,
                Comment.id == comment_id,
            )
        )
        if found is None:
            raise NotFound()
        return found

    def comment_page(self, project_id: int, number: int | None) -> Page[CommentRow]:
        """One page of the project's thread, oldest first (``None``: the newest page)."""
        total = (
            self.session.scalar(
                select(func.count(Comment.id))
                .join(Project, Project.id == Comment.project_id)
                .where(Project.client_id == self.client_id, Comment.project_id == project_id)
            )
            or 0
        )
        rows = self._in_client(queries.thread_select(project_id))
        return queries.page_of(self.session, rows, total, number)

    def newest_comment_id(self, project_id: int) -> int:
        return int(
            self.session.scalar(
                select(func.max(Comment.id))
                .join(Project, Project.id == Comment.project_id)
                .where(Project.client_id == self.client_id, Comment.project_id == project_id)
            )
            or 0
        )

    def comment_people(self, project_id: int) -> list[Person]:
        """Everyone on the project who may be mentioned (staff too, whatever the portal
        shows: a contact who knows a name may mention that person)."""
        return queries.people_on_project(self.session, self.project(project_id))

    def comment_read_mark(self, user_id: int, project_id: int) -> int:
        self.project(project_id)
        return queries.read_mark(self.session, user_id, project_id)

    def is_own_contact(self, row: CommentRow) -> bool:
        """Whether the comment's author is a contact of this client (else: the firm's)."""
        return row.author_role == "client" and row.author_client_id == self.client_id
