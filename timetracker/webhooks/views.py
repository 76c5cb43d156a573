"""The administrators' webhook pages (every rule is for administrators; ``URLS`` at the end):

/admin/webhooks                            GET        webhooks        endpoints, last delivery
/admin/webhooks/new                        GET, POST  webhook_new     URL, description, events
/admin/webhooks/<id>                       GET        webhook_detail  secret, deliveries (paged)
/admin/webhooks/<id>/edit                  GET, POST  webhook_edit    the form, and on/off
/admin/webhooks/<id>/delete                POST       webhook_delete  it and its deliveries go
/admin/webhooks/<id>/secret                POST       webhook_rotate  a new signing secret
/admin/webhooks/<id>/test                  POST       webhook_test    a ``ping`` event, sent now
/admin/webhooks/<id>/deliveries/<d>/retry  POST       delivery_retry  one more attempt of a
                                                                      failed delivery
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from timetracker import after_commit, db
from timetracker.auth.access import Policy, UrlTable, register_urls
from timetracker.errors import render_error
from timetracker.i18n import _l
from timetracker.models import User
from timetracker.models.api import WebhookEndpoint
from timetracker.portal.params import ParamError, page_request
from timetracker.webhooks import endpoints
from timetracker.webhooks.endpoints import EndpointError, EndpointInput
from timetracker.webhooks.events import SUBSCRIBABLE
from timetracker.webhooks.forms import ActionForm, EndpointForm
from timetracker.webhooks.jobs import dispatch

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")

EXPIRED_FORM = _l("The form has expired or is incomplete. Reload the page and try again.")
ENDPOINT_OFF = _l(
    "This endpoint is turned off. Turn it on (Edit) before sending or retrying events."
)


@bp.errorhandler(ParamError)
def _bad_parameter(error: ParamError) -> ResponseReturnValue:
    return render_error(400, str(error))


def _admin() -> User:
    admin: User = current_user._get_current_object()
    return admin


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoints.get(db.session, endpoint_id)
    if endpoint is None:
        abort(404)
    return endpoint


def _require_button() -> None:
    if not ActionForm().validate_on_submit():
        abort(400, str(EXPIRED_FORM))


def _input(form: EndpointForm, *, editing: bool) -> EndpointInput:
    return EndpointInput(
        url=form.url.data or "",
        description=form.description.data,
        events=list(form.events.data or []),
        is_active=bool(form.is_active.data) if editing else True,
    )


def _form_page(
    form: EndpointForm, endpoint: WebhookEndpoint | None, status: int = 200
) -> ResponseReturnValue:
    return render_template("webhooks/form.html", form=form, endpoint=endpoint), status


def webhooks() -> ResponseReturnValue:
    return render_template(
        "webhooks/list.html", rows=endpoints.listing(db.session), labels=SUBSCRIBABLE
    )


def webhook_new() -> ResponseReturnValue:
    form = EndpointForm()
    if request.method == "GET":
        form.events.data = list(SUBSCRIBABLE)
        return _form_page(form, None)
    if not form.validate_on_submit():
        return _form_page(form, None, 400)
    try:
        endpoint = endpoints.create(
            db.session, _admin(), _input(form, editing=False), current_app.config
        )
    except EndpointError as error:
        form[error.field].errors = [str(error)]
        return _form_page(form, None, 400)
    flash(
        _(
            "Endpoint added. Give its signing secret (below) to the receiver, then send a test "
            "event."
        ),
        "success",
    )
    return redirect(url_for("webhooks.webhook_detail", endpoint_id=endpoint.id))


def webhook_detail(endpoint_id: int) -> ResponseReturnValue:
    endpoint = _endpoint_or_404(endpoint_id)
    page = endpoints.deliveries_page(
        db.session, endpoint.id, page_request(request.args, current_app.config["PAGE_SIZE"])
    )
    return render_template(
        "webhooks/detail.html", endpoint=endpoint, page=page, labels=SUBSCRIBABLE
    )


def webhook_edit(endpoint_id: int) -> ResponseReturnValue:
    endpoint = _endpoint_or_404(endpoint_id)
    form = EndpointForm(obj=None if request.method == "POST" else endpoint)
    if request.method == "GET":
        form.events.data = endpoint.events.split()
        form.is_active.data = endpoint.is_active and endpoint.disabled_at is None
        return _form_page(form, endpoint)
    if not form.validate_on_submit():
        return _form_page(form, endpoint, 400)
    try:
        changes = endpoints.update(
            db.session, _admin(), endpoint, _input(form, editing=True), current_app.config
        )
    except EndpointError as error:
        form[error.field].errors = [str(error)]
        return _form_page(form, endpoint, 400)
    flash(_("Endpoint saved.") if changes else _("Nothing was changed."), "success")
    return redirect(url_for("webhooks.webhook_detail", endpoint_id=endpoint.id))


def webhook_delete(endpoint_id: int) -> ResponseReturnValue:
    _require_button()
    endpoint = _endpoint_or_404(endpoint_id)
    endpoints.remove(db.session, _admin(), endpoint)
    flash(_("The endpoint %(url)s and its deliveries were removed.", url=endpoint.url), "success")
    return redirect(url_for("webhooks.webhooks"))


def webhook_rotate(endpoint_id: int) -> ResponseReturnValue:
    _require_button()
    endpoint = _endpoint_or_404(endpoint_id)
    endpoints.rotate_secret(db.session, _admin(), endpoint)
    flash(
        _(
            "A new signing secret was made; the old one no longer signs anything. Give the new "
            "one to the receiver."
        ),
        "success",
    )
    return redirect(url_for("webhooks.webhook_detail", endpoint_id=endpoint.id, _anchor="secret"))


def webhook_test(endpoint_id: int) -> ResponseReturnValue:
    _require_button()
    endpoint = _endpoint_or_404(endpoint_id)
    if not (endpoint.is_active and endpoint.disabled_at is None):
        return render_error(400, str(ENDPOINT_OFF))
    delivery = endpoints.ping(db.session, endpoint)
    after_commit(partial(dispatch, [(delivery.id, 0, False)]))
    flash(_("A test event was sent; its delivery is at the top of the list."), "success")
    return redirect(url_for("webhooks.webhook_detail", endpoint_id=endpoint.id))


def delivery_retry(endpoint_id: int, delivery_id: int) -> ResponseReturnValue:
    _require_button()
    endpoint = _endpoint_or_404(endpoint_id)
    delivery = endpoints.delivery_of(db.session, endpoint.id, delivery_id)
    if delivery is None:
        abort(404)
    if delivery.status != "failed":
        flash(
            _(
                "Only a failed delivery can be retried; this one is %(status)s.",
                status=_delivery_status(delivery.status),
            ),
            "info",
        )
        return redirect(url_for("webhooks.webhook_detail", endpoint_id=endpoint.id))
    if not (endpoint.is_active and endpoint.disabled_at is None):
        return render_error(400, str(ENDPOINT_OFF))
    after_commit(partial(dispatch, [(delivery.id, delivery.attempts, True)]))
    flash(_("The delivery is being sent again; its new answer shows below."), "success")
    return redirect(url_for("webhooks.webhook_detail", endpoint_id=endpoint.id))


def _delivery_status(status: str) -> str:
    """A delivery's stored status (``pending``, ``delivered``, ``failed``) in words."""
    if status == "pending":
        return _("pending")
    if status == "delivered":
        return _("delivered")
    return status


GET, POST, FORM = ["GET"], ["POST"], ["GET", "POST"]
ADMIN = Policy.ADMIN

URLS: UrlTable = [
    ("", webhooks, GET, ADMIN),
    ("/new", webhook_new, FORM, ADMIN),
    ("/<int:endpoint_id>", webhook_detail, GET, ADMIN),
    ("/<int:endpoint_id>/edit", webhook_edit, FORM, ADMIN),
    ("/<int:endpoint_id>/delete", webhook_delete, POST, ADMIN),
    ("/<int:endpoint_id>/secret", webhook_rotate, POST, ADMIN),
    ("/<int:endpoint_id>/test", webhook_test, POST, ADMIN),
    ("/<int:endpoint_id>/deliveries/<int:delivery_id>/retry", delivery_retry, POST, ADMIN),
]
register_urls(bp, URLS)
