"""Running webhook attempts in the background jobs.

With ``REDIS_URL``: each attempt is an RQ job (:func:`deliver_webhook_job`); a failed attempt
schedules the next one itself with ``Queue.enqueue_in`` after the back-off delay, which RQ's
scheduler (running inside ``timetracker worker``) enqueues when due. Without Redis (or when it
does not answer): the first attempt runs inline right after the request's commit, and retries
are made by ``timetracker webhooks sweep`` (every minute from cron or a systemd timer). The
sweep also sends what was emitted outside a request and picks up anything a lost job left
behind, so running it with Redis too is a safety net. The claim in :mod:`.delivery` keeps two
of them from making the same attempt.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from timetracker import db
from timetracker.notifications.jobs import _job_context, _queued_by, queue_name
from timetracker.observability import logs, metrics
from timetracker.webhooks import delivery
from timetracker.webhooks.delivery import Outcome, Result

log = logging.getLogger(__name__)

WEBHOOK_JOB = "webhook_delivery"
#: A job runs one attempt: the POST's time limit and the database work around it.
JOB_TIMEOUT = 60
#: Deliveries one sweep attempts at most.
SWEEP_LIMIT = 200

#: (delivery id, attempts made so far, an administrator's manual retry?)
Attempt = tuple[int, int, bool]


def dispatch(attempts: Sequence[Attempt]) -> None:
    """Start the attempts (after the commit). Never raises: that request has committed."""
    try:
        redis_url = current_app.config.get("REDIS_URL")
        if redis_url:
            try:
                enqueue(redis_url, attempts)
                return
            except RedisError:
                log.exception("Redis is unreachable; sending the webhook deliveries inline")
        for delivery_id, expected, manual in attempts:
            metrics.JOBS_QUEUED.labels(WEBHOOK_JOB, "inline").inc()
            _counted(delivery_id, expected, manual, "inline")
    except Exception:
        log.exception("webhook delivery failed unexpectedly")


def enqueue(redis_url: str, attempts: Sequence[Attempt], delay: dt.timedelta | None = None) -> None:
    connection = Redis.from_url(redis_url)
    try:
        queue = Queue(queue_name(), connection=connection)
        for delivery_id, expected, manual in attempts:
            options = {
                "job_timeout": JOB_TIMEOUT,
                "description": f"webhook delivery {delivery_id}, attempt {expected + 1}",
                "meta": {"request_id": logs.current_request_id()},
            }
            args = (delivery_id, expected, manual)
            if delay is None:
                queue.enqueue(deliver_webhook_job, *args, **options)
            else:
                queue.enqueue_in(delay, deliver_webhook_job, *args, **options)
            metrics.JOBS_QUEUED.labels(WEBHOOK_JOB, "rq").inc()
    finally:
        connection.close()


def _counted(delivery_id: int, expected: int, manual: bool, mode: str) -> Result:
    try:
        result = delivery.attempt(delivery_id, expected, manual=manual)
    except Exception:
        metrics.JOBS_FAILED.labels(WEBHOOK_JOB, mode).inc()
        db.session.rollback()
        raise
    if result.outcome in (Outcome.RETRY, Outcome.FAILED):
        metrics.JOBS_FAILED.labels(WEBHOOK_JOB, mode).inc()
    return result


def deliver_webhook_job(delivery_id: int, expected: int, manual: bool = False) -> str:
    """The RQ job: one attempt; a failure with retries left schedules the next attempt."""
    with logs.request_id_bound(_queued_by()), _job_context():
        result = _counted(delivery_id, expected, manual, "rq")
        if result.outcome is Outcome.RETRY:
            redis_url = current_app.config.get("REDIS_URL")
            if redis_url:
                # If Redis fails here, the row stays due and the sweep sends it.
                enqueue(
                    redis_url,
                    [(delivery_id, result.attempts, False)],
                    delay=dt.timedelta(seconds=result.retry_in),
                )
    return result.outcome.value


@dataclass(frozen=True)
class SweepReport:
    attempted: int
    delivered: int
    retrying: int
    failed: int


def sweep(limit: int = SWEEP_LIMIT) -> SweepReport:
    """Attempt every pending delivery that is due (oldest first, ``limit`` at most), here."""
    due = delivery.due(db.session, limit)
    db.session.rollback()
    counts = {outcome: 0 for outcome in Outcome}
    for delivery_id, attempts in due:
        counts[_counted(delivery_id, attempts, False, "sweep").outcome] += 1
    attempted = len(due) - counts[Outcome.SKIPPED]
    return SweepReport(
        attempted, counts[Outcome.DELIVERED], counts[Outcome.RETRY], counts[Outcome.FAILED]
    )
