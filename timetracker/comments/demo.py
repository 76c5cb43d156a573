"""A short comment thread for the demo data: the client's contact asks, staff answer with a
mention, and the contact thanks them. Written straight to the table (no audit, no email), as
the rest of the demo data is."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from timetracker.comments import queries
from timetracker.models import Comment, Project, User


def add_demo_thread(
    session: Session,
    project: Project,
    *,
    contact: User,
    staff: User,
    now: dt.datetime,
) -> list[Comment]:
    """Three comments on ``project``, ending a day before ``now`` (aware, UTC); the contact has
    read the thread up to the staff member's answer, staff have read none of it."""
    start = now - dt.timedelta(days=3)
    thread = [
        (
            contact,
            start,
            "Hi! Could you tell us when the **staging site** will be ready for our team to "
            "review? We would like to book a session with our marketing people.",
        ),
        (
            staff,
            start + dt.timedelta(hours=3),
            f"@{contact.name} the staging site goes up on Thursday. You will find:\n\n"
            "- the new home page\n- the product pages\n- the contact form\n\n"
            "Send us any notes here and we fold them into the next round.",
        ),
        (
            contact,
            now - dt.timedelta(days=1),
            "Thank you, Thursday works. We will collect our notes in this thread.",
        ),
    ]
    made = []
    for author, when, body in thread:
        comment = Comment(
            project_id=project.id,
            author_id=author.id,
            author_name=author.name,
            body=body,
            created_at=when,
        )
        session.add(comment)
        made.append(comment)
    session.flush()
    queries.write_read_mark(session, contact.id, project.id, made[1].id)
    return made
