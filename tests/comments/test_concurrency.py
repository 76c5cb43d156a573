"""Under concurrency on PostgreSQL: one form sent many times at the very same moment posts one
comment (the thread's row lock serialises the duplicate check). Each thread works like a
separate request: its own application context, connection and real COMMIT; what they create
is deleted afterwards. (SQLite lets one writer in at a time: there is no race to test there.)
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask, g
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from timetracker.comments.operations import post_comment
from timetracker.db import make_engine
from timetracker.models import AuditEvent, Client, Comment, CommentRead, Project, Role, User

WORKERS = 12

pytestmark = pytest.mark.postgres


@dataclass
class Committed:
    maker: sessionmaker[Session]
    client_id: int
    project_id: int
    user_id: int


@pytest.fixture
def committed(app: Flask, database_url: str) -> Iterator[Committed]:
    assert database_url.startswith("postgresql")
    engine = make_engine(database_url, pool_size=WORKERS + 2, max_overflow=0)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    tag = uuid.uuid4().hex
    with maker() as setup:
        customer = Client(name=f"Comments {tag}", currency="EUR", default_hourly_rate=Decimal(1))
        setup.add(customer)
        setup.flush()
        project = Project(name="Race", client_id=customer.id)
        contact = User(
            name="Racer",
            email=f"racer-{tag}@example.com",
            password_hash="x",
            role=Role.CLIENT,
            client_portal_enabled=True,
            client_id=customer.id,
        )
        setup.add_all([project, contact])
        setup.commit()
        ids = (customer.id, project.id, contact.id)
    try:
        yield Committed(maker, *ids)
    finally:
        with maker() as cleanup:
            client_id, project_id, user_id = ids
            cleanup.execute(delete(CommentRead).where(CommentRead.project_id == project_id))
            cleanup.execute(delete(Comment).where(Comment.project_id == project_id))
            cleanup.execute(delete(AuditEvent).where(AuditEvent.client_id == client_id))
            cleanup.execute(delete(Project).where(Project.id == project_id))
            cleanup.execute(delete(User).where(User.id == user_id))
            cleanup.execute(delete(Client).where(Client.id == client_id))
            cleanup.commit()
        engine.dispose()


def test_one_form_sent_at_once_many_times_posts_one_comment(
    app: Flask, committed: Committed
) -> None:
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def one() -> None:
        try:
            with app.app_context(), committed.maker() as session:
                g.db_session = session
                project = session.get(Project, committed.project_id)
                client = session.get(Client, committed.client_id)
                author = session.get(User, committed.user_id)
                assert project and client and author
                barrier.wait()
                post_comment(session, project, client, author, "Only once", people=[], seen_up_to=0)
                session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=one) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with committed.maker() as check:
        count = check.scalar(
            select(func.count(Comment.id)).where(Comment.project_id == committed.project_id)
        )
        posted = check.scalar(
            select(func.count(AuditEvent.id)).where(
                AuditEvent.client_id == committed.client_id, AuditEvent.kind == "comment_posted"
            )
        )
    assert (count, posted) == (1, 1)
