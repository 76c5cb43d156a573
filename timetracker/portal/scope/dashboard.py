"""The portal dashboard's figures and charts, from the client's scope."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import and_, case, func, select

from timetracker.billing import rules, states
from timetracker.billing.periods import local_day_start, month_start, utc_next_month_start
from timetracker.billing.states import InvoiceFilter, InvoiceState
from timetracker.billing.summaries import invoice_amounts_by_state, weekly_hours
from timetracker.charts.dashboards import WEEKS, DashboardCharts, dashboard_charts
from timetracker.models import (
    Invoice,
    InvoiceStatus,
    Project,
    ProjectStatus,
    TimeEntry,
    TimeEntryMonth,
)
from timetracker.portal.params import TimeFilters
from timetracker.portal.results import DashboardStats
from timetracker.portal.scope.time import TimeScope

#: The states a client's chart shows: every one but draft, which a client never sees.
PORTAL_STATES = tuple(s for s in InvoiceState if s is not InvoiceState.DRAFT)


class DashboardScope(TimeScope):
    def dashboard_stats(self) -> DashboardStats:
        # One query over the monthly totals gives the whole history, the months since the
        # first UTC month boundary of this (local) month, and the active project count.
        this_month = local_day_start(month_start(self.today))
        first_month = utc_next_month_start(this_month)
        active_count = (
            select(func.count(Project.id))
            .where(Project.client_id == self.client_id, Project.status == ProjectStatus.ACTIVE)
            .scalar_subquery()
        )
        total_seconds, month_seconds, active = self.session.execute(
            select(
                func.coalesce(func.sum(TimeEntryMonth.seconds), 0),
                func.coalesce(
                    func.sum(
                        case(
                            (TimeEntryMonth.month >= first_month.date(), TimeEntryMonth.seconds),
                            else_=0,
                        )
                    ),
                    0,
                ),
                active_count,
            ).where(TimeEntryMonth.client_id == self.client_id)
        ).one()
        if this_month < first_month:
            month_seconds += self.raw_entry_totals(None, [(this_month, first_month)]).seconds
        hidden = self.gate.hidden()
        if hidden is not None:
            # What the gate hides, taken from the monthly totals' share of both figures.
            hidden_total, hidden_month = self.session.execute(
                select(
                    func.coalesce(func.sum(TimeEntry.duration_seconds), 0),
                    func.coalesce(
                        func.sum(
                            case(
                                (TimeEntry.start_time >= first_month, TimeEntry.duration_seconds),
                                else_=0,
                            )
                        ),
                        0,
                    ),
                ).where(*self.entry_conditions(TimeFilters(), gated=False), hidden)
            ).one()
            total_seconds -= hidden_total
            month_seconds -= hidden_month
        unpaid = states.filter_condition(InvoiceFilter.UNPAID, self.today)
        overdue = states.filter_condition(InvoiceFilter.OVERDUE, self.today)
        paid = states.filter_condition(InvoiceFilter.PAID, self.today)
        owed = states.open_balance_expression()
        row = self.session.execute(
            select(
                func.coalesce(func.sum(case((unpaid, 1), else_=0)), 0),
                func.coalesce(func.sum(case((unpaid, owed), else_=0)), 0),
                func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
                func.coalesce(func.sum(case((overdue, owed), else_=0)), 0),
                func.coalesce(func.sum(case((paid, 1), else_=0)), 0),
            ).where(
                Invoice.client_id == self.client_id,
                Invoice.status.in_([InvoiceStatus.SENT, InvoiceStatus.PAID]),
            )
        ).one()
        return DashboardStats(
            active_projects=int(active),
            seconds_this_month=int(month_seconds),
            seconds_total=int(total_seconds),
            outstanding_count=int(row[0]),
            outstanding_amount=rules.as_money(row[1]),
            overdue_count=int(row[2]),
            overdue_amount=rules.as_money(row[3]),
            paid_count=int(row[4]),
        )

    def dashboard_charts(self) -> DashboardCharts:
        """Hours per week on the client's projects (not when the client does not see time
        entries), and its invoices (never drafts) by state: the invoices' own totals, which
        the client sees whatever its settings for amounts."""
        weeks = None
        if self.visibility.time_entries:
            weeks = weekly_hours(
                self.session, and_(*self.entry_conditions(TimeFilters())), self.today, WEEKS
            )
        amounts = invoice_amounts_by_state(
            self.session, Invoice.client_id == self.client_id, self.today, include_drafts=False
        )
        title = gettext("Hours per week on your projects")
        return dashboard_charts(title, weeks, amounts, PORTAL_STATES)
