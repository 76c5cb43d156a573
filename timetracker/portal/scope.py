"""PortalScope: the only way portal code reaches data.

Every query here starts from the scope's client id, so a portal page cannot see another client's
rows even by a forged id; an id outside the scope is answered exactly like a missing one.
Lists are paginated and every count and total is computed in SQL over the whole filtered set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.exceptions import NotFound

from timetracker import charts, db, firm
from timetracker.documents.staff_export import export_statement
from timetracker.models import (
    Client,
    Invoice,
    InvoiceItem,
    InvoiceStatus,
    Project,
    ProjectNote,
    ProjectStatus,
    ProjectStatusUpdate,
    TimeEntry,
    TimeEntryMonth,
    User,
)
from timetracker.pagination import Page, PageRequest
from timetracker.portal.params import InvoiceFilter, TimeFilters
from timetracker.portal.results import (
    ZERO,
    DashboardStats,
    EntryRow,
    EntryTotals,
    InvoiceTotals,
    NoteRow,
    ProjectChoice,
    ProjectSummary,
    StatusUpdateRow,
    as_money,
    month_floor,
    next_month_start,
)


class PortalAccessDenied(Exception):
    """The user may not open the portal; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


NOT_PORTAL_USER = (
    "Your account does not have client portal access. "
    "Ask an administrator to enable the client portal for you."
)
NO_CLIENT = (
    "Your portal account is not linked to a client. "
    "Ask an administrator to choose your client in your user settings."
)
CLIENT_INACTIVE = "The client account your portal belongs to is no longer active."
USER_INACTIVE = "Your account has been deactivated."


class PortalScope:
    """The data one client may see: its projects, its non-draft invoices, and the completed
    time entries of all its projects."""

    def __init__(self, client: Client, session: Session | None = None) -> None:
        self.client = client
        self.client_id = client.id
        self.session: Session = session if session is not None else db.session
        self.today = firm.today()

    @classmethod
    def for_user(cls, user: User, session: Session | None = None) -> PortalScope | None:
        """The user's scope, or ``None`` when the user may not use the portal."""
        try:
            return cls.require(user, session)
        except PortalAccessDenied:
            return None

    @classmethod
    def require(cls, user: User, session: Session | None = None) -> PortalScope:
        """The user's scope; raises :class:`PortalAccessDenied` with the reason otherwise."""
        if not user.is_active:
            raise PortalAccessDenied(USER_INACTIVE)
        if not user.client_portal_enabled:
            raise PortalAccessDenied(NOT_PORTAL_USER)
        if user.client_id is None:
            raise PortalAccessDenied(NO_CLIENT)
        s = session if session is not None else db.session
        client = s.scalar(select(Client).where(Client.id == user.client_id))
        if client is None:
            raise PortalAccessDenied(NO_CLIENT)
        if not client.is_active:
            raise PortalAccessDenied(CLIENT_INACTIVE)
        return cls(client, s)

    # Projects -------------------------------------------------------------------------------
    def _projects(self) -> Select[tuple[Project]]:
        return select(Project).where(Project.client_id == self.client_id)

    def active_projects(self) -> list[Project]:
        query = self._projects().where(Project.status == ProjectStatus.ACTIVE)
        return list(self.session.scalars(query.order_by(Project.name, Project.id)))

    def project_choices(self) -> list[ProjectChoice]:
        """Id, name and whether active, of every project (the time entry filter's menu)."""
        rows = self.session.execute(
            select(Project.id, Project.name, Project.status)
            .where(Project.client_id == self.client_id)
            .order_by(Project.name, Project.id)
        )
        return [
            ProjectChoice(pid, name, status == ProjectStatus.ACTIVE) for pid, name, status in rows
        ]

    def project(self, project_id: int) -> Project:
        project = self.session.scalar(self._projects().where(Project.id == project_id))
        if project is None:
            raise NotFound()
        return project

    def active_project_page(self, request: PageRequest) -> Page[ProjectSummary]:
        """Active projects with hours, billable amount and budget use, one page at a time."""
        base = self._projects().where(Project.status == ProjectStatus.ACTIVE)
        total = self.session.scalar(select(func.count()).select_from(base.subquery())) or 0
        request = request.clamp(total)
        projects = list(
            self.session.scalars(
                base.order_by(Project.name, Project.id).limit(request.size).offset(request.offset)
            )
        )
        return Page(self._summaries(projects), total, request.number, request.size)

    def _summaries(self, projects: list[Project]) -> list[ProjectSummary]:
        """Hours, billable amount and budget use of ``projects`` (the client's), one query."""
        seconds: dict[int, tuple[int, int]] = {}
        if projects:
            rows = self.session.execute(
                select(
                    TimeEntryMonth.project_id,
                    func.sum(TimeEntryMonth.seconds),
                    func.sum(TimeEntryMonth.billable_seconds),
                )
                .where(
                    TimeEntryMonth.client_id == self.client_id,
                    TimeEntryMonth.project_id.in_([p.id for p in projects]),
                )
                .group_by(TimeEntryMonth.project_id)
            )
            seconds = {pid: (int(s), int(b)) for pid, s, b in rows}
        return [
            ProjectSummary(
                project=p,
                seconds=seconds.get(p.id, (0, 0))[0],
                billable_seconds=seconds.get(p.id, (0, 0))[1],
                rate=p.hourly_rate
                if p.hourly_rate is not None
                else self.client.default_hourly_rate,
            )
            for p in projects
        ]

    def project_summary(self, project_id: int) -> ProjectSummary:
        """One of the client's projects, archived ones included (their time is visible too),
        with its hours, billable amount and budget use; 404 for any other id."""
        return self._summaries([self.project(project_id)])[0]

    # Project status updates and notes ---------------------------------------------------------
    def _status_updates(self) -> Select[Any]:
        return (
            select(
                ProjectStatusUpdate.id,
                ProjectStatusUpdate.project_id,
                ProjectStatusUpdate.status,
                ProjectStatusUpdate.message,
                ProjectStatusUpdate.created_at,
                User.name,
            )
            .join(Project, Project.id == ProjectStatusUpdate.project_id)
            .outerjoin(User, User.id == ProjectStatusUpdate.author_id)
            .where(Project.client_id == self.client_id)
        )

    def latest_status_updates(self, project_ids: Sequence[int]) -> dict[int, StatusUpdateRow]:
        """The current status (newest update) of each of the client's projects named."""
        if not project_ids:
            return {}
        ranked = (
            select(
                ProjectStatusUpdate.id,
                func.row_number()
                .over(
                    partition_by=ProjectStatusUpdate.project_id,
                    order_by=(ProjectStatusUpdate.created_at.desc(), ProjectStatusUpdate.id.desc()),
                )
                .label("rank"),
            )
            .join(Project, Project.id == ProjectStatusUpdate.project_id)
            .where(
                Project.client_id == self.client_id,
                ProjectStatusUpdate.project_id.in_(list(project_ids)),
            )
            .subquery()
        )
        rows = self.session.execute(
            self._status_updates()
            .join(ranked, ranked.c.id == ProjectStatusUpdate.id)
            .where(ranked.c.rank == 1)
        ).all()
        return {row.project_id: StatusUpdateRow(*row) for row in rows}

    def status_update_page(self, project_id: int, request: PageRequest) -> Page[StatusUpdateRow]:
        """A project's status history, newest first."""
        condition = ProjectStatusUpdate.project_id == project_id
        total = (
            self.session.scalar(
                select(func.count(ProjectStatusUpdate.id))
                .join(Project, Project.id == ProjectStatusUpdate.project_id)
                .where(Project.client_id == self.client_id, condition)
            )
            or 0
        )
        request = request.clamp(total)
        rows = self.session.execute(
            self._status_updates()
            .where(condition)
            .order_by(ProjectStatusUpdate.created_at.desc(), ProjectStatusUpdate.id.desc())
            .limit(request.size)
            .offset(request.offset)
        ).all()
        return Page([StatusUpdateRow(*row) for row in rows], total, request.number, request.size)

    def visible_notes(self, project_id: int) -> list[NoteRow]:
        """The project's notes marked visible to the client, newest first; internal notes
        never leave this query."""
        rows = self.session.execute(
            select(
                ProjectNote.id,
                ProjectNote.body,
                ProjectNote.created_at,
                ProjectNote.updated_at,
                User.name,
            )
            .join(Project, Project.id == ProjectNote.project_id)
            .outerjoin(User, User.id == ProjectNote.author_id)
            .where(
                Project.client_id == self.client_id,
                ProjectNote.project_id == project_id,
                ProjectNote.visible_to_client.is_(True),
            )
            .order_by(ProjectNote.created_at.desc(), ProjectNote.id.desc())
        ).all()
        return [NoteRow(*row) for row in rows]

    # Invoices -------------------------------------------------------------------------------
    def _invoices(self) -> Select[tuple[Invoice]]:
        """The client's invoices that it may see: never drafts."""
        return select(Invoice).where(
            Invoice.client_id == self.client_id, Invoice.status != InvoiceStatus.DRAFT
        )

    def _invoice_condition(self, which: InvoiceFilter) -> Any:
        unpaid = and_(Invoice.status == InvoiceStatus.SENT, Invoice.total > Invoice.amount_paid)
        if which is InvoiceFilter.PAID:
            return Invoice.status == InvoiceStatus.PAID
        if which is InvoiceFilter.UNPAID:
            return unpaid
        if which is InvoiceFilter.OVERDUE:
            return and_(unpaid, Invoice.due_date < self.today)
        return None

    def invoice_page(self, which: InvoiceFilter, request: PageRequest) -> Page[Invoice]:
        query = self._invoices()
        condition = self._invoice_condition(which)
        if condition is not None:
            query = query.where(condition)
        total = self.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        request = request.clamp(total)
        items = list(
            self.session.scalars(
                query.order_by(Invoice.issue_date.desc(), Invoice.id.desc())
                .limit(request.size)
                .offset(request.offset)
            )
        )
        return Page(items, total, request.number, request.size)

    def invoice_totals(self, which: InvoiceFilter) -> InvoiceTotals:
        """Count, total and balance of every invoice the filter selects (not just one page)."""
        query = select(
            func.count(),
            func.coalesce(func.sum(Invoice.total), ZERO),
            func.coalesce(
                func.sum(
                    case(
                        (Invoice.status == InvoiceStatus.SENT, Invoice.total - Invoice.amount_paid),
                        else_=0,
                    )
                ),
                ZERO,
            ),
        ).where(Invoice.client_id == self.client_id, Invoice.status != InvoiceStatus.DRAFT)
        condition = self._invoice_condition(which)
        if condition is not None:
            query = query.where(condition)
        count, total, balance = self.session.execute(query).one()
        return InvoiceTotals(int(count), as_money(total), as_money(balance))

    def invoice_filter_counts(self) -> dict[InvoiceFilter, int]:
        """How many invoices each filter selects, in one query."""
        unpaid = self._invoice_condition(InvoiceFilter.UNPAID)
        overdue = self._invoice_condition(InvoiceFilter.OVERDUE)
        paid = self._invoice_condition(InvoiceFilter.PAID)
        row = self.session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((paid, 1), else_=0)), 0),
                func.coalesce(func.sum(case((unpaid, 1), else_=0)), 0),
                func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
            ).where(Invoice.client_id == self.client_id, Invoice.status != InvoiceStatus.DRAFT)
        ).one()
        return {
            InvoiceFilter.ALL: int(row[0]),
            InvoiceFilter.PAID: int(row[1]),
            InvoiceFilter.UNPAID: int(row[2]),
            InvoiceFilter.OVERDUE: int(row[3]),
        }

    def invoice(self, invoice_id: int) -> Invoice:
        """One of the client's visible invoices with its items and payments; 404 otherwise,
        whether the id is missing, a draft or another client's."""
        invoice = self.session.scalar(
            self._invoices()
            .where(Invoice.id == invoice_id)
            .options(selectinload(Invoice.items), selectinload(Invoice.payments))
        )
        if invoice is None:
            raise NotFound()
        return invoice

    def invoice_project_name(self, invoice: Invoice) -> str | None:
        if invoice.project_id is None:
            return None
        return self.session.scalar(
            select(Project.name).where(
                Project.id == invoice.project_id, Project.client_id == self.client_id
            )
        )

    def all_invoices(self) -> list[Invoice]:
        return list(
            self.session.scalars(
                self._invoices().order_by(Invoice.issue_date.desc(), Invoice.id.desc())
            )
        )

    def is_overdue(self, invoice: Invoice) -> bool:
        return invoice.is_overdue(self.today)

    # Time entries ---------------------------------------------------------------------------
    def _entry_conditions(self, filters: TimeFilters) -> list[Any]:
        conditions: list[Any] = [
            TimeEntry.client_id == self.client_id,
            TimeEntry.end_time.is_not(None),
        ]
        if filters.project_id is not None:
            conditions.append(TimeEntry.project_id == filters.project_id)
        start, end = firm.day_bounds(filters.date_from, filters.date_to)
        if start is not None:
            conditions.append(TimeEntry.start_time >= start)
        if end is not None:
            conditions.append(TimeEntry.start_time < end)
        return conditions

    def check_filters(self, filters: TimeFilters) -> None:
        """404 when the project filter names a project that is not the client's."""
        if filters.project_id is not None:
            self.project(filters.project_id)

    def _entry_rows(self, filters: TimeFilters) -> Select[Any]:
        return (
            select(
                TimeEntry.id,
                TimeEntry.start_time,
                TimeEntry.end_time,
                TimeEntry.duration_seconds,
                TimeEntry.notes,
                TimeEntry.billable,
                TimeEntry.project_id,
                Project.name,
                User.name,
            )
            .join(Project, Project.id == TimeEntry.project_id)
            .join(User, User.id == TimeEntry.user_id)
            .where(*self._entry_conditions(filters))
        )

    def time_entry_totals(self, filters: TimeFilters) -> EntryTotals:
        """Count and hours of every entry the filters select.

        Whole UTC months inside the range come from the monthly totals; only the partial
        months at either end are summed from the entries themselves. Two queries at most,
        whatever the size of the history.
        """
        start, end = firm.day_bounds(filters.date_from, filters.date_to)
        first_month = next_month_start(start) if start is not None else None
        end_month = month_floor(end) if end is not None else None
        if start is not None and end is not None and first_month >= end_month:  # type: ignore[operator]
            return self._raw_entry_totals(filters, [(start, end)])

        month_conditions: list[Any] = [TimeEntryMonth.client_id == self.client_id]
        if filters.project_id is not None:
            month_conditions.append(TimeEntryMonth.project_id == filters.project_id)
        if first_month is not None:
            month_conditions.append(TimeEntryMonth.month >= first_month.date())
        if end_month is not None:
            month_conditions.append(TimeEntryMonth.month < end_month.date())
        count, seconds, billable = self.session.execute(
            select(
                func.coalesce(func.sum(TimeEntryMonth.entries), 0),
                func.coalesce(func.sum(TimeEntryMonth.seconds), 0),
                func.coalesce(func.sum(TimeEntryMonth.billable_seconds), 0),
            ).where(*month_conditions)
        ).one()
        totals = EntryTotals(int(count), int(seconds), int(billable))
        edges = []
        if start is not None and first_month is not None and start < first_month:
            edges.append((start, first_month))
        if end is not None and end_month is not None and end_month < end:
            edges.append((end_month, end))
        if edges:
            extra = self._raw_entry_totals(filters, edges)
            totals = EntryTotals(
                totals.count + extra.count,
                totals.seconds + extra.seconds,
                totals.billable_seconds + extra.billable_seconds,
            )
        return totals

    def _raw_entry_totals(
        self, filters: TimeFilters, spans: list[tuple[dt.datetime, dt.datetime]]
    ) -> EntryTotals:
        """Totals summed from the entries that start inside any of ``spans``."""
        conditions = self._entry_conditions(TimeFilters(project_id=filters.project_id))
        in_spans = or_(
            *(and_(TimeEntry.start_time >= a, TimeEntry.start_time < b) for a, b in spans)
        )
        count, seconds, billable = self.session.execute(
            select(
                func.count(TimeEntry.id),
                func.coalesce(func.sum(TimeEntry.duration_seconds), 0),
                func.coalesce(
                    func.sum(
                        case((TimeEntry.billable.is_(True), TimeEntry.duration_seconds), else_=0)
                    ),
                    0,
                ),
            ).where(*conditions, in_spans)
        ).one()
        return EntryTotals(int(count), int(seconds), int(billable))

    def time_entry_page(
        self, filters: TimeFilters, request: PageRequest, totals: EntryTotals
    ) -> Page[EntryRow]:
        """Newest first. Pages past the middle are read from the other end, so no page ever
        skips more than half of the filtered entries."""
        total = totals.count
        request = request.clamp(total)
        offset = request.offset
        size = min(request.size, max(total - offset, 0))
        query = self._entry_rows(filters)
        if offset > total // 2:
            rows = list(
                self.session.execute(
                    query.order_by(TimeEntry.start_time.asc(), TimeEntry.id.asc())
                    .limit(size)
                    .offset(total - offset - size)
                ).all()
            )
            rows.reverse()
        else:
            rows = list(
                self.session.execute(
                    query.order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
                    .limit(request.size)
                    .offset(offset)
                ).all()
            )
        return Page([EntryRow(*row) for row in rows], total, request.number, request.size)

    def recent_time_entries(self, limit: int = 5) -> list[EntryRow]:
        rows = self.session.execute(
            self._entry_rows(TimeFilters())
            .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
            .limit(limit)
        ).all()
        return [EntryRow(*row) for row in rows]

    def all_time_entries(self) -> list[TimeEntry]:
        return list(
            self.session.scalars(
                select(TimeEntry)
                .where(*self._entry_conditions(TimeFilters()))
                .order_by(TimeEntry.start_time.desc(), TimeEntry.id.desc())
            )
        )

    def export_rows(self, filters: TimeFilters, chunk_size: int = 2000) -> Iterator[Any]:
        """Every filtered entry for export, oldest first, streamed in chunks.

        Rows: start_time, duration_seconds, notes, billable, project name, user name, and the
        invoice number when the entry is billed by an invoice the client can see (not a draft).
        """
        visible_invoice = and_(
            Invoice.id == InvoiceItem.invoice_id,
            Invoice.client_id == self.client_id,
            Invoice.status != InvoiceStatus.DRAFT,
        )
        query = export_statement(self._entry_conditions(filters), visible_invoice, chunk_size)
        yield from self.session.execute(query)

    # Dashboard ------------------------------------------------------------------------------
    def dashboard_stats(self) -> DashboardStats:
        # One query over the monthly totals gives the whole history, the months since the
        # first UTC month boundary of this (local) month, and the active project count.
        month_start = firm.local_day_start(firm.month_start(self.today))
        first_month = next_month_start(month_start)
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
        if month_start < first_month:
            month_seconds += self._raw_entry_totals(
                TimeFilters(), [(month_start, first_month)]
            ).seconds
        unpaid = self._invoice_condition(InvoiceFilter.UNPAID)
        overdue = self._invoice_condition(InvoiceFilter.OVERDUE)
        balance = Invoice.total - Invoice.amount_paid
        row = self.session.execute(
            select(
                func.coalesce(func.sum(case((unpaid, 1), else_=0)), 0),
                func.coalesce(func.sum(case((unpaid, balance), else_=0)), ZERO),
                func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
                func.coalesce(func.sum(case((overdue, balance), else_=0)), ZERO),
                func.coalesce(
                    func.sum(case((Invoice.status == InvoiceStatus.PAID, 1), else_=0)), 0
                ),
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
            outstanding_amount=as_money(row[1]),
            overdue_count=int(row[2]),
            overdue_amount=as_money(row[3]),
            paid_count=int(row[4]),
        )

    def recent_invoices(self, limit: int = 5) -> Sequence[Invoice]:
        return list(
            self.session.scalars(
                self._invoices().order_by(Invoice.issue_date.desc(), Invoice.id.desc()).limit(limit)
            )
        )

    # Charts ---------------------------------------------------------------------------------
    def weekly_hours(self, weeks: int = charts.WEEKS) -> list[charts.WeekHours]:
        """Completed time on the client's projects per week, the last ``weeks`` weeks."""
        conditions = self._entry_conditions(TimeFilters())
        return charts.weekly_hours(self.session, conditions, self.today, weeks)

    def invoice_amounts_by_status(self) -> list[charts.StatusAmount]:
        """The client's visible invoices (never drafts) by status, per currency."""
        conditions = [Invoice.client_id == self.client_id, Invoice.status != InvoiceStatus.DRAFT]
        return charts.invoice_amounts_by_status(self.session, conditions, self.today)
