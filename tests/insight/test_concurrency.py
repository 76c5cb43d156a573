"""Under concurrency on PostgreSQL: requests that cross a threshold at the same moment record
(and so email) each alert once. Each thread works like a separate request: its own application
context, connection and real COMMIT; what they create is deleted afterwards. (SQLite lets one
writer in at a time: there is no race to test there.)"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from flask import Flask, g
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from timetracker.db import make_engine
from timetracker.insight.alerts import check_budget
from timetracker.models import BudgetAlert, Client, Project, Role, TimeEntry, User

WORKERS = 8

pytestmark = pytest.mark.postgres


@dataclass
class Committed:
    maker: sessionmaker[Session]
    client_id: int
    project_id: int
    user_ids: list[int]


@pytest.fixture
def committed(app: Flask, database_url: str) -> Iterator[Committed]:
    assert database_url.startswith("postgresql")
    engine = make_engine(database_url, pool_size=WORKERS + 2, max_overflow=0)
    maker = sessionmaker(bind=engine, expire_on_commit=False)
    tag = uuid.uuid4().hex
    with maker() as setup:
        customer = Client(name=f"Budget {tag}", currency="EUR", default_hourly_rate=Decimal(1))
        setup.add(customer)
        setup.flush()
        project = Project(name="Race", client_id=customer.id, budget_hours=Decimal("10"))
        people = [
            User(
                name=f"Racer {i}",
                email=f"racer-{i}-{tag}@example.com",
                password_hash="x",
                role=Role.STAFF,
            )
            for i in range(WORKERS)
        ]
        setup.add_all([project, *people])
        setup.commit()
        ids = Committed(maker, customer.id, project.id, [p.id for p in people])
    try:
        yield ids
    finally:
        with maker() as cleanup:
            cleanup.execute(delete(TimeEntry).where(TimeEntry.project_id == ids.project_id))
            cleanup.execute(delete(BudgetAlert).where(BudgetAlert.project_id == ids.project_id))
            cleanup.execute(delete(Project).where(Project.id == ids.project_id))
            cleanup.execute(delete(User).where(User.id.in_(ids.user_ids)))
            cleanup.execute(delete(Client).where(Client.id == ids.client_id))
            cleanup.commit()
        engine.dispose()


def test_entries_crossing_a_threshold_together_record_each_alert_once(
    app: Flask, committed: Committed
) -> None:
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []
    recorded: list[tuple[str, int]] = []
    start = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)

    def one(user_id: int) -> None:
        try:
            with app.app_context(), committed.maker() as session:
                g.db_session = session
                project = session.get(Project, committed.project_id)
                user = session.get(User, user_id)
                assert project and user
                barrier.wait()
                # 8 h of the 10 h budget: each entry alone crosses 75 %.
                entry = TimeEntry(
                    user_id=user.id, project_id=project.id, start_time=start, billable=True
                )
                entry.stop(start + dt.timedelta(hours=8))
                session.add(entry)
                session.flush()
                recorded.extend(check_budget(session, project.id))
                session.commit()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=one, args=(uid,)) for uid in committed.user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with committed.maker() as check:
        rows = check.execute(
            select(BudgetAlert.measure, BudgetAlert.threshold).where(
                BudgetAlert.project_id == committed.project_id
            )
        ).all()
    assert ("hours", 75) in {tuple(r) for r in rows}
    # Each alert was new to exactly one request: one email per threshold and recipient.
    assert sorted(recorded) == sorted(tuple(r) for r in rows)
