"""Admin pages: users and the firm's settings. Every rule is for administrators (``URLS`` at the
end of this module):

/admin/users                  GET        users            list with role badges and portal badge
/admin/users/new              GET, POST  user_new         staff, an administrator or a contact
/admin/users/<id>/edit        GET, POST  user_edit        edit, including Client Portal Access
/admin/users/<id>/deactivate  POST       user_deactivate  ends the user's sessions too
/admin/users/<id>/activate    POST       user_activate
/admin/users/<id>/make-staff  GET, POST  user_make_staff  confirm, then give an account without
                                                          access staff access
/admin/settings               GET, POST  settings         the firm's settings
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from timetracker import audit, db, firm
from timetracker.admin import settings_changes
from timetracker.admin.forms import MakeStaffForm, SettingsForm, UserForm
from timetracker.admin.users import (
    ONLY_WITHOUT_ACCESS,
    UserFormError,
    active_clients,
    apply_user_form,
    make_staff,
    set_active,
    user_page,
)
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.errors import render_error
from timetracker.i18n import N_
from timetracker.logos import operations as logos
from timetracker.models import Client, Role, User
from timetracker.payments.accounts import group_iban
from timetracker.portal.params import ParamError, page_request

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.errorhandler(ParamError)
def _bad_parameter(error: ParamError) -> ResponseReturnValue:
    return render_error(400, str(error))


def _user_or_404(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None:
        abort(404)
    return user


def users() -> ResponseReturnValue:
    page = user_page(db.session, page_request(request.args, current_app.config["PAGE_SIZE"]))
    return render_template("admin/users.html", page=page)


def _client_choices(user: User) -> list[tuple[str, str]]:
    clients = active_clients(db.session)
    choices = [("", _("— Select a client —"))] + [(str(c.id), c.name) for c in clients]
    # Keep showing the current client even if it was deactivated since.
    if user.client_id and all(str(user.client_id) != value for value, _ in choices):
        current = db.session.scalar(select(Client).where(Client.id == user.client_id))
        if current is not None:
            choices.append((str(current.id), _("%(client)s (inactive)", client=current.name)))
    return choices


def _user_form_page(form: UserForm, user: User, status: int = 200) -> ResponseReturnValue:
    return render_template("admin/user_form.html", form=form, user=user), status


def _save_user(form: UserForm, user: User, success: str) -> ResponseReturnValue:
    """Show or save the user form; ``success`` is the message (a msgid with ``%(name)s``)."""
    form.client_id.choices = _client_choices(user)
    # Only staff, administrators and new users have a role to choose; a contact, or an account
    # without access, gets none (see admin.users.apply_user_form).
    offers_role = user.id is None or user.is_staff
    if not offers_role:
        del form.role
    if request.method == "GET":
        return _user_form_page(form, user)
    if not form.validate_on_submit():
        return _user_form_page(form, user, 400)
    try:
        apply_user_form(
            db.session,
            user,
            name=form.name.data or "",
            email=form.email.data or "",
            role=(form.role.data or "") if offers_role else None,
            is_active=bool(form.is_active.data),
            password=form.password.data or None,
            portal_enabled=bool(form.client_portal_enabled.data),
            client_id=form.client_id.data or None,
            acting_admin=current_user._get_current_object(),
        )
    except UserFormError as error:
        form[error.field].errors = [str(error)]
        return _user_form_page(form, user, 400)
    flash(_(success, name=user.name), "success")
    return redirect(url_for("admin.users"))


def user_new() -> ResponseReturnValue:
    user = User(role=Role.STAFF, is_active=True, client_portal_enabled=False)
    form = UserForm()
    return _save_user(form, user, N_("User %(name)s was created."))


def user_edit(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    form = UserForm(
        obj=None if request.method == "POST" else user,
        data=None
        if request.method == "POST"
        else {"client_id": str(user.client_id) if user.client_id else ""},
    )
    return _save_user(form, user, N_("User %(name)s was saved."))


def _set_active(user_id: int, active: bool) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    if user.id == current_user.id and not active:
        abort(400, _("You cannot deactivate your own account."))
    set_active(db.session, user, active)
    if active:
        flash(_("User %(name)s was activated.", name=user.name), "success")
    else:
        flash(_("User %(name)s was deactivated.", name=user.name), "success")
    return redirect(url_for("admin.users"))


def user_deactivate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, False)


def user_activate(user_id: int) -> ResponseReturnValue:
    return _set_active(user_id, True)


def user_make_staff(user_id: int) -> ResponseReturnValue:
    """Unticking "Enable Client Portal" grants nothing; this is how an account without access
    becomes staff: a page that says what it means, and a POST with a ticked confirmation."""
    user = _user_or_404(user_id)
    if user.role != Role.NONE:
        abort(400, _(ONLY_WITHOUT_ACCESS))
    form = MakeStaffForm()
    if request.method == "GET":
        return render_template("admin/make_staff.html", form=form, user=user)
    if not form.validate_on_submit():
        return render_template("admin/make_staff.html", form=form, user=user), 400
    make_staff(db.session, user)
    flash(_("%(name)s is staff now.", name=user.name), "success")
    return redirect(url_for("admin.users"))


def settings() -> ResponseReturnValue:
    row = firm.get_settings()
    form = SettingsForm(obj=row if request.method == "GET" else None)
    if request.method == "GET":
        form.invoice_rounding_minutes.data = str(row.invoice_rounding_minutes)
        form.require_two_factor.data = row.require_two_factor
        form.bank_iban.data = group_iban(row.bank_iban) if row.bank_iban else ""
        return render_template("admin/settings.html", form=form)
    if not form.validate_on_submit():
        return render_template("admin/settings.html", form=form), 400
    before = settings_changes.snapshot(row)
    row.company_name = (form.company_name.data or "").strip()
    row.company_address = form.company_address.data or None
    row.company_email = form.company_email.data or None
    row.currency = form.currency.data or "EUR"
    row.timezone = form.timezone.data or "UTC"
    row.locale = form.locale.data or "en_US"
    row.invoice_prefix = form.invoice_prefix.data or ""
    row.payment_terms_days = form.payment_terms_days.data or 0
    row.invoice_rounding_minutes = int(form.invoice_rounding_minutes.data or 0)
    row.require_two_factor = form.require_two_factor.data or "none"
    row.audit_retention_days = form.audit_retention_days.data or 0
    # Shared documents (left empty: unchanged).
    if form.document_max_mb.data is not None:
        row.document_max_mb = form.document_max_mb.data
    if form.document_quota_mb.data is not None:
        row.document_quota_mb = form.document_quota_mb.data
    row.clients_may_upload = bool(form.clients_may_upload.data)
    row.budget_alerts_to_clients = bool(form.budget_alerts_to_clients.data)
    # Validated by the form: the IBAN and BIC compact and in capitals.
    row.bank_account_holder = form.bank_account_holder.data or None
    row.bank_name = form.bank_name.data or None
    row.bank_iban = form.bank_iban.data or None
    row.bank_bic = form.bank_bic.data or None
    # Legal details and logo (the form checked the VAT ID's shape and the logo's content).
    row.vat_id = form.vat_id.data or None
    row.registration_details = form.registration_details.data or None
    if form.logo.inspected is not None:
        logos.set_firm_logo(db.session, row, form.logo.inspected)
    elif form.remove_logo.data:
        logos.set_firm_logo(db.session, row, None)
    changes = settings_changes.describe(before, row)
    if changes is not None:
        audit.record(audit.Kind.SETTINGS_CHANGED, db.session, detail=changes)
    g.pop("firm_settings", None)
    flash(_("Settings were saved."), "success")
    return redirect(url_for("admin.settings"))


GET, POST, FORM = ["GET"], ["POST"], ["GET", "POST"]
ADMIN = Policy.ADMIN

URLS: UrlTable = [
    ("/users", users, GET, ADMIN),
    ("/users/new", user_new, FORM, ADMIN),
    ("/users/<int:user_id>/edit", user_edit, FORM, ADMIN),
    ("/users/<int:user_id>/deactivate", user_deactivate, POST, ADMIN),
    ("/users/<int:user_id>/activate", user_activate, POST, ADMIN),
    ("/users/<int:user_id>/make-staff", user_make_staff, FORM, ADMIN),
    ("/settings", settings, FORM, ADMIN),
]

register_urls(bp, URLS)
