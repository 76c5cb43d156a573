"""Emails about comments: "you were mentioned" to each person a comment mentions.

They go through the background jobs like every email (RQ when ``REDIS_URL`` is set, inline
otherwise), after the request's commit, in plain text and HTML. Each job carries one comment
and one recipient and composes the message from the comment as it is then: a comment deleted
meanwhile, or a recipient no longer on the project (deactivated, portal access taken away),
sends nothing. To a client's contacts the author of a staff comment is the firm, when the
firm hides staff names from that client (its portal visibility).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from functools import partial
from typing import Any

from flask import current_app, has_request_context
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from timetracker import after_commit, db, firm, i18n
from timetracker.comments.markdown import render
from timetracker.comments.queries import Person, people_on_project
from timetracker.models import Client, Comment, Project, Role, User
from timetracker.notifications.jobs import dispatch_email
from timetracker.notifications.mail import (
    new_message,
    send_message,
)

log = logging.getLogger(__name__)

#: The job's name in the metrics.
COMMENT_EMAIL_JOB = "comment_email"


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_ENABLED"))


def _base(config: Mapping[str, Any]) -> str:
    return str(config.get("BASE_URL") or "").rstrip("/")


def comment_link(comment: Comment, recipient: Person, config: Mapping[str, Any]) -> str:
    """The comment on the project page the recipient opens: the portal's for a contact."""
    path = "" if recipient.is_staff else "/client-portal"
    return f"{_base(config)}{path}/projects/{comment.project_id}#comment-{comment.id}"


def author_shown_to(comment: Comment, author: User | None, client: Client, to: Person) -> str:
    """The author's name as ``to`` may read it: a contact of a client whose portal hides staff
    names reads the firm's name for anyone but the client's own contacts."""
    if to.is_staff or client.portal_shows_staff_names:
        return comment.author_name
    own_contact = (
        author is not None and author.role == Role.CLIENT and author.client_id == client.id
    )
    return comment.author_name if own_contact else firm.get_settings().company_name


# Queueing -------------------------------------------------------------------------------------
def notify_mentioned(comment: Comment, people: Sequence[Person]) -> list[Person] | None:
    """Email each person mentioned once the request commits. Returns who will be emailed, or
    ``None`` when mail is switched off on this server."""
    if not mail_enabled():
        log.info("mail is off: nobody is emailed about comment %s", comment.id)
        return None
    for person in people:
        job = partial(dispatch, comment.id, person.id)
        if has_request_context():
            after_commit(job)
        else:
            job()
    return list(people)


def dispatch(comment_id: int, user_id: int) -> None:
    """Send the email through the background jobs (see ``notifications.jobs``)."""
    dispatch_email(
        COMMENT_EMAIL_JOB,
        deliver,
        comment_id,
        user_id,
        description=f"mention email for comment {comment_id}",
    )


# Composing and sending ------------------------------------------------------------------------
def deliver(comment_id: int, user_id: int) -> None:
    """Compose and send one mention email now, if it is still due; raises on a failure to
    send."""
    session = db.session
    comment = session.scalar(select(Comment).where(Comment.id == comment_id))
    if comment is None or comment.deleted_at is not None:
        log.info("comment %s email dropped: the comment is gone", comment_id)
        return
    project = session.scalar(select(Project).where(Project.id == comment.project_id))
    if project is None:
        return
    client = session.scalar(select(Client).where(Client.id == project.client_id))
    if client is None:
        return
    to = next((p for p in people_on_project(session, project) if p.id == user_id), None)
    if to is None:
        log.info("comment %s email dropped: user %s is not on the project", comment_id, user_id)
        return
    author = None
    if comment.author_id is not None:
        author = session.scalar(select(User).where(User.id == comment.author_id))
    # The recipient's own language, else (a contact) their client's document language.
    recipient = session.scalar(
        select(User).options(selectinload(User.client)).where(User.id == user_id)
    )
    language = i18n.language_of(recipient) if recipient is not None else i18n.firm_language()
    with i18n.speaking(language):
        message = compose(comment, project, client, author, to, current_app.config)
    send_message(message, current_app.config)


def compose(
    comment: Comment,
    project: Project,
    client: Client,
    author: User | None,
    to: Person,
    config: Mapping[str, Any],
) -> EmailMessage:
    """The mention email to ``to``, from ``email/comments/mention.*``: the comment's source in
    the text part, its sanitised rendering in the HTML part. Written in the language being
    spoken (``deliver`` speaks the recipient's)."""
    settings = firm.get_settings()
    author_name = author_shown_to(comment, author, client, to)
    values: dict[str, Any] = {
        "comment": comment,
        "body_html": render(comment.body),
        "project": project,
        "client": client,
        "author_name": author_name,
        "recipient_name": to.name,
        "company_name": settings.company_name,
        "link": comment_link(comment, to, config),
        "timezone": settings.timezone,
    }
    return new_message(
        config,
        subject=gettext(
            "%(author)s mentioned you on %(project)s", author=author_name, project=project.name
        ),
        to_name=to.name,
        to_email=to.email,
        template="email/comments/mention",
        values=values,
    )
