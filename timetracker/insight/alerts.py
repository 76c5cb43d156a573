"""Budget alerts: when time on a project reaches 75, 90 or 100 % of its hours budget or its
budget in money, the project's staff (active staff who logged time on it, and the active
administrators) are emailed once per threshold, and so are the client's active portal contacts
when the firm's settings say so (``budget_alerts_to_clients``).

"Once" is the ``budget_alerts`` row: it is inserted with ``ON CONFLICT DO NOTHING`` in the
transaction that crossed the threshold, so two requests crossing it together send it once, and
a threshold crossed again after falling back below it (an entry deleted) sends nothing new.
Emails go after the commit, through the background jobs; each job composes its message from the
project as it is then. A contact of a client that hides amounts gets no alert about the budget
in money. A contact's alert counts only the time the client's publish gate shows
(:mod:`timetracker.billing.publication`), as the portal does: while the time that crossed the
threshold awaits approval, the contact is not emailed about it (the staff are).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from functools import partial
from typing import Any

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, joinedload

from timetracker import after_commit, db, firm, i18n
from timetracker.billing.publication import Gate
from timetracker.billing.summaries import ProjectFigures, project_figures
from timetracker.models import BudgetAlert, Client, Project, Role, TimeEntry, User
from timetracker.models.users import STAFF_ROLES
from timetracker.notifications.jobs import dispatch_email
from timetracker.notifications.mail import (
    new_message,
    send_message,
)

log = logging.getLogger(__name__)

THRESHOLDS = (75, 90, 100)
HOURS, AMOUNT = "hours", "amount"
#: The job's name in the metrics.
BUDGET_ALERT_JOB = "budget_alert_email"


@dataclass(frozen=True)
class Recipient:
    id: int
    name: str
    email: str
    is_staff: bool


def _usage(figures: ProjectFigures, measure: str) -> tuple[Decimal, Decimal | None]:
    project = figures.project
    if measure == HOURS:
        return figures.hours, project.budget_hours
    return figures.billable_amount, project.budget_amount


def reached(used: Decimal, budget: Decimal | None) -> list[int]:
    """The thresholds ``used`` has reached of ``budget`` (none without a positive budget)."""
    if budget is None or budget <= 0:
        return []
    return [t for t in THRESHOLDS if used * 100 >= budget * t]


def check_budget(session: Session, project_id: int) -> list[tuple[str, int]]:
    """Record the thresholds the project's time has newly reached and email them after the
    commit. Call after the time change was flushed. Returns the new ``(measure, threshold)``."""
    project = session.scalar(select(Project).where(Project.id == project_id))
    if project is None or not reached_any(project):
        return []
    figures = project_figures(session, [project], None)[project.id]
    new: list[tuple[str, int]] = []
    for measure in (HOURS, AMOUNT):
        used, budget = _usage(figures, measure)
        for threshold in reached(used, budget):
            if _insert_once(session, project.id, measure, threshold):
                new.append((measure, threshold))
    if new:
        _notify(session, project, new)
    return new


def reached_any(project: Project) -> bool:
    """Whether the project has a budget at all (else nothing is read)."""
    return any(b is not None and b > 0 for b in (project.budget_hours, project.budget_amount))


def _insert_once(session: Session, project_id: int, measure: str, threshold: int) -> bool:
    """Insert the alert's row unless it exists; whether this call inserted it. A concurrent
    insert of the same row waits for the other transaction, then does nothing."""
    table = BudgetAlert.__table__
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(table)
        .values(project_id=project_id, measure=measure, threshold=threshold, sent_at=firm.now())
        .on_conflict_do_nothing(index_elements=["project_id", "measure", "threshold"])
        .returning(table.c.threshold)
    )
    return session.execute(stmt).first() is not None


def recipients(session: Session, project: Project, measure: str) -> list[Recipient]:
    """Who gets an alert about ``measure`` on ``project``: its staff and, when the firm
    allows it, the client's active contacts (not about money when the client hides amounts)."""
    on_time = exists().where(TimeEntry.project_id == project.id, TimeEntry.user_id == User.id)
    people = and_(User.role.in_(STAFF_ROLES), or_(User.role == Role.ADMIN, on_time))
    client = session.scalar(select(Client).where(Client.id == project.client_id))
    contacts_too = (
        firm.get_settings().budget_alerts_to_clients
        and client is not None
        and client.is_active
        and (measure == HOURS or client.portal_shows_amounts)
    )
    if contacts_too:
        contact = and_(
            User.role == Role.CLIENT,
            User.client_portal_enabled.is_(True),
            User.client_id == project.client_id,
        )
        people = or_(people, contact)
    rows = session.execute(
        select(User.id, User.name, User.email, User.role)
        .where(User.is_active.is_(True), people)
        .order_by(User.name, User.id)
    ).all()
    return [Recipient(uid, name, email, role in STAFF_ROLES) for uid, name, email, role in rows]


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_ENABLED"))


def _notify(session: Session, project: Project, new: list[tuple[str, int]]) -> None:
    if not mail_enabled():
        log.info("mail is off: nobody is emailed about the budget of project %s", project.id)
        return
    for measure, threshold in new:
        for person in recipients(session, project, measure):
            job = partial(dispatch, project.id, measure, threshold, person.id)
            if has_request_context():
                after_commit(job)
            else:
                job()


def dispatch(project_id: int, measure: str, threshold: int, user_id: int) -> None:
    """Send the email through the background jobs (see ``notifications.jobs``)."""
    dispatch_email(
        BUDGET_ALERT_JOB,
        deliver,
        project_id,
        measure,
        threshold,
        user_id,
        description=f"{threshold} % {measure} budget alert for project {project_id}",
    )


def deliver(project_id: int, measure: str, threshold: int, user_id: int) -> None:
    """Compose and send one alert now, if the recipient should still get it."""
    session = db.session
    project = session.scalar(select(Project).where(Project.id == project_id))
    if project is None:
        return
    to = next((r for r in recipients(session, project, measure) if r.id == user_id), None)
    if to is None:
        log.info(
            "budget alert for project %s dropped: user %s no longer gets it", project_id, user_id
        )
        return
    client = session.scalar(select(Client).where(Client.id == project.client_id))
    if client is None:
        return
    if to.is_staff:
        figures = project_figures(session, [project], None)[project.id]
    else:
        hidden = Gate.of(client, firm.now()).hidden()
        figures = project_figures(session, [project], client.id, hidden)[project.id]
        if threshold not in reached(*_usage(figures, measure)):
            log.info(
                "budget alert for project %s not sent to contact %s: the time it counts is "
                "not published to the client yet",
                project_id,
                user_id,
            )
            return
    # In the recipient's language: their own choice, else (a contact) their client's document
    # language, else the firm's.
    with i18n.speaking(i18n.language_of(_person(session, to.id))):
        message = compose(project, client, figures, measure, threshold, to, current_app.config)
    send_message(message, current_app.config)


def _person(session: Session, user_id: int) -> User:
    """The recipient with their client (a contact's), which :func:`i18n.language_of` reads."""
    person = session.scalar(select(User).options(joinedload(User.client)).where(User.id == user_id))
    if person is None:  # pragma: no cover - ``recipients`` just found them
        raise LookupError(f"user {user_id} is gone")
    return person


def budget_name(measure: str) -> str:
    """The budget's name, in the language being written."""
    return _("hours budget") if measure == HOURS else _("budget in money")


def subject(project: Project, measure: str, threshold: int) -> str:
    """The alert's subject line, in the language being written."""
    if measure == HOURS:
        return _(
            "%(project)s: %(threshold)s %% of the hours budget used",
            project=project.name,
            threshold=threshold,
        )
    return _(
        "%(project)s: %(threshold)s %% of the budget in money used",
        project=project.name,
        threshold=threshold,
    )


def link(project: Project, to: Recipient, config: Mapping[str, Any]) -> str:
    """The project page the recipient opens: the portal's for a contact."""
    base = str(config.get("BASE_URL") or "").rstrip("/")
    path = "" if to.is_staff else "/client-portal"
    return f"{base}{path}/projects/{project.id}#forecast"


def compose(
    project: Project,
    client: Client,
    figures: ProjectFigures,
    measure: str,
    threshold: int,
    to: Recipient,
    config: Mapping[str, Any],
) -> EmailMessage:
    """The alert to ``to`` from ``email/insight/budget_alert.*``."""
    settings = firm.get_settings()
    used, budget = _usage(figures, measure)
    values: dict[str, Any] = {
        "project": project,
        "client": client,
        "measure": measure,
        "threshold": threshold,
        "budget_name": budget_name(measure),
        "used": used,
        "budget": budget,
        "percent": (figures.budget_hours_pct if measure == HOURS else figures.budget_amount_pct),
        "recipient_name": to.name,
        "company_name": settings.company_name,
        "link": link(project, to, config),
    }
    return new_message(
        config,
        subject=subject(project, measure, threshold),
        to_name=to.name,
        to_email=to.email,
        template="email/insight/budget_alert",
        values=values,
    )
