"""Unread comment counts for the navigation.

Who follows a thread:

* a client's contact follows the threads of all the client's projects;
* an administrator follows every thread;
* other staff follow the threads of the projects they logged time on or commented in.

A comment is unread for a follower when someone else wrote it, it is not deleted, and it is
newer than the follower's read mark (``comment_reads``; no mark: nothing read yet). The count
is one SQL statement. Opening a thread moves the mark after the request
(:func:`note_reading`); the page that does so counts the thread as read already, so its own
navigation agrees with what it shows.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import and_, exists, func, not_, or_, select
from sqlalchemy.orm import aliased

from timetracker import db
from timetracker.models import Client, Comment, CommentRead, Project, Role, TimeEntry, User

#: Where a request keeps the read marks it will write after the response.
_PENDING = "comment_read_marks"


def note_reading(project_id: int, up_to: int) -> None:
    """This request shows the thread up to comment ``up_to``: the navigation counts it read."""
    if has_request_context() and up_to > 0:
        marks: dict[int, int] = g.setdefault(_PENDING, {})
        marks[project_id] = max(marks.get(project_id, 0), up_to)


def _pending() -> dict[int, int]:
    return dict(g.get(_PENDING, {})) if has_request_context() else {}


def unread_total(user: User) -> int:
    """How many comments ``user`` has not read yet, over every thread they follow."""
    if not user.is_active:
        return 0
    if user.is_client_contact:
        if user.client_id is None or not user.client_portal_enabled:
            return 0
        follows = and_(
            Project.client_id == user.client_id,
            exists().where(Client.id == user.client_id, Client.is_active.is_(True)),
        )
    elif user.is_admin:
        follows = Project.id.is_not(None)
    elif user.role == Role.STAFF:
        mine = aliased(Comment)
        follows = or_(
            exists().where(TimeEntry.project_id == Project.id, TimeEntry.user_id == user.id),
            exists().where(mine.project_id == Project.id, mine.author_id == user.id),
        )
    else:
        return 0
    query = (
        select(func.count(Comment.id))
        .join(Project, Project.id == Comment.project_id)
        .outerjoin(
            CommentRead,
            and_(CommentRead.project_id == Comment.project_id, CommentRead.user_id == user.id),
        )
        .where(
            follows,
            Comment.deleted_at.is_(None),
            or_(Comment.author_id.is_(None), Comment.author_id != user.id),
            Comment.id > func.coalesce(CommentRead.last_read_comment_id, 0),
        )
    )
    for project_id, up_to in _pending().items():
        query = query.where(not_(and_(Comment.project_id == project_id, Comment.id <= up_to)))
    return int(db.session.scalar(query) or 0)
