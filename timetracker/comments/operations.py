"""Posting, editing and deleting comments: the rules, the audit and the mention emails.

The functions flush but never commit (the request commits once). The caller has found the
project and the comment through its own access rule (the workspace, or the portal's scope),
so these functions only check what the person may do to a comment they can see:

* anyone who sees the thread posts, while the project is active (an archived project's thread,
  and the thread of a deactivated client's project, are read-only);
* the author edits, for :data:`EDIT_MINUTES` after posting;
* the author or an administrator deletes; the row stays, marked deleted, its body cleared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import format_number, gettext
from sqlalchemy.orm import Session

from timetracker import audit
from timetracker.comments import queries
from timetracker.comments.mentions import mentioned
from timetracker.comments.queries import Person
from timetracker.i18n import N_
from timetracker.models import Client, Comment, Project, User
from timetracker.models._common import utcnow
from timetracker.notifications.comments import notify_mentioned

#: How long the author may edit a comment after posting it.
EDIT_MINUTES = 15
#: The longest comment, in characters of Markdown source.
MAX_BODY = 5000


# The refusals in English (as the tests and the logs read them); a refusal raised or shown
# in a request is ``gettext`` of its message, in the language of the page.
EMPTY = N_("Write a comment before posting it.")
_TOO_LONG = N_("A comment can be at most %(count)s characters long.")
TOO_LONG = _TOO_LONG % {"count": f"{MAX_BODY:,}"}
READ_ONLY_ARCHIVED = N_(
    "This project is archived: its comments can be read but no longer added to."
)
READ_ONLY_CLIENT = N_("This client is no longer active: the project's comments are read-only.")
NOT_AUTHOR = N_("Only the author of a comment can edit it.")
_EDIT_EXPIRED = N_(
    "A comment can only be edited for %(minutes)d minutes after it was posted. "
    "Post a new comment instead."
)
EDIT_EXPIRED = _EDIT_EXPIRED % {"minutes": EDIT_MINUTES}
ALREADY_DELETED = N_("This comment was deleted and can no longer be edited.")
MAY_NOT_DELETE = N_("Only the author of a comment or an administrator can delete it.")


class CommentRefused(ValueError):
    """The comment may not be posted, edited or deleted; ``status`` is the answer (400, 403)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def normalise_body(text: str | None) -> str:
    """The body as stored: line endings unified, outer blank space trimmed; raises
    :class:`CommentRefused` when empty or too long."""
    body = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if not body:
        raise CommentRefused(gettext(EMPTY))
    if len(body) > MAX_BODY:
        raise CommentRefused(gettext(_TOO_LONG, count=format_number(MAX_BODY)))
    return body


def read_only_reason(project: Project, client: Client) -> str | None:
    """Why the thread takes no new comments (in the language being spoken), or ``None``."""
    if not project.is_active:
        return gettext(READ_ONLY_ARCHIVED)
    if not client.is_active:
        return gettext(READ_ONLY_CLIENT)
    return None


def editable_until(comment: Comment) -> dt.datetime:
    return comment.created_at + dt.timedelta(minutes=EDIT_MINUTES)


def may_edit(comment: Comment | queries.CommentRow, user: User, now: dt.datetime) -> bool:
    return (
        comment.deleted_at is None
        and comment.author_id == user.id
        and now < comment.created_at + dt.timedelta(minutes=EDIT_MINUTES)
    )


def may_delete(comment: Comment | queries.CommentRow, user: User) -> bool:
    return comment.deleted_at is None and (comment.author_id == user.id or user.is_admin)


@dataclass(frozen=True)
class Posted:
    comment: Comment
    #: Who will be emailed (``None``: mail is off on this server).
    emailed: list[Person] | None
    #: ``False``: the same form came again; this is the comment its first submission posted.
    new: bool = True


def _detail(project: Project, comment: Comment) -> str:
    return f"Comment {comment.id} on project {project.name}"


def post_comment(
    session: Session,
    project: Project,
    client: Client,
    author: User,
    text: str | None,
    *,
    people: Sequence[Person],
    seen_up_to: int,
) -> Posted:
    """Post a comment, once per form: ``seen_up_to`` is the newest comment id when the form
    was drawn, and a comment by the same author with the same body after it is the first
    submission of this form (nothing is posted again)."""
    reason = read_only_reason(project, client)
    if reason:
        raise CommentRefused(reason)
    body = normalise_body(text)
    queries.lock_thread(session, project.id)
    earlier = queries.posted_since(session, project.id, author.id, body, seen_up_to)
    if earlier is not None:
        return Posted(earlier, None, new=False)
    comment = Comment(
        project_id=project.id, author_id=author.id, author_name=author.name[:200], body=body
    )
    session.add(comment)
    session.flush()
    audit.record(
        audit.Kind.COMMENT_POSTED, session, client_id=client.id, detail=_detail(project, comment)
    )
    queries.write_read_mark(session, author.id, project.id, comment.id)
    emailed = notify_mentioned(comment, mentioned(body, people, author_id=author.id))
    return Posted(comment, emailed)


def edit_comment(
    session: Session,
    project: Project,
    client: Client,
    comment: Comment,
    editor: User,
    text: str | None,
    *,
    people: Sequence[Person],
    now: dt.datetime | None = None,
) -> list[Person] | None:
    """Change the body of the editor's own comment within the edit window; people mentioned
    now and not before are emailed (returned; ``None``: mail is off)."""
    now = now or utcnow()
    reason = read_only_reason(project, client)
    if reason:
        raise CommentRefused(reason)
    if comment.deleted_at is not None:
        raise CommentRefused(gettext(ALREADY_DELETED))
    if comment.author_id != editor.id:
        raise CommentRefused(gettext(NOT_AUTHOR), 403)
    if not may_edit(comment, editor, now):
        raise CommentRefused(gettext(_EDIT_EXPIRED, minutes=EDIT_MINUTES))
    body = normalise_body(text)
    before = {p.id for p in mentioned(comment.body, people, author_id=editor.id)}
    if body == comment.body:
        return []
    comment.body = body
    comment.edited_at = now
    session.flush()
    audit.record(
        audit.Kind.COMMENT_EDITED, session, client_id=client.id, detail=_detail(project, comment)
    )
    added = [p for p in mentioned(body, people, author_id=editor.id) if p.id not in before]
    return notify_mentioned(comment, added) if added else []


def delete_comment(
    session: Session, project: Project, client: Client, comment: Comment, user: User
) -> bool:
    """Delete a comment (the author or an administrator): the row stays as "comment deleted",
    its body cleared. ``False`` when it was deleted already (a second submission)."""
    if comment.deleted_at is not None:
        return False
    if not may_delete(comment, user):
        raise CommentRefused(gettext(MAY_NOT_DELETE), 403)
    comment.deleted_at = utcnow()
    comment.deleted_by_id = user.id
    comment.body = ""
    session.flush()
    audit.record(
        audit.Kind.COMMENT_DELETED, session, client_id=client.id, detail=_detail(project, comment)
    )
    return True
