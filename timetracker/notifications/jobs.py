"""Running email deliveries after the commit: as RQ jobs when ``REDIS_URL`` is set, inline
otherwise.

Each delivery is one job. A failed attempt is recorded on its ``EmailDelivery`` row and raised,
so that RQ retries it after the next back-off delay (the worker runs RQ's scheduler for that);
inline, the same attempts run one after the other with short pauses. Nothing here may raise
into the request that issued the invoice: that request has already committed.

A job carries the id of the request that queued it (in the RQ job's ``meta``), and the worker
puts it back on the log records of the job, so the request's id finds the job's lines too.
Queued jobs and failed runs are counted (``timetracker_jobs_queued_total``,
``timetracker_jobs_failed_total``; see docs/monitoring.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, Worker, get_current_job

from timetracker import config
from timetracker.notifications.invoices import Outcome, attempt_delivery, max_attempts
from timetracker.observability import logs, metrics

log = logging.getLogger(__name__)

#: The defaults of ``RQ_QUEUE``, ``MAIL_RETRY_DELAYS`` and ``MAIL_INLINE_RETRY_DELAYS`` (read from
#: the environment by :mod:`timetracker.config`).
DEFAULT_QUEUE = config.DEFAULT_RQ_QUEUE
#: Seconds between attempts through RQ: one minute, then ten.
DEFAULT_RETRY_DELAYS = config.DEFAULT_MAIL_RETRY_DELAYS
#: Seconds between attempts inline, where someone is waiting for the page.
DEFAULT_INLINE_RETRY_DELAYS = config.DEFAULT_MAIL_INLINE_RETRY_DELAYS
#: Seconds a single delivery job may run (rendering the PDF plus the SMTP conversation).
JOB_TIMEOUT = 180
#: The job's name in the metrics.
INVOICE_EMAIL_JOB = "invoice_email"


class DeliveryFailed(RuntimeError):
    """One attempt failed and another is due; RQ schedules it."""


_worker_app: Flask | None = None


def _delays(key: str, default: Sequence[int]) -> list[int]:
    return [max(0, int(d)) for d in current_app.config.get(key, default)]


def queue_name() -> str:
    return str(current_app.config.get("RQ_QUEUE", DEFAULT_QUEUE))


def dispatch(delivery_ids: Sequence[int]) -> None:
    """Start delivering (called after the commit). Never raises: failures are logged and, for
    attempts, recorded on the delivery rows."""
    try:
        redis_url = current_app.config.get("REDIS_URL")
        if redis_url:
            try:
                enqueue(redis_url, delivery_ids)
                return
            except RedisError:
                log.exception("Redis is unreachable; sending the invoice emails inline")
        deliver_inline(delivery_ids)
    except Exception:
        log.exception("invoice email delivery failed unexpectedly")


def enqueue(redis_url: str, delivery_ids: Sequence[int]) -> None:
    attempts = max_attempts()
    retry = None
    if attempts > 1:
        retry = Retry(max=attempts - 1, interval=_delays("MAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))
    connection = Redis.from_url(redis_url)
    try:
        queue = Queue(queue_name(), connection=connection)
        for delivery_id in delivery_ids:
            queue.enqueue(
                send_invoice_email_job,
                delivery_id,
                retry=retry,
                job_timeout=JOB_TIMEOUT,
                description=f"invoice email delivery {delivery_id}",
                meta={"request_id": logs.current_request_id()},
            )
            metrics.JOBS_QUEUED.labels(INVOICE_EMAIL_JOB, "rq").inc()
    finally:
        connection.close()


def deliver_inline(delivery_ids: Sequence[int]) -> None:
    """Each delivery is a job run here and now (in the request's context: its log lines carry
    the request's id)."""
    delays = _delays("MAIL_INLINE_RETRY_DELAYS", DEFAULT_INLINE_RETRY_DELAYS) or [0]
    for delivery_id in delivery_ids:
        metrics.JOBS_QUEUED.labels(INVOICE_EMAIL_JOB, "inline").inc()
        for attempt in range(max_attempts()):
            if _counted_attempt(delivery_id, "inline") is Outcome.DONE:
                break
            time.sleep(delays[min(attempt, len(delays) - 1)])


def _counted_attempt(delivery_id: int, mode: str) -> Outcome:
    """One attempt; a run that raises or must be retried counts as a failed job run."""
    failed = metrics.JOBS_FAILED.labels(INVOICE_EMAIL_JOB, mode)
    try:
        outcome = attempt_delivery(delivery_id)
    except Exception:
        failed.inc()
        raise
    if outcome is Outcome.RETRY:
        failed.inc()
    return outcome


@contextmanager
def _job_context() -> Iterator[None]:
    """A fresh application context per job: its own database session, closed afterwards."""
    if has_app_context():
        # LocalProxy's _get_current_object is not in Flask's type of current_app:
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    else:
        global _worker_app
        if _worker_app is None:
            from timetracker import create_app

            _worker_app = create_app()
        app = _worker_app
    with app.app_context():
        yield


def _queued_by() -> str | None:
    """The id of the request that queued the running RQ job, if any."""
    job = get_current_job()
    request_id = job.meta.get("request_id") if job is not None else None
    return request_id if isinstance(request_id, str) else None


def send_invoice_email_job(delivery_id: int) -> str:
    """The RQ job: one attempt; raising lets RQ retry it after the back-off delay."""
    with logs.request_id_bound(_queued_by()), _job_context():
        if _counted_attempt(delivery_id, "rq") is Outcome.RETRY:
            raise DeliveryFailed(f"invoice email delivery {delivery_id} failed; will retry")
    return "done"


# Emails of the other features (accounts, quotes, comments, webhooks) --------------------------
# Each feature composes and sends one email in its own ``deliver(*args)`` (which raises when the
# email could not be sent); this is how every one of them is queued, retried and counted.


def dispatch_email(name: str, deliver: Callable[..., None], *args: Any, description: str) -> None:
    """Run ``deliver(*args)`` as an RQ job (retried after the back-off delays) or, when Redis is
    not set or not reachable, here and now with the inline retries. ``name`` labels the job in
    the metrics and logs. Called after the commit: never raises."""
    try:
        redis_url = current_app.config.get("REDIS_URL")
        if redis_url:
            try:
                _enqueue_email(redis_url, name, deliver, args, description)
                return
            except RedisError:
                log.exception("Redis is unreachable; sending the %s inline", name)
        _deliver_email_inline(name, deliver, args)
    except Exception:
        log.exception("%s delivery failed unexpectedly", name)


def _enqueue_email(
    redis_url: str,
    name: str,
    deliver: Callable[..., None],
    args: tuple[Any, ...],
    description: str,
) -> None:
    attempts = max_attempts()
    retry = None
    if attempts > 1:
        retry = Retry(max=attempts - 1, interval=_delays("MAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))
    connection = Redis.from_url(redis_url)
    try:
        Queue(queue_name(), connection=connection).enqueue(
            email_job,
            name,
            deliver,
            *args,
            retry=retry,
            job_timeout=JOB_TIMEOUT,
            description=description,
            meta={"request_id": logs.current_request_id()},
        )
        metrics.JOBS_QUEUED.labels(name, "rq").inc()
    finally:
        connection.close()


def _deliver_email_inline(name: str, deliver: Callable[..., None], args: tuple[Any, ...]) -> None:
    metrics.JOBS_QUEUED.labels(name, "inline").inc()
    delays = _delays("MAIL_INLINE_RETRY_DELAYS", DEFAULT_INLINE_RETRY_DELAYS) or [0]
    attempts = max_attempts()
    for attempt in range(attempts):
        try:
            deliver(*args)
            return
        except Exception as exc:  # every failure is logged and retried
            metrics.JOBS_FAILED.labels(name, "inline").inc()
            log.warning("%s failed (attempt %s of %s): %s", name, attempt + 1, attempts, exc)
            if attempt + 1 < attempts:
                time.sleep(delays[min(attempt, len(delays) - 1)])


def email_job(name: str, deliver: Callable[..., None], *args: Any) -> str:
    """The RQ job of an email: one attempt; raising lets RQ retry it after the back-off
    delay."""
    with logs.request_id_bound(_queued_by()), _job_context():
        try:
            deliver(*args)
        except Exception:
            metrics.JOBS_FAILED.labels(name, "rq").inc()
            raise
    return "done"


def run_worker(redis_url: str, *, burst: bool = False) -> None:
    """The ``timetracker worker`` command: process jobs until stopped.

    The app is created once (here, or by the CLI's context); every job pushes its own context.
    RQ's scheduler runs in the worker so that retries with a delay are enqueued when due.
    """
    global _worker_app
    if has_app_context():
        # (see _job_context)
        _worker_app = current_app._get_current_object()  # type: ignore[attr-defined]
    else:
        from timetracker import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        name = queue_name()
    connection = Redis.from_url(redis_url)
    worker = Worker([Queue(name, connection=connection)], connection=connection)
    worker.work(burst=burst, with_scheduler=not burst)
