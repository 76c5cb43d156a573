"""Quote views: the list, a quote with its lines, and a draft's header and lines. Everyone on
the staff reads; administrators write. The work is done by ``timetracker.billing.quotes``; a
line and a project are looked up within their quote and client (another one's is a missing
one)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from timetracker import db, firm
from timetracker.billing import quotes as rules
from timetracker.billing.quotes import QuoteError, QuoteFilter
from timetracker.models import Client, Project, Quote, QuoteItem
from timetracker.parsing import parse_id
from timetracker.workspace.choices import client_choices, flat_project_choices
from timetracker.workspace.clients.queries import active_client
from timetracker.workspace.common import empty_page, found, render_form
from timetracker.workspace.quotes import queries
from timetracker.workspace.quotes.forms import (
    QuoteCreateForm,
    QuoteEditForm,
    QuoteFilterForm,
    QuoteItemForm,
)


def quotes() -> ResponseReturnValue:
    form = QuoteFilterForm(request.args)
    form.client.choices = [("", _("All clients")), *client_choices(active_only=False)]
    today = firm.today()
    context: dict[str, Any] = {"filter_form": form, "today": today, "state_of": rules.state_of}
    if not form.validate():
        return render_form(
            "workspace/quotes/list.html", 400, page=empty_page(), page_args={}, **context
        )
    page = queries.quotes_page(QuoteFilter(form.status.data), form.client.data, today)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("workspace/quotes/list.html", page=page, page_args=args, **context)


def quote_detail(quote_id: int) -> ResponseReturnValue:
    return detail_page(found(queries.get_quote(quote_id)))


def quote_new() -> ResponseReturnValue:
    form = QuoteCreateForm()
    form.client.choices = client_choices()
    form.project.choices = flat_project_choices(_("No project"))
    if request.method == "GET":
        today = firm.today()
        form.issue_date.data = today
        form.valid_until.data = rules.default_valid_until(today)
        form.tax_rate.data = str(firm.default_tax_rate())
        form.client.data = parse_id(request.args.get("client"))
        return render_template("workspace/quotes/new.html", form=form)
    valid = form.validate_on_submit()
    client = active_client(form.client.data)
    if form.client.data is not None and client is None:
        form.client.errors.append(_("Unknown client, or one that is deactivated."))
    project = _project_of(form, client)
    if not valid or client is None or form.project.errors:
        return render_form("workspace/quotes/new.html", 400, form=form)
    try:
        quote = rules.new_quote(
            db.session,
            client,
            created_by=current_user._get_current_object(),
            **_header(form, project),
        )
    except QuoteError as exc:
        form.form_errors.append(str(exc))
        return render_form("workspace/quotes/new.html", 400, form=form)
    flash(
        _("Draft quote %(number)s was created. Add its lines, then send it.", number=quote.number),
        "success",
    )
    return redirect(url_for("workspace.quote_detail", quote_id=quote.id))


def quote_edit(quote_id: int) -> ResponseReturnValue:
    quote = found(queries.get_quote(quote_id))
    form = QuoteEditForm(obj=quote)
    form.project.choices = queries.project_choices(quote.client_id)
    if request.method == "GET":
        if not quote.is_editable:
            return redirect(url_for("workspace.quote_detail", quote_id=quote.id))
        form.project.data = quote.project_id  # (``obj`` gave the project record itself)
        return render_template("workspace/quotes/edit.html", form=form, quote=quote)
    valid = form.validate_on_submit()
    project = _project_of(form, quote.client)
    if not valid or form.project.errors:
        return render_form("workspace/quotes/edit.html", 400, form=form, quote=quote)
    try:
        rules.update_draft(db.session, quote, quote.client, **_header(form, project))
    except QuoteError as exc:
        form.form_errors.append(str(exc))
        return render_form("workspace/quotes/edit.html", 400, form=form, quote=quote)
    flash(_("The quote was saved."), "success")
    return redirect(url_for("workspace.quote_detail", quote_id=quote.id))


def quote_delete(quote_id: int) -> ResponseReturnValue:
    quote = found(queries.get_quote(quote_id))
    number = quote.number
    try:
        rules.delete_draft(db.session, quote)
    except QuoteError as exc:
        return detail_page(quote, problem=str(exc), status=400)
    flash(_("Draft quote %(number)s was deleted.", number=number), "success")
    return redirect(url_for("workspace.quotes"))


def quote_item_add(quote_id: int) -> ResponseReturnValue:
    quote = found(queries.get_quote(quote_id))
    form = QuoteItemForm(prefix="item", currency=quote.currency)
    try:
        rules.require_draft(quote)
    except QuoteError as exc:
        return detail_page(quote, problem=str(exc), status=400)
    if not form.validate_on_submit():
        return detail_page(quote, item_form=form, status=400)
    try:
        rules.add_item(db.session, quote, *_line(form))
    except QuoteError as exc:
        form.form_errors.append(str(exc))
        return detail_page(quote, item_form=form, status=400)
    flash(_("The line was added."), "success")
    return redirect(url_for("workspace.quote_detail", quote_id=quote.id))


def quote_item_edit(quote_id: int, item_id: int) -> ResponseReturnValue:
    quote = found(queries.get_quote(quote_id))
    item = _item(quote, item_id)
    form = QuoteItemForm(obj=item, currency=quote.currency)
    template = "workspace/quotes/item.html"
    if request.method == "GET":
        if not quote.is_editable:
            return redirect(url_for("workspace.quote_detail", quote_id=quote.id))
        return render_template(template, form=form, quote=quote, item=item)
    if not form.validate_on_submit():
        return render_form(template, 400, form=form, quote=quote, item=item)
    try:
        rules.update_item(db.session, quote, item, *_line(form))
    except QuoteError as exc:
        form.form_errors.append(str(exc))
        return render_form(template, 400, form=form, quote=quote, item=item)
    flash(_("The line was saved."), "success")
    return redirect(url_for("workspace.quote_detail", quote_id=quote.id))


def quote_item_delete(quote_id: int, item_id: int) -> ResponseReturnValue:
    quote = found(queries.get_quote(quote_id))
    item = _item(quote, item_id)
    try:
        rules.remove_item(db.session, quote, item)
    except QuoteError as exc:
        return detail_page(quote, problem=str(exc), status=400)
    flash(_("The line was removed."), "success")
    return redirect(url_for("workspace.quote_detail", quote_id=quote.id))


# The quote's page -----------------------------------------------------------------------------
def detail_page(
    quote: Quote,
    *,
    item_form: QuoteItemForm | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The staff page of a quote (with a rejected line form or a problem, answered 400)."""
    today = firm.today()
    return render_form(
        "workspace/quotes/detail.html",
        status,
        quote=quote,
        state=rules.state_of(quote, today),
        item_form=item_form or QuoteItemForm(prefix="item", formdata=None),
        can_manage=current_user.is_admin,
        created_by=queries.user_name(quote.created_by_id),
        answered_by=queries.user_name(quote.answered_by_id),
        made=queries.conversions(quote),
        viewers=queries.quote_viewers(quote),
        problem=problem,
    )


# helpers --------------------------------------------------------------------------------------
def _project_of(form: QuoteEditForm, client: Client | None) -> Project | None:
    """The chosen project, looked up within the client; an error on the form otherwise (call
    it after validating the form: its error lists exist then)."""
    if form.project.data is None or client is None:
        return None
    project = queries.client_project(client.id, form.project.data)
    if project is None:
        form.project.errors.append(_("Choose a project of the quote's client, or none."))
    return project


def _header(form: QuoteEditForm, project: Project | None) -> dict[str, Any]:
    return {
        "title": form.title.data or "",
        "project": project,
        "issue_date": form.issue_date.data,
        "valid_until": form.valid_until.data,
        "tax_rate": form.tax_rate.number or Decimal("0"),
        "notes": (form.notes.data or "").strip() or None,
        "terms": (form.terms.data or "").strip() or None,
    }


def _line(form: QuoteItemForm) -> tuple[str, Decimal, Decimal]:
    return (
        (form.description.data or "").strip(),
        form.quantity.checked_number,
        form.unit_price.checked_number,
    )


def _item(quote: Quote, item_id: int) -> QuoteItem:
    return found(queries.quote_item(quote, item_id))
