"""With Redis: each attempt is an RQ job, and a failed one schedules the next after the
back-off delay (RQ's scheduler, which runs in ``timetracker worker``, enqueues it when due)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import _redis_url, post
from tests.webhooks.conftest import make_endpoint, wire
from tests.webhooks.receiver import Receiver
from timetracker.models.api import WebhookDelivery

pytestmark = pytest.mark.redis


@pytest.fixture
def queue(app: Flask, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    url = _redis_url()
    assert url
    name = f"webhooks-test-{uuid.uuid4().hex}"
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    monkeypatch.setitem(app.config, "RQ_QUEUE", name)
    connection = Redis.from_url(url)
    found = Queue(name, connection=connection)
    try:
        yield found
    finally:
        found.empty()
        for job_id in found.scheduled_job_registry.get_job_ids():
            found.scheduled_job_registry.remove(job_id, delete_job=True)
        connection.close()


def test_attempts_run_as_rq_jobs_and_a_failure_schedules_the_retry(
    app: Flask, as_admin: FlaskClient, session: Session, receiver: Receiver, queue: Queue
) -> None:
    wire(receiver, make_endpoint(session, receiver.url, events="invoice.sent"))
    from tests.factories import make_client, make_invoice
    from timetracker.models import InvoiceStatus

    invoice = make_invoice(session, make_client(session), status=InvoiceStatus.DRAFT)
    assert post(as_admin, f"/invoices/{invoice.id}/send").status_code == 302
    assert queue.count == 1 and receiver.requests == []  # queued, not sent in the request

    receiver.replies = [(503, b"busy", {})]
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert len(receiver.requests) == 1 and receiver.requests[0].verified
    session.expire_all()
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 503)

    registry = queue.scheduled_job_registry
    (job_id,) = registry.get_job_ids()
    when = registry.get_scheduled_time(job_id)
    expected = delivery.next_attempt_at
    assert expected is not None
    assert abs((when.replace(tzinfo=dt.UTC) - expected).total_seconds()) < 5
    job = queue.fetch_job(job_id)
    assert job is not None and job.args == (delivery.id, 1, False)

    # When due, the scheduler enqueues it; the second attempt succeeds.
    registry.remove(job_id)
    queue.enqueue_job(job)
    with app.app_context():
        from timetracker.models._common import utcnow

        session.execute(
            WebhookDelivery.__table__.update().values(next_attempt_at=utcnow())  # due now
        )
        session.flush()
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    session.expire_all()
    delivery = session.scalars(select(WebhookDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert registry.get_job_ids() == []
