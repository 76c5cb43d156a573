"""Client views: everyone on the staff reads; administrators create, edit and (de)activate."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from timetracker import audit, db, firm, i18n
from timetracker.auth.sessions import revoke_client_contacts
from timetracker.i18n import _l
from timetracker.logos import operations as logos
from timetracker.models import Client
from timetracker.portal.scope.visibility import FLAGS, Visibility
from timetracker.sharing import panels as document_panels
from timetracker.workspace.clients import queries
from timetracker.workspace.clients.forms import ClientFilterForm, ClientForm
from timetracker.workspace.common import empty_page, found, render_form
from timetracker.workspace.projects.queries import budget_usage, projects_page

NAME_TAKEN = _l("A client with this name already exists.")


def clients() -> ResponseReturnValue:
    form = ClientFilterForm(request.args)
    if not form.validate():
        return render_form(
            "workspace/clients.html", 400, filter_form=form, page=empty_page(), page_args={}
        )
    page = queries.clients_page(form.status.data, (form.q.data or "").strip() or None)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("workspace/clients.html", filter_form=form, page=page, page_args=args)


def client_detail(client_id: int) -> ResponseReturnValue:
    return render_client_page(found(queries.get_client(client_id)))


def render_client_page(client: Client, status: int = 200, **forms: Any) -> tuple[str, int]:
    """The client page with its projects and shared documents. A rejected form of a section
    (an upload) comes back in ``forms``, with its errors, and the page answers ``status``."""
    page = projects_page(client.id, "all", None)
    unbilled, _ = queries.unbilled_by_client(client_id=client.id)
    return render_template(
        "workspace/client_detail.html",
        client=client,
        page=page,
        budgets=budget_usage(page.items),
        unbilled=unbilled[0] if unbilled else None,
        visibility=Visibility.of(client),
        **document_panels.workspace_client_documents(client, **forms),
    ), status


def client_new() -> ResponseReturnValue:
    form = ClientForm()
    if request.method == "GET":
        form.currency.data = firm.get_settings().currency
        form.default_hourly_rate.data = "0.00"
        return render_template("workspace/client_form.html", form=form, client=None)
    client = Client(is_active=True, **{column: True for _name, column, _label in FLAGS})
    if not _save(form, client):
        return render_form("workspace/client_form.html", 400, form=form, client=None)
    flash(gettext("Client %(name)s was created.", name=client.name), "success")
    _warn_about_the_accent(form)
    return redirect(url_for("workspace.client_detail", client_id=client.id))


def client_edit(client_id: int) -> ResponseReturnValue:
    client = found(queries.get_client(client_id))
    form = ClientForm(obj=client)
    if request.method == "GET":
        return render_template("workspace/client_form.html", form=form, client=client)
    if not _save(form, client):
        return render_form("workspace/client_form.html", 400, form=form, client=client)
    flash(gettext("Client %(name)s was saved.", name=client.name), "success")
    _warn_about_the_accent(form)
    return redirect(url_for("workspace.client_detail", client_id=client.id))


def client_deactivate(client_id: int) -> ResponseReturnValue:
    client = found(queries.get_client(client_id))
    if client.is_active:
        audit.record(audit.Kind.CLIENT_DEACTIVATED, client_id=client.id)
    client.is_active = False
    # Its contacts lose all access: their sessions end now, and reactivating the client later
    # does not revive a cookie from before.
    revoke_client_contacts(db.session, client.id)
    flash(
        gettext(
            "%(name)s was deactivated; its projects no longer take new time and its contacts "
            "have no access.",
            name=client.name,
        ),
        "success",
    )
    return redirect(url_for("workspace.client_detail", client_id=client.id))


def client_reactivate(client_id: int) -> ResponseReturnValue:
    client = found(queries.get_client(client_id))
    if not client.is_active:
        audit.record(audit.Kind.CLIENT_ACTIVATED, client_id=client.id)
    client.is_active = True
    flash(gettext("%(name)s is active again.", name=client.name), "success")
    return redirect(url_for("workspace.client_detail", client_id=client.id))


def _gate_text(client: Client) -> str:
    """The client's publish gate in words, for the audit log."""
    if not client.time_requires_approval:
        return "time shown without approval"
    if client.publish_after_days is None:
        return "time shown once approved"
    return f"time shown once approved or after {client.publish_after_days} days"


def _save(form: ClientForm, client: Client) -> bool:
    """Copy a valid form onto ``client`` and flush; ``False`` with errors set otherwise. A
    change of what the client's contacts see in the portal is audited."""
    if not form.validate_on_submit():
        return False
    name = (form.name.data or "").strip()
    if queries.name_taken(name, client.id):
        form.name.errors.append(str(NAME_TAKEN))
        return False
    try:
        # The savepoint opens before any change: a refused flush then leaves the request's
        # transaction usable, and the 400 page can still be drawn.
        with db.session.begin_nested():
            client.name = name
            client.contact_email = (form.contact_email.data or "").strip().lower() or None
            client.address = (form.address.data or "").strip() or None
            client.currency = form.currency.data
            client.default_hourly_rate = form.default_hourly_rate.checked_number
            client.vat_id = form.vat_id.data or None
            client.document_language = i18n.known(form.document_language.data)
            client.portal_display_name = (form.portal_display_name.data or "").strip() or None
            client.portal_accent_color = form.portal_accent_color.data or None
            client.portal_welcome_message = (form.portal_welcome_message.data or "").strip() or None
            before = Visibility.of(client)
            for _name, column, _label in FLAGS:
                setattr(client, column, bool(form[column].data))
            client.invoice_time_appendix = bool(form.invoice_time_appendix.data)
            gate_before = _gate_text(client)
            client.time_requires_approval = bool(form.time_requires_approval.data)
            client.publish_after_days = form.publish_after_days.data
            db.session.add(client)
    except IntegrityError:
        form.name.errors.append(str(NAME_TAKEN))
        return False
    changes = Visibility.of(client).changes_from(before)
    if _gate_text(client) != gate_before:
        changes = "; ".join(filter(None, [changes, _gate_text(client)]))
    if changes:
        audit.record(audit.Kind.PORTAL_VISIBILITY_CHANGED, client_id=client.id, detail=changes)
    if form.portal_logo.inspected is not None:
        logos.set_client_logo(db.session, client, form.portal_logo.inspected)
    elif form.remove_portal_logo.data:
        logos.set_client_logo(db.session, client, None)
    return True


def _warn_about_the_accent(form: ClientForm) -> None:
    if form.accent_warning:
        flash(form.accent_warning, "warning")
