"""The route x role matrix, written out: what every endpoint of the app answers to each kind of
account. The table is the specification; it is not derived from the code under test (the
``access_policy`` the views declare is not read here), and a test asserts that it covers exactly
the app's endpoints and methods, so a new route without a row fails.

Columns (each a live session, signed in before the account changed, so that a session that
outlives a change is refused too):

    anon     not signed in
    none     an account without access (e.g. a contact whose portal box was unticked)
    client   a contact of an active client
    gone     a contact of a client deactivated while they were signed in
    exstaff  a staff member deactivated while signed in
    staff    staff
    admin    an administrator

Cells: ``L`` a redirect to the login form, ``F`` 403, ``R`` a redirect elsewhere, a number that
status, ``ok`` (POSTs of roles that may act) any answer that is neither a refusal nor an error.
GETs use ids of objects that exist; POSTs carry a valid CSRF token and are rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed

from tests.conftest import CSRF_RE, login
from tests.factories import (
    make_admin,
    make_client,
    make_entry,
    make_invoice,
    make_portal_user,
    make_project,
    make_user,
)
from tests.quotes.conftest import make_quote
from tests.sharing.conftest import add_document
from timetracker.extensions import limiter
from timetracker.models import (
    Comment,
    InvoiceStatus,
    QuoteStatus,
    Role,
    Settings,
    UserSession,
    WebhookDelivery,
    WebhookEndpoint,
)
from timetracker.security import CONTENT_SECURITY_POLICY
from timetracker.sharing.responses import DOWNLOAD_CSP

ROLES = ("anon", "none", "client", "gone", "exstaff", "staff", "admin")

# Rows: endpoint, method, path ({names} are ids of the world below), then one cell per role in
# the order of ROLES.
STAFF_GET = "L F F F F 200 200"
ADMIN_GET = "L F F F F F 200"
STAFF_POST = "L F F F F ok ok"
ADMIN_POST = "L F F F F F ok"
PORTAL_GET = "L F 200 F F F F"
PORTAL_POST = "L F ok F F F F"
#: The portal's declared actions: contacts of an active client only.
PORTAL_POST = "L F ok F F F F"
#: The portal page of the world's sent invoice.
SENT = "/client-portal/invoices/{sent}"
PUBLIC_200 = "200 200 200 200 200 200 200"
PUBLIC_400 = "400 400 400 400 400 400 400"
PUBLIC_404 = "404 404 404 404 404 404 404"
#: A token of the right shape that no link has.
MADE_UP_TOKEN = "x" * 43
#: The API with a session cookie only: no bearer token, 401 for everyone.
TOKEN_ONLY = "401 401 401 401 401 401 401"

TABLE: list[tuple[str, str, str, str]] = [
    # Public
    ("static", "GET", "/static/css/app.css", "200 200 200 200 200 200 200"),
    ("health.healthz", "GET", "/healthz", "200 200 200 200 200 200 200"),
    ("health.readyz", "GET", "/readyz", "200 200 200 200 200 200 200"),
    ("monitoring.metrics", "GET", "/metrics", "200 200 200 200 200 200 200"),
    ("auth.index", "GET", "/", "L F R F F R R"),
    ("auth.login", "GET", "/login", "200 F R F F R R"),
    ("auth.login", "POST", "/login", "400 F R F F R R"),
    ("auth.logout", "GET", "/logout", "L 200 200 200 200 200 200"),
    ("auth.logout", "POST", "/logout", "L L L L L L L"),
    # Any account with access
    ("auth.account", "GET", "/account", "L F 200 F F 200 200"),
    ("auth.account", "POST", "/account", "L F 400 F F 400 400"),
    # Another person's session is a missing one (404); ending the others needs none.
    ("auth.session_end", "POST", "/account/sessions/{worker_session}/end", "L F 404 F F 404 404"),
    ("auth.sessions_end_others", "POST", "/account/sessions/end-others", "L F ok F F ok ok"),
    # Two-factor sign-in: set-up, and the pages that lead back to the account while it is off.
    ("twofactor.setup", "GET", "/account/two-factor", "L F 200 F F 200 200"),
    ("twofactor.setup", "POST", "/account/two-factor", "L F ok F F ok ok"),
    ("twofactor.setup_start", "POST", "/account/two-factor/start", "L F ok F F ok ok"),
    ("twofactor.disable", "GET", "/account/two-factor/disable", "L F R F F R R"),
    ("twofactor.disable", "POST", "/account/two-factor/disable", "L F ok F F ok ok"),
    ("twofactor.recovery_codes", "GET", "/account/two-factor/recovery-codes", "L F R F F R R"),
    (
        "twofactor.recovery_codes",
        "POST",
        "/account/two-factor/recovery-codes",
        "L F ok F F ok ok",
    ),
    # The second step: without a pending sign-in, back to the login form (or home).
    ("twofactor.second_step", "GET", "/login/two-factor", "L F R F F R R"),
    ("twofactor.second_step", "POST", "/login/two-factor", "L F R F F R R"),
    # Workspace: time
    ("workspace.dashboard", "GET", "/dashboard", STAFF_GET),
    ("workspace.time_entries", "GET", "/time", STAFF_GET),
    ("workspace.time_week", "GET", "/time/week", STAFF_GET),
    ("workspace.time_entry_new", "GET", "/time/new", STAFF_GET),
    ("workspace.time_entry_new", "POST", "/time/new", STAFF_POST),
    ("workspace.time_entry_edit", "GET", "/time/{entry}/edit", STAFF_GET),
    ("workspace.time_entry_edit", "POST", "/time/{entry}/edit", STAFF_POST),
    ("workspace.time_entry_delete", "POST", "/time/{entry}/delete", STAFF_POST),
    # Another person's entry: staff do not find it (404, as for a missing id); admins do.
    ("workspace.time_entry_edit", "GET", "/time/{others_entry}/edit", "L F F F F 404 200"),
    ("workspace.time_entry_edit", "POST", "/time/{others_entry}/edit", "L F F F F 404 ok"),
    ("workspace.time_entry_delete", "POST", "/time/{others_entry}/delete", "L F F F F 404 ok"),
    ("workspace.timer_start", "POST", "/time/timer/start", STAFF_POST),
    ("workspace.timer_stop", "POST", "/time/timer/stop", STAFF_POST),
    ("workspace.time_approve", "POST", "/time/approve", ADMIN_POST),
    ("workspace.time_week_cell", "POST", "/time/week/cell", STAFF_POST),
    ("workspace.time_week_save", "POST", "/time/week/save", STAFF_POST),
    ("workspace.time_week_copy", "POST", "/time/week/copy", STAFF_POST),
    ("workspace.time_entry_restart", "POST", "/time/{entry}/restart", STAFF_POST),
    ("workspace.time_entry_restart", "POST", "/time/{others_entry}/restart", "L F F F F 404 404"),
    ("workspace.timer_undo", "POST", "/time/timer/undo", STAFF_POST),
    ("logos.firm_logo", "GET", "/logos/firm", "L F F F F 404 404"),
    ("logos.client_logo", "GET", "/logos/clients/{client}", "L F F F F 404 404"),
    ("logos.portal_logo", "GET", "/client-portal/logo", "L F 404 F F F F"),
    ("workspace.time_entries_csv", "GET", "/time/export.csv", STAFF_GET),
    # Workspace: clients
    ("workspace.clients", "GET", "/clients", STAFF_GET),
    ("workspace.client_new", "GET", "/clients/new", ADMIN_GET),
    ("workspace.client_new", "POST", "/clients/new", ADMIN_POST),
    ("workspace.client_detail", "GET", "/clients/{client}", STAFF_GET),
    ("workspace.client_edit", "GET", "/clients/{client}/edit", ADMIN_GET),
    ("workspace.client_edit", "POST", "/clients/{client}/edit", ADMIN_POST),
    ("workspace.client_deactivate", "POST", "/clients/{client}/deactivate", ADMIN_POST),
    ("workspace.client_reactivate", "POST", "/clients/{client}/reactivate", ADMIN_POST),
    # Workspace: projects
    ("workspace.projects", "GET", "/projects", STAFF_GET),
    ("workspace.project_new", "GET", "/projects/new", ADMIN_GET),
    ("workspace.project_new", "POST", "/projects/new", ADMIN_POST),
    ("workspace.project_detail", "GET", "/projects/{project}", STAFF_GET),
    ("workspace.project_edit", "GET", "/projects/{project}/edit", ADMIN_GET),
    ("workspace.project_edit", "POST", "/projects/{project}/edit", ADMIN_POST),
    ("workspace.project_archive", "POST", "/projects/{project}/archive", ADMIN_POST),
    ("workspace.project_unarchive", "POST", "/projects/{project}/unarchive", ADMIN_POST),
    ("workspace.status_update_new", "POST", "/projects/{project}/status-updates", ADMIN_POST),
    ("workspace.note_new", "POST", "/projects/{project}/notes", ADMIN_POST),
    ("workspace.note_edit", "POST", "/projects/{project}/notes/edit", ADMIN_POST),
    ("workspace.note_delete", "POST", "/projects/{project}/notes/delete", ADMIN_POST),
    # Workspace: invoices
    ("workspace.invoices", "GET", "/invoices", STAFF_GET),
    ("workspace.invoice_new", "GET", "/invoices/new", ADMIN_GET),
    ("workspace.invoice_new", "POST", "/invoices/new", ADMIN_POST),
    ("workspace.invoice_detail", "GET", "/invoices/{draft}", STAFF_GET),
    ("workspace.invoice_edit", "GET", "/invoices/{draft}/edit", ADMIN_GET),
    ("workspace.invoice_edit", "POST", "/invoices/{draft}/edit", ADMIN_POST),
    ("workspace.invoice_item_add", "POST", "/invoices/{draft}/items", ADMIN_POST),
    ("workspace.invoice_item_edit", "GET", "/invoices/{draft}/items/{item}/edit", ADMIN_GET),
    ("workspace.invoice_item_edit", "POST", "/invoices/{draft}/items/{item}/edit", ADMIN_POST),
    (
        "workspace.invoice_item_delete",
        "POST",
        "/invoices/{draft}/items/{item}/delete",
        ADMIN_POST,
    ),
    ("workspace.invoice_send", "POST", "/invoices/{draft}/send", ADMIN_POST),
    ("workspace.invoice_payment", "POST", "/invoices/{sent}/payments", ADMIN_POST),
    ("workspace.invoice_cancel", "POST", "/invoices/{draft}/cancel", ADMIN_POST),
    ("workspace.invoice_pdf", "GET", "/invoices/{sent}/pdf", STAFF_GET),
    ("workspace.invoice_resend", "POST", "/invoices/{sent}/resend", ADMIN_POST),
    ("workspace.invoice_send_dialog", "GET", "/invoices/{draft}/send", ADMIN_GET),
    ("workspace.invoice_send_preview", "GET", "/invoices/{draft}/send/preview", ADMIN_GET),
    ("workspace.invoice_send_email", "POST", "/invoices/{draft}/send/email", ADMIN_POST),
    ("workspace.invoice_mark_sent", "POST", "/invoices/{draft}/mark-sent", ADMIN_POST),
    ("workspace.invoice_preview", "GET", "/invoices/new/preview?client_id={client}", ADMIN_GET),
    ("workspace.invoice_item_entries", "GET", "/invoices/{draft}/items/{item}/entries", STAFF_GET),
    ("workspace.payment_edit", "GET", "/invoices/{sent}/payments/{payment}/edit", ADMIN_GET),
    ("workspace.payment_edit", "POST", "/invoices/{sent}/payments/{payment}/edit", ADMIN_POST),
    ("workspace.payment_delete", "POST", "/invoices/{sent}/payments/{payment}/delete", ADMIN_POST),
    ("workspace.reports", "GET", "/reports", STAFF_GET),
    # Admin
    ("admin.users", "GET", "/admin/users", ADMIN_GET),
    ("admin.user_new", "GET", "/admin/users/new", ADMIN_GET),
    ("admin.user_new", "POST", "/admin/users/new", ADMIN_POST),
    ("admin.user_edit", "GET", "/admin/users/{worker}/edit", ADMIN_GET),
    ("admin.user_edit", "POST", "/admin/users/{worker}/edit", ADMIN_POST),
    ("admin.user_deactivate", "POST", "/admin/users/{worker}/deactivate", ADMIN_POST),
    ("admin.user_activate", "POST", "/admin/users/{worker}/activate", ADMIN_POST),
    ("admin.user_make_staff", "GET", "/admin/users/{nobody}/make-staff", ADMIN_GET),
    ("admin.user_make_staff", "POST", "/admin/users/{nobody}/make-staff", ADMIN_POST),
    (
        "admin_security.reset_two_factor",
        "POST",
        "/admin/users/{worker}/reset-two-factor",
        ADMIN_POST,
    ),
    ("admin_security.end_sessions", "POST", "/admin/users/{worker}/end-sessions", ADMIN_POST),
    ("admin.settings", "GET", "/admin/settings", ADMIN_GET),
    ("admin.settings", "POST", "/admin/settings", ADMIN_POST),
    ("audit.trail", "GET", "/admin/audit", ADMIN_GET),
    ("audit.trail_csv", "GET", "/admin/audit.csv", ADMIN_GET),
    # Links sent by email (auth/recovery.py): public; a made-up token is an unknown link
    ("recovery.forgot_password", "GET", "/forgot-password", PUBLIC_200),
    ("recovery.forgot_password", "POST", "/forgot-password", PUBLIC_400),
    ("recovery.reset_password", "GET", f"/reset-password/{MADE_UP_TOKEN}", PUBLIC_404),
    ("recovery.reset_password", "POST", f"/reset-password/{MADE_UP_TOKEN}", PUBLIC_404),
    ("recovery.invitation_renew", "GET", "/invitation/renew", PUBLIC_200),
    ("recovery.invitation_renew", "POST", "/invitation/renew", PUBLIC_400),
    ("recovery.invitation", "GET", f"/invitation/{MADE_UP_TOKEN}", PUBLIC_404),
    ("recovery.invitation", "POST", f"/invitation/{MADE_UP_TOKEN}", PUBLIC_404),
    # Admin: invitations
    ("invitations.invitations", "GET", "/admin/invitations", ADMIN_GET),
    ("invitations.invitation_new", "GET", "/admin/invitations/new", ADMIN_GET),
    ("invitations.invitation_new", "POST", "/admin/invitations/new", ADMIN_POST),
    ("invitations.invitation_resend", "POST", "/admin/invitations/{worker}/resend", ADMIN_POST),
    ("invitations.invitation_revoke", "POST", "/admin/invitations/{worker}/revoke", ADMIN_POST),
    # Client portal
    ("portal.dashboard", "GET", "/client-portal", PORTAL_GET),
    ("portal.dashboard", "GET", "/client-portal/dashboard", PORTAL_GET),
    ("portal.projects", "GET", "/client-portal/projects", PORTAL_GET),
    ("portal.project_detail", "GET", "/client-portal/projects/{project}", PORTAL_GET),
    ("portal.invoices", "GET", "/client-portal/invoices", PORTAL_GET),
    ("portal.invoice_detail", "GET", "/client-portal/invoices/{sent}", PORTAL_GET),
    ("portal.invoice_pdf", "GET", "/client-portal/invoices/{sent}/pdf", PORTAL_GET),
    ("portal.time_entries", "GET", "/client-portal/time-entries", PORTAL_GET),
    ("portal.time_entries_csv", "GET", "/client-portal/time-entries.csv", PORTAL_GET),
    ("portal.branding_css", "GET", "/client-portal/branding.css", PORTAL_GET),
    # Client portal: working together (comments on projects, shared documents)
    ("sharing.portal_documents", "GET", "/client-portal/documents", PORTAL_GET),
    ("sharing.portal_document", "GET", "/client-portal/documents/{document}", PORTAL_GET),
    (
        "sharing.portal_download",
        "GET",
        "/client-portal/documents/{document}/download",
        PORTAL_GET,
    ),
    (
        "sharing.portal_version_download",
        "GET",
        "/client-portal/documents/versions/{version}/download",
        PORTAL_GET,
    ),
    ("sharing.portal_upload", "POST", "/client-portal/projects/{project}/documents", PORTAL_POST),
    ("sharing.document_detail", "GET", "/documents/{document}", STAFF_GET),
    ("sharing.download", "GET", "/documents/versions/{version}/download", STAFF_GET),
    ("sharing.version_upload", "POST", "/documents/{document}/versions", STAFF_POST),
    ("sharing.remove", "POST", "/documents/{document}/remove", ADMIN_POST),
    ("sharing.client_upload", "POST", "/clients/{client}/documents", STAFF_POST),
    ("sharing.project_upload", "POST", "/projects/{project}/documents", STAFF_POST),
    ("sharing.storage_usage", "GET", "/admin/document-storage", ADMIN_GET),
    # The JSON API: bearer tokens only; a session cookie authenticates nothing (401).
    ("api_portal.projects", "GET", "/api/v1/portal/projects", TOKEN_ONLY),
    ("api_portal.project", "GET", "/api/v1/portal/projects/{project}", TOKEN_ONLY),
    ("api_portal.invoices", "GET", "/api/v1/portal/invoices", TOKEN_ONLY),
    ("api_portal.invoice", "GET", "/api/v1/portal/invoices/{sent}", TOKEN_ONLY),
    ("api_portal.invoice_pdf", "GET", "/api/v1/portal/invoices/{sent}/pdf", TOKEN_ONLY),
    ("api_portal.time_entries", "GET", "/api/v1/portal/time-entries", TOKEN_ONLY),
    ("api_time.time_entries", "GET", "/api/v1/time-entries", TOKEN_ONLY),
    ("api_time.time_entry_create", "POST", "/api/v1/time-entries", TOKEN_ONLY),
    ("api_time.time_entry", "GET", "/api/v1/time-entries/{entry}", TOKEN_ONLY),
    ("api_time.time_entry_update", "PATCH", "/api/v1/time-entries/{entry}", TOKEN_ONLY),
    ("api_time.time_entry_delete", "DELETE", "/api/v1/time-entries/{entry}", TOKEN_ONLY),
    ("api_time.timer", "GET", "/api/v1/timer", TOKEN_ONLY),
    ("api_time.timer_start", "POST", "/api/v1/timer/start", TOKEN_ONLY),
    ("api_time.timer_stop", "POST", "/api/v1/timer/stop", TOKEN_ONLY),
    ("api_catalog.projects", "GET", "/api/v1/projects", TOKEN_ONLY),
    ("api_catalog.project", "GET", "/api/v1/projects/{project}", TOKEN_ONLY),
    ("api_catalog.clients", "GET", "/api/v1/clients", TOKEN_ONLY),
    # The API's document and reference page (public)
    ("api_reference.openapi_json", "GET", "/api/v1/openapi.json", PUBLIC_200),
    ("api_reference.reference", "GET", "/api/v1/docs", PUBLIC_200),
    # Personal access tokens: a person's own (another's is a missing one), and the admins' list
    ("api_tokens.api_tokens", "GET", "/account/api-tokens", "L F 200 F F 200 200"),
    ("api_tokens.api_tokens", "POST", "/account/api-tokens", "L F 400 F F 400 400"),
    (
        "api_tokens.api_token_revoke",
        "POST",
        "/account/api-tokens/{nobody}/revoke",
        "L F 404 F F 404 404",
    ),
    ("api_tokens.admin_api_tokens", "GET", "/admin/api-tokens", ADMIN_GET),
    ("api_tokens.admin_revoke", "POST", "/admin/api-tokens/{nobody}/revoke", "L F F F F F 404"),
    # Webhooks (administrators) and calendar feeds (anyone with access; the feed by its secret)
    ("webhooks.webhooks", "GET", "/admin/webhooks", ADMIN_GET),
    ("webhooks.webhook_new", "GET", "/admin/webhooks/new", ADMIN_GET),
    ("webhooks.webhook_new", "POST", "/admin/webhooks/new", ADMIN_POST),
    ("webhooks.webhook_detail", "GET", "/admin/webhooks/{webhook}", ADMIN_GET),
    ("webhooks.webhook_edit", "GET", "/admin/webhooks/{webhook}/edit", ADMIN_GET),
    ("webhooks.webhook_edit", "POST", "/admin/webhooks/{webhook}/edit", ADMIN_POST),
    ("webhooks.webhook_delete", "POST", "/admin/webhooks/{webhook}/delete", ADMIN_POST),
    ("webhooks.webhook_rotate", "POST", "/admin/webhooks/{webhook}/secret", ADMIN_POST),
    ("webhooks.webhook_test", "POST", "/admin/webhooks/{webhook}/test", ADMIN_POST),
    (
        "webhooks.delivery_retry",
        "POST",
        "/admin/webhooks/{webhook}/deliveries/{webhook_delivery}/retry",
        ADMIN_POST,
    ),
    ("feeds.calendar_settings", "GET", "/account/calendar", "L F 200 F F 200 200"),
    ("feeds.calendar_create", "POST", "/account/calendar", "L F ok F F ok ok"),
    ("feeds.calendar_revoke", "POST", "/account/calendar/revoke", "L F ok F F ok ok"),
    ("feeds.calendar_feed", "GET", f"/calendar/{MADE_UP_TOKEN}.ics", PUBLIC_404),
    # Comments: ids looked up within the project (the portal's through the client's scope).
    ("comments.portal_post", "POST", "/client-portal/projects/{project}/comments", PORTAL_POST),
    (
        "comments.portal_edit",
        "POST",
        "/client-portal/projects/{project}/comments/{comment}/edit",
        PORTAL_POST,
    ),
    (
        "comments.portal_delete",
        "POST",
        "/client-portal/projects/{project}/comments/{comment}/delete",
        PORTAL_POST,
    ),
    ("comments.workspace_post", "POST", "/projects/{project}/comments", STAFF_POST),
    (
        "comments.workspace_edit",
        "POST",
        "/projects/{project}/comments/{staff_comment}/edit",
        STAFF_POST,
    ),
    (
        "comments.workspace_delete",
        "POST",
        "/projects/{project}/comments/{staff_comment}/delete",
        STAFF_POST,
    ),
    # Workspace: quotes
    ("workspace.quotes", "GET", "/quotes", STAFF_GET),
    ("workspace.quote_new", "GET", "/quotes/new", ADMIN_GET),
    ("workspace.quote_new", "POST", "/quotes/new", ADMIN_POST),
    ("workspace.quote_detail", "GET", "/quotes/{quote_draft}", STAFF_GET),
    ("workspace.quote_edit", "GET", "/quotes/{quote_draft}/edit", ADMIN_GET),
    ("workspace.quote_edit", "POST", "/quotes/{quote_draft}/edit", ADMIN_POST),
    ("workspace.quote_delete", "POST", "/quotes/{quote_draft}/delete", ADMIN_POST),
    ("workspace.quote_item_add", "POST", "/quotes/{quote_draft}/items", ADMIN_POST),
    (
        "workspace.quote_item_edit",
        "GET",
        "/quotes/{quote_draft}/items/{quote_item}/edit",
        ADMIN_GET,
    ),
    (
        "workspace.quote_item_edit",
        "POST",
        "/quotes/{quote_draft}/items/{quote_item}/edit",
        ADMIN_POST,
    ),
    (
        "workspace.quote_item_delete",
        "POST",
        "/quotes/{quote_draft}/items/{quote_item}/delete",
        ADMIN_POST,
    ),
    ("workspace.quote_send", "POST", "/quotes/{quote_draft}/send", ADMIN_POST),
    ("workspace.quote_pdf", "GET", "/quotes/{quote}/pdf", STAFF_GET),
    (
        "workspace.quote_create_project",
        "POST",
        "/quotes/{quote_accepted}/create-project",
        ADMIN_POST,
    ),
    (
        "workspace.quote_create_invoice",
        "POST",
        "/quotes/{quote_accepted}/create-invoice",
        ADMIN_POST,
    ),
    # Client portal: the time an invoice bills (a draft is a missing one: 404)
    ("portal_invoice_time.invoice_time", "GET", "/client-portal/invoices/{sent}/time", PORTAL_GET),
    (
        "portal_invoice_time.invoice_time_csv",
        "GET",
        "/client-portal/invoices/{sent}/time.csv",
        PORTAL_GET,
    ),
    (
        "portal_invoice_time.invoice_time",
        "GET",
        "/client-portal/invoices/{draft}/time",
        "L F 404 F F F F",
    ),
    # Client portal and workspace: the statement of account
    ("portal_statement.statement", "GET", "/client-portal/statement", PORTAL_GET),
    ("portal_statement.statement_pdf", "GET", "/client-portal/statement.pdf", PORTAL_GET),
    ("client_statement.client_statement_pdf", "GET", "/clients/{client}/statement.pdf", STAFF_GET),
    # Client portal: quotes (a draft is a missing one: 404)
    ("portal_quotes.quotes", "GET", "/client-portal/quotes", PORTAL_GET),
    ("portal_quotes.quote_detail", "GET", "/client-portal/quotes/{quote}", PORTAL_GET),
    ("portal_quotes.quote_detail", "GET", "/client-portal/quotes/{quote_draft}", "L F 404 F F F F"),
    ("portal_quotes.quote_pdf", "GET", "/client-portal/quotes/{quote}/pdf", PORTAL_GET),
    ("portal_quotes.quote_accept", "POST", "/client-portal/quotes/{quote}/accept", PORTAL_POST),
    ("portal_quotes.quote_decline", "POST", "/client-portal/quotes/{quote}/decline", PORTAL_POST),
    (
        "portal_payments.invoice_qr",
        "GET",
        "/client-portal/invoices/{sent}/payment-qr.svg",
        PORTAL_GET,
    ),
    (
        "portal_payments.payment_sent",
        "GET",
        "/client-portal/invoices/{sent}/payment-sent",
        PORTAL_GET,
    ),
    (
        "portal_payments.payment_sent",
        "POST",
        "/client-portal/invoices/{sent}/payment-sent",
        "L F ok F F F F",
    ),
]


ID_NAMES = (
    "client",
    "project",
    "entry",
    "others_entry",
    "draft",
    "item",
    "sent",
    "payment",
    "worker",
    "worker_session",
    "nobody",
    "quote",
    "quote_draft",
    "quote_item",
    "quote_accepted",
    "comment",
    "staff_comment",
    "webhook",
    "webhook_delivery",
    "document",
    "version",
)


def _cells(row: str) -> dict[str, str]:
    cells = row.split()
    assert len(cells) == len(ROLES), row
    return dict(zip(ROLES, cells, strict=True))


@dataclass
class World:
    ids: dict[str, int]
    users: dict[str, Any]
    gone_client: Any


@pytest.fixture
def world(app: Flask, session: Session) -> World:
    client = make_client(session, name="Matrix Client")
    project = make_project(session, client, name="Matrix Project")
    staff = make_user(session, name="Matrix Staff", email="staff@matrix.example")
    admin = make_admin(session, name="Matrix Admin", email="admin@matrix.example")
    entry = make_entry(
        session, project, staff, start=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), minutes=90
    )
    draft = make_invoice(session, client, status=InvoiceStatus.DRAFT, items=[("Work", "2", "50")])
    sent = make_invoice(
        session, client, status=InvoiceStatus.SENT, items=[("Work", "1", "90")], paid="10.00"
    )
    contact = make_portal_user(session, client, email="contact@matrix.example")
    gone_client = make_client(session, name="Gone Client")
    make_project(session, gone_client)
    users = {
        "anon": None,
        "none": make_user(session, email="nobody@matrix.example"),
        "client": contact,
        "gone": make_portal_user(session, gone_client, email="contact@gone.example"),
        "exstaff": make_user(session, email="former@matrix.example"),
        "staff": staff,
        "admin": admin,
    }
    worker = make_user(session, name="Matrix Worker", email="worker@matrix.example")
    others_entry = make_entry(
        session, project, worker, start=dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC), minutes=45
    )
    nobody = make_user(session, role=Role.NONE, email="former-contact@matrix.example")
    worker_session = UserSession(user_id=worker.id, key_hash="0" * 64)
    session.add(worker_session)
    # Bank details: the payment QR code of the portal invoice page exists.
    session.merge(
        Settings(
            id=1,
            bank_account_holder="Matrix Firm",
            bank_iban="DE89370400440532013000",
            clients_may_upload=True,
        )
    )
    quote = make_quote(session, client, status=QuoteStatus.SENT)
    quote_draft = make_quote(session, client, status=QuoteStatus.DRAFT)
    quote_accepted = make_quote(session, client, status=QuoteStatus.ACCEPTED)
    comment = Comment(
        project_id=project.id, author_id=contact.id, author_name=contact.name, body="Question"
    )
    staff_comment = Comment(
        project_id=project.id, author_id=staff.id, author_name=staff.name, body="Answer"
    )
    session.add_all([comment, staff_comment])
    # A webhook that is off: its test event and retry answer 400 and never reach the network.
    webhook = WebhookEndpoint(
        url="https://93.184.215.14/hooks", secret="whsec_matrix", events="invoice.sent"
    )
    webhook.is_active = False
    session.add(webhook)
    session.flush()
    webhook_delivery = WebhookDelivery(
        endpoint_id=webhook.id,
        event="invoice.sent",
        event_id="0" * 36,
        payload="{}",
        status="failed",
        attempts=6,
    )
    session.add(webhook_delivery)
    # A shared document on the project (contacts may upload to their projects: see Settings).
    document, (version,) = add_document(app, session, client, staff, project=project)
    session.commit()
    ids = {  # the keys are ID_NAMES
        "client": client.id,
        "project": project.id,
        "entry": entry.id,
        "others_entry": others_entry.id,
        "draft": draft.id,
        "item": draft.items[0].id,
        "sent": sent.id,
        "payment": sent.payments[0].id,
        "worker": worker.id,
        "worker_session": worker_session.id,
        "nobody": nobody.id,
        "quote": quote.id,
        "quote_draft": quote_draft.id,
        "quote_item": quote_draft.items[0].id,
        "quote_accepted": quote_accepted.id,
        "comment": comment.id,
        "staff_comment": staff_comment.id,
        "webhook": webhook.id,
        "webhook_delivery": webhook_delivery.id,
        "document": document.id,
        "version": version.id,
    }
    return World(ids=ids, users=users, gone_client=gone_client)


def sign_in(app: Flask, session: Session, world: World, role: str) -> FlaskClient:
    """A live session of ``role``: signed in while the account had access, then changed."""
    client = app.test_client()
    user = world.users[role]
    if user is None:
        return client
    response = login(client, user.email)
    assert response.status_code == 302, (role, response.status_code)
    if role == "none":
        user.role = Role.NONE
    elif role == "gone":
        world.gone_client.is_active = False
    elif role == "exstaff":
        user.is_active = False
    session.commit()
    return client


def token_for(client: FlaskClient) -> str:
    for path in ("/account", "/login"):
        match = CSRF_RE.search(client.get(path).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no page shows this client a CSRF token")


def problem(response: Any, cell: str, method: str) -> str | None:
    status = response.status_code
    location = urlsplit(response.headers.get("Location", "")).path
    if status >= 500:
        return f"server error {status}"
    if cell == "L":
        return None if status == 302 and location == "/login" else f"{status} {location}"
    if cell == "F":
        return None if status == 403 else f"{status} {location}"
    if cell == "R":
        return None if status == 302 and location != "/login" else f"{status} {location}"
    if cell == "ok":
        assert method == "POST"
        refused = status in (401, 403) or (status == 302 and location == "/login")
        if status == 400 and "CSRF" in response.get_data(as_text=True):
            return "refused: the CSRF token"  # would hide a refusal behind a 400
        return f"refused: {status} {location}" if refused else None
    return None if status == int(cell) else f"{status} {location}"


def header_problems(response: Any) -> list[str]:
    problems = []
    # Downloads of shared documents carry the sandboxing policy instead.
    if response.headers.get("Content-Security-Policy") not in (
        CONTENT_SECURITY_POLICY,
        DOWNLOAD_CSP,
    ):
        problems.append("no Content-Security-Policy")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options")
    return problems


def test_the_table_covers_exactly_the_apps_endpoints_and_methods(app):
    routed = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    written = {(endpoint, method) for endpoint, method, _path, _row in TABLE}
    assert sorted(routed - written) == [], "routes without a row in the table"
    assert sorted(written - routed) == [], "rows for routes the app does not have"
    # Every path of the table is served by the endpoint its row names.
    adapter = app.url_map.bind("localhost")
    for endpoint, method, path, _row in TABLE:
        concrete = path.format(**dict.fromkeys(ID_NAMES, 7))
        assert adapter.match(concrete.split("?")[0], method=method)[0] == endpoint, path


@pytest.fixture
def no_rate_limits(monkeypatch):
    monkeypatch.setattr(limiter, "enabled", False)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(
    app, connection, session, world, no_rate_limits, role
):
    client = sign_in(app, session, world, role)
    token = token_for(client)
    failures = []
    # Reads first, then writes, each write undone; logging out comes last.
    rows = sorted(TABLE, key=lambda r: (r[1] == "POST", r[0] == "auth.logout"))
    for endpoint, method, path, row in rows:
        cell = _cells(row)[role]
        url = path.format(**world.ids)
        savepoint = connection.begin_nested() if method == "POST" else None
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(url, method=method, data=data)
        response.get_data()
        if savepoint is not None:
            savepoint.rollback()
        wrong = problem(response, cell, method)
        response.close()
        if wrong:
            failures.append(f"{role} {method} {url} ({endpoint}): expected {cell}, got {wrong}")
        failures += [f"{role} {method} {url}: {p}" for p in header_problems(response)]
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("role", ["anon", "client", "none"])
def test_methods_a_route_does_not_serve_answer_405(app, session, world, role):
    client = sign_in(app, session, world, role)
    adapter = app.url_map.bind("localhost")
    for _endpoint, _method, path, _row in TABLE:
        url = path.format(**world.ids)
        for method in ("PUT", "PATCH", "DELETE", "POST"):
            try:
                adapter.match(url.split("?")[0], method=method)
                continue  # served
            except MethodNotAllowed:
                pass
            assert client.open(url, method=method).status_code == 405, (method, url)
