"""``timetracker webhooks sweep``: make the webhook attempts that are due.

Without Redis this is how failed deliveries are retried (and how events emitted outside a
request are sent): run it every minute (cron, a systemd timer). With Redis, RQ's scheduler
retries on time and the sweep only catches what a lost job left behind; every few minutes is
plenty (docs/webhooks.md).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from timetracker.webhooks import jobs


@click.group("webhooks", help="Webhook deliveries.")
def webhooks_group() -> None:
    pass


@webhooks_group.command(
    "sweep", help="Attempt the webhook deliveries that are due (run it every minute)."
)
@click.option(
    "--limit",
    type=click.IntRange(1, 10_000),
    default=jobs.SWEEP_LIMIT,
    show_default=True,
    help="Deliveries to attempt at most in this run.",
)
@with_appcontext
def sweep(limit: int) -> None:
    from timetracker.cli import _require_schema

    _require_schema()
    report = jobs.sweep(limit)
    click.echo(
        _(
            "Attempted %(attempted)d webhook deliveries: %(delivered)d delivered, "
            "%(retrying)d to retry later, %(failed)d failed.",
            attempted=report.attempted,
            delivered=report.delivered,
            retrying=report.retrying,
            failed=report.failed,
        )
    )
