"""``timetracker audit purge``: remove audit events older than the retention setting.

Meant for a daily cron job or systemd timer (docs/audit.md). The audit page never purges on
its own: a page someone reads changes nothing, and it warns when the purge has not run.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext

from timetracker import audit, db, firm


@click.group("audit", help="The audit trail.")
def audit_group() -> None:
    pass


@audit_group.command(
    "purge",
    help="Delete audit events older than the retention setting (Admin → Settings); "
    "run it once a day.",
)
@with_appcontext
def purge() -> None:
    from timetracker.cli import _require_schema

    _require_schema()
    days = firm.get_settings().audit_retention_days
    if days <= 0:
        click.echo(_("Audit events are kept for ever (retention 0 days); nothing was deleted."))
        return
    removed = audit.purge_expired(db.session, days)
    db.session.commit()
    click.echo(
        ngettext(
            "Deleted %(num)d audit event older than %(days)d days.",
            "Deleted %(num)d audit events older than %(days)d days.",
            removed,
            days=days,
        )
    )
