"""The SQL of the comment threads, shared by the workspace and the portal's scope.

Every function here takes a project id the caller has already found through its own access
rule (the workspace: any project, for staff; the portal: one of the client's projects, through
:class:`~timetracker.portal.scope.comments.CommentScope`, which adds its client condition to
these queries itself).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from timetracker.models import Client, Comment, CommentRead, Project, Role, TimeEntry, User
from timetracker.models.users import STAFF_ROLES
from timetracker.pagination import Page, PageRequest

#: Comments on one page of a thread (newest last; the thread opens on its last page).
PAGE_SIZE = 50


@dataclass(frozen=True)
class CommentRow:
    """One comment as a thread shows it (before the viewer's rules are applied)."""

    id: int
    project_id: int
    author_id: int | None
    author_name: str
    body: str
    created_at: dt.datetime
    edited_at: dt.datetime | None
    deleted_at: dt.datetime | None
    #: The author's role now (``None``: the account is gone) and client, if a contact.
    author_role: str | None
    author_client_id: int | None


@dataclass(frozen=True)
class Person:
    """Someone on a project: may be mentioned, and is listed under the comment form."""

    id: int
    name: str
    email: str
    is_staff: bool


def thread_select(project_id: int) -> Select[Any]:
    """The columns of :class:`CommentRow` for one project's comments (no order, no client
    condition: the portal's scope adds its own)."""
    return (
        select(
            Comment.id,
            Comment.project_id,
            Comment.author_id,
            Comment.author_name,
            Comment.body,
            Comment.created_at,
            Comment.edited_at,
            Comment.deleted_at,
            User.role,
            User.client_id,
        )
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.project_id == project_id)
    )


def count_select(project_id: int) -> Select[tuple[int]]:
    return select(func.count(Comment.id)).where(Comment.project_id == project_id)


def page_of(
    session: Session,
    rows: Select[Any],
    total: int,
    number: int | None,
    size: int = PAGE_SIZE,
) -> Page[CommentRow]:
    """The page ``number`` of a thread, oldest first; ``None``: the last page (the newest)."""
    last = max(1, -(-total // size))
    request = PageRequest(last if number is None else number, size).clamp(total)
    found = session.execute(
        rows.order_by(Comment.created_at, Comment.id).limit(request.size).offset(request.offset)
    ).all()
    return Page([CommentRow(*row) for row in found], total, request.number, request.size)


def newest_id(session: Session, project_id: int) -> int:
    """The newest comment id of a thread (0 when it is empty)."""
    return int(
        session.scalar(select(func.max(Comment.id)).where(Comment.project_id == project_id)) or 0
    )


def read_mark(session: Session, user_id: int, project_id: int) -> int:
    """The newest comment id ``user_id`` has seen in the thread (0: none)."""
    return int(
        session.scalar(
            select(CommentRead.last_read_comment_id).where(
                CommentRead.user_id == user_id, CommentRead.project_id == project_id
            )
        )
        or 0
    )


def write_read_mark(session: Session, user_id: int, project_id: int, comment_id: int) -> None:
    """Move the person's read mark forward to ``comment_id`` (never back): one upsert."""
    if comment_id <= 0:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CommentRead).values(
        user_id=user_id, project_id=project_id, last_read_comment_id=comment_id
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[CommentRead.user_id, CommentRead.project_id],
            set_={"last_read_comment_id": statement.excluded.last_read_comment_id},
            where=CommentRead.last_read_comment_id < statement.excluded.last_read_comment_id,
        )
    )


def posted_since(
    session: Session, project_id: int, author_id: int, body: str, mark: int
) -> Comment | None:
    """The author's comment with this very body posted after the form was drawn (``mark``: the
    newest comment id then): a second submission of the same form."""
    return session.scalar(
        select(Comment)
        .where(
            Comment.project_id == project_id,
            Comment.author_id == author_id,
            Comment.id > mark,
            Comment.body == body,
            Comment.deleted_at.is_(None),
        )
        .order_by(Comment.id)
        .limit(1)
    )


def lock_thread(session: Session, project_id: int) -> None:
    """Serialise posts to one thread (PostgreSQL: a row lock on the project until the request
    commits; SQLite serialises every write anyway), so that the duplicate check above sees a
    simultaneous twin."""
    session.execute(select(Project.id).where(Project.id == project_id).with_for_update())


def people_on_project(session: Session, project: Project) -> list[Person]:
    """Who is on the project: active staff who logged time on it or commented in its thread,
    the active administrators, and the client's active portal contacts (while the client is
    active). Nobody else can be mentioned."""
    on_time = exists().where(TimeEntry.project_id == project.id, TimeEntry.user_id == User.id)
    commented = exists().where(Comment.project_id == project.id, Comment.author_id == User.id)
    staff = and_(User.role.in_(STAFF_ROLES), or_(User.role == Role.ADMIN, on_time, commented))
    contact = and_(
        User.role == Role.CLIENT,
        User.client_portal_enabled.is_(True),
        User.client_id == project.client_id,
        exists().where(Client.id == project.client_id, Client.is_active.is_(True)),
    )
    rows = session.execute(
        select(User.id, User.name, User.email, User.role)
        .where(User.is_active.is_(True), or_(staff, contact))
        .order_by(User.name, User.id)
    ).all()
    return [Person(uid, name, email, role in STAFF_ROLES) for uid, name, email, role in rows]
