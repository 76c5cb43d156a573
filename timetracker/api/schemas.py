"""The API's schemas: what each operation reads (query parameters, bodies) and answers.

Amounts of money and hours are strings with two decimal places (``"1234.50"``), exact where a
JSON number would be a float. What a client's visibility settings hide is ``null``.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from timetracker.api.fields import Instant, Money, QueryDate, QueryWhole, no_nul
from timetracker.api.pagination import MAX_LIMIT
from timetracker.parsing import MAX_ID
from timetracker.portal.params import INVOICE_FILTERS

Str = fields.String
Int = fields.Integer
Bool = fields.Boolean


def nullable(field: fields.Field) -> fields.Field:
    field.allow_none = True
    return field


# Errors ---------------------------------------------------------------------------------------
class ProblemSchema(Schema):
    """An error, as RFC 9457 problem details."""

    type = Str(metadata={"description": "Always about:blank: the status says what happened."})
    title = Str(metadata={"description": "The status's name."})
    status = Int()
    detail = Str(metadata={"description": "What was wrong, and what is allowed."})
    instance = Str(metadata={"description": "The path that was asked for."})
    errors = fields.Dict(
        metadata={"description": "The parameters that were refused, by location and name."}
    )


# Query parameters -----------------------------------------------------------------------------
class PageQuery(Schema):
    cursor = Str(
        metadata={"description": "The next page: the cursor of the previous answer's Link."}
    )
    limit = QueryWhole(
        1,
        MAX_LIMIT,
        f"'limit' must be a whole number from 1 to {MAX_LIMIT}.",
        metadata={"description": "Items per page (the first page; a cursor keeps its size)."},
    )


class InvoiceQuery(PageQuery):
    status = Str(
        validate=validate.OneOf(INVOICE_FILTERS),
        metadata={"description": "The portal's invoice filter (default all)."},
    )


class DateRangeQuery(PageQuery):
    project_id = QueryWhole(0, MAX_ID, "'project_id' must be the number of a project.")
    date_from = QueryDate(metadata={"description": "From this day (inclusive, firm's timezone)."})
    date_to = QueryDate(metadata={"description": "Up to this day (inclusive)."})


class StaffTimeQuery(DateRangeQuery):
    client_id = QueryWhole(0, MAX_ID, "'client_id' must be the number of a client.")


class ProjectQuery(PageQuery):
    client_id = QueryWhole(0, MAX_ID, "'client_id' must be the number of a client.")
    status = Str(
        validate=validate.OneOf(("active", "archived", "all")),
        metadata={"description": "active (default), archived or all."},
    )


# The portal -----------------------------------------------------------------------------------
class PortalProject(Schema):
    id = Int(attribute="project.id")
    name = Str(attribute="project.name")
    description = nullable(Str(attribute="project.description"))
    is_active = Bool(attribute="project.is_active")
    billable = Bool(attribute="project.billable")
    budget_hours = nullable(Money(attribute="project.budget_hours"))
    budget_amount = nullable(Money(attribute="project.budget_amount"))
    seconds = Int()
    hours = Money()
    billable_seconds = Int()
    billable_amount = nullable(Money())
    budget_hours_pct = nullable(Int())
    budget_amount_pct = nullable(Int())


class PortalProjectList(Schema):
    currency = Str()
    total = Int()
    next_cursor = nullable(Str())
    items = fields.List(fields.Nested(PortalProject))


class InvoiceSummary(Schema):
    id = Int()
    number = Str()
    status = Str(metadata={"description": "not_yet_due, overdue, paid or cancelled (never draft)."})
    overdue = Bool()
    issue_date = fields.Date()
    due_date = fields.Date()
    currency = Str()
    subtotal = Money()
    tax_rate = Money()
    tax_amount = Money()
    total = Money()
    amount_paid = Money()
    balance = Money()


class InvoiceTotals(Schema):
    count = Int()
    total = Money()
    balance = Money()


class InvoiceList(Schema):
    status = Str(metadata={"description": "The filter applied."})
    counts = fields.Dict(keys=Str(), values=Int(), metadata={"description": "Per filter."})
    totals = fields.Nested(InvoiceTotals)
    total = Int()
    next_cursor = nullable(Str())
    items = fields.List(fields.Nested(InvoiceSummary))


class InvoiceLine(Schema):
    position = Int()
    description = Str()
    quantity = Money()
    unit_price = Money()
    amount = Money()


class InvoicePayment(Schema):
    paid_on = fields.Date()
    amount = Money()
    method = nullable(Str())


class InvoiceDetail(InvoiceSummary):
    project_name = nullable(Str())
    notes = nullable(Str())
    items = fields.List(fields.Nested(InvoiceLine))
    payments = fields.List(fields.Nested(InvoicePayment))


class PortalEntry(Schema):
    id = Int()
    start_time = fields.AwareDateTime()
    end_time = fields.AwareDateTime()
    duration_seconds = Int()
    hours = Money()
    notes = nullable(Str())
    billable = Bool()
    project_id = Int()
    project_name = Str()
    user_name = nullable(Str())


class EntryTotals(Schema):
    count = Int()
    seconds = Int()
    hours = Money()
    billable_seconds = Int()
    billable_hours = Money()
    billable_amount = nullable(Money())


class PortalEntryList(Schema):
    currency = Str()
    totals = fields.Nested(EntryTotals)
    total = Int()
    next_cursor = nullable(Str())
    items = fields.List(fields.Nested(PortalEntry))


# Staff: time ----------------------------------------------------------------------------------
class TimeEntry(Schema):
    id = Int()
    project_id = Int()
    project_name = Str(attribute="project.name")
    client_id = Int()
    client_name = Str(attribute="project.client.name")
    start_time = fields.AwareDateTime()
    end_time = nullable(fields.AwareDateTime())
    duration_seconds = nullable(Int())
    hours = nullable(Money())
    notes = nullable(Str())
    billable = Bool()
    running = Bool(attribute="is_running")
    locked = Bool(
        attribute="is_locked",
        metadata={"description": "On an invoice: it can no longer be changed or deleted."},
    )


class TimeEntryList(Schema):
    total = Int()
    total_seconds = Int()
    total_hours = Money()
    next_cursor = nullable(Str())
    items = fields.List(fields.Nested(TimeEntry))


def _notes() -> fields.Field:
    return nullable(Str(validate=[validate.Length(max=2000), no_nul]))


def _project_id(required: bool = False) -> fields.Field:
    return Int(required=required, strict=True, validate=validate.Range(1, MAX_ID))


class TimeEntryCreate(Schema):
    project_id = _project_id(required=True)
    start_time = Instant(required=True)
    end_time = Instant(required=True)
    notes = _notes()
    billable = Bool(metadata={"description": "Default: the project's."})


class TimeEntryUpdate(Schema):
    project_id = _project_id()
    start_time = Instant()
    end_time = Instant()
    notes = _notes()
    billable = Bool()


class TimerStart(Schema):
    project_id = _project_id(required=True)
    notes = _notes()


class Timer(Schema):
    running = Bool()
    entry = nullable(fields.Nested(TimeEntry))


# Staff: projects and clients ------------------------------------------------------------------
class StaffProject(Schema):
    id = Int(attribute="project.id")
    name = Str(attribute="project.name")
    client_id = Int(attribute="project.client_id")
    client_name = Str(attribute="project.client.name")
    currency = Str(attribute="project.client.currency")
    status = Str(attribute="project.status")
    billable = Bool(attribute="project.billable")
    budget_hours = nullable(Money(attribute="project.budget_hours"))
    budget_amount = nullable(Money(attribute="project.budget_amount"))
    seconds = Int()
    hours = Money()
    billable_seconds = Int()
    billable_amount = Money()
    budget_hours_pct = nullable(Int())
    budget_amount_pct = nullable(Int())


class StaffProjectList(Schema):
    total = Int()
    next_cursor = nullable(Str())
    items = fields.List(fields.Nested(StaffProject))


class Client(Schema):
    id = Int()
    name = Str()
    is_active = Bool()
    currency = Str()
    active_projects = Int()


class ClientList(Schema):
    total = Int()
    next_cursor = nullable(Str())
    items = fields.List(fields.Nested(Client))
