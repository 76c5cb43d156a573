"""Admin pages. URL table (all admin-only):

/admin/users                      GET        users       list with role, state and portal badge
/admin/users/new                  GET, POST  user_new    create a user
/admin/users/<id>/edit            GET, POST  user_edit   edit, including Client Portal Access
/admin/users/<id>/deactivate      POST       user_deactivate
/admin/users/<id>/activate        POST       user_activate
/admin/settings                   GET, POST  settings    the firm's settings
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
from flask_login import current_user
from sqlalchemy import select

from timetracker import db, firm
from timetracker.admin.forms import SettingsForm, UserForm
from timetracker.admin.users import (
    UserFormError,
    active_clients,
    apply_user_form,
    user_page,
)
from timetracker.auth.access import admin_required
from timetracker.errors import render_error
from timetracker.models import Client, User
from timetracker.portal.params import ParamError, page_request

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.errorhandler(ParamError)
def _bad_parameter(error: ParamError):  # type: ignore[no-untyped-def]
    return render_error(400, str(error))


def _user_or_404(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None:
        abort(404)
    return user


@bp.route("/users", methods=["GET"])
@admin_required
def users():  # type: ignore[no-untyped-def]
    page = user_page(db.session, page_request(request.args, current_app.config["PAGE_SIZE"]))
    return render_template("admin/users.html", page=page)


def _client_choices(user: User) -> list[tuple[str, str]]:
    clients = active_clients(db.session)
    choices = [("", "— Select a client —")] + [(str(c.id), c.name) for c in clients]
    # Keep showing the current client even if it was deactivated since.
    if user.client_id and all(str(user.client_id) != value for value, _ in choices):
        current = db.session.scalar(select(Client).where(Client.id == user.client_id))
        if current is not None:
            choices.append((str(current.id), f"{current.name} (inactive)"))
    return choices


def _user_form_page(form: UserForm, user: User, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("admin/user_form.html", form=form, user=user), status


def _save_user(form: UserForm, user: User, success: str):  # type: ignore[no-untyped-def]
    form.client_id.choices = _client_choices(user)
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
            role=form.role.data or "",
            is_active=bool(form.is_active.data),
            password=form.password.data or None,
            portal_enabled=bool(form.client_portal_enabled.data),
            client_id=form.client_id.data or None,
            acting_admin=current_user._get_current_object(),
        )
    except UserFormError as error:
        form[error.field].errors = [str(error)]
        return _user_form_page(form, user, 400)
    flash(success.format(name=user.name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():  # type: ignore[no-untyped-def]
    user = User(role="user", is_active=True, client_portal_enabled=False)
    form = UserForm()
    return _save_user(form, user, "User {name} was created.")


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):  # type: ignore[no-untyped-def]
    user = _user_or_404(user_id)
    form = UserForm(
        obj=None if request.method == "POST" else user,
        data=None
        if request.method == "POST"
        else {"client_id": str(user.client_id) if user.client_id else ""},
    )
    return _save_user(form, user, "User {name} was saved.")


def _set_active(user_id: int, active: bool):  # type: ignore[no-untyped-def]
    user = _user_or_404(user_id)
    if user.id == current_user.id and not active:
        abort(400, "You cannot deactivate your own account.")
    user.is_active = active
    flash(f"User {user.name} was {'activated' if active else 'deactivated'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def user_deactivate(user_id: int):  # type: ignore[no-untyped-def]
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@admin_required
def user_activate(user_id: int):  # type: ignore[no-untyped-def]
    return _set_active(user_id, True)


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():  # type: ignore[no-untyped-def]
    row = firm.get_settings()
    form = SettingsForm(obj=row if request.method == "GET" else None)
    if request.method == "GET":
        form.invoice_rounding_minutes.data = str(row.invoice_rounding_minutes)
        return render_template("admin/settings.html", form=form)
    if not form.validate_on_submit():
        return render_template("admin/settings.html", form=form), 400
    row.company_name = (form.company_name.data or "").strip()
    row.company_address = form.company_address.data or None
    row.company_email = form.company_email.data or None
    row.currency = form.currency.data or "EUR"
    row.timezone = form.timezone.data or "UTC"
    row.locale = form.locale.data or "en_US"
    row.invoice_prefix = form.invoice_prefix.data or ""
    row.payment_terms_days = int(form.payment_terms_days.data or 0)
    row.invoice_rounding_minutes = int(form.invoice_rounding_minutes.data or 0)
    g.pop("firm_settings", None)
    flash("Settings were saved.", "success")
    return redirect(url_for("admin.settings"))
