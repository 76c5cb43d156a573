"""TimeTracker: time tracking and invoicing with a read-only client portal."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from timetracker.config import load_config
from timetracker.db import database


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``overrides`` replace settings read from the environment."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(load_config(overrides))
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        # Flask's documented way to put middleware around the application:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops
        )

    database.init_app(app)
    from timetracker import assets, compression

    # First registered, so its after_request runs last, on the finished body and headers.
    compression.init_app(app)
    assets.init_app(app)  # fingerprinted static URLs, cached as immutable

    from timetracker import errors, formatting, i18n, security
    from timetracker.auth import init_app as init_auth
    from timetracker.extensions import csrf, limiter

    csrf.init_app(app)
    limiter.init_app(app)
    from timetracker import observability

    observability.init_app(app)
    # Before any blueprint: its strict id converter must be in place when rules are added.
    security.init_app(app)
    init_auth(app)
    formatting.init_app(app)
    i18n.init_app(app)
    # URLs in notes and status updates become links (escaped text, http and https only).
    from timetracker.comments.markdown import linkify

    app.add_template_filter(linkify)
    errors.init_app(app)
    from timetracker import diagnostics

    diagnostics.init_app(app)

    from timetracker.admin.routes import bp as admin_bp
    from timetracker.portal.routes import bp as portal_bp
    from timetracker.workspace import register as register_workspace

    register_workspace(app)
    from timetracker import health

    health.init_app(app)
    app.register_blueprint(admin_bp)
    app.register_blueprint(portal_bp)
    from timetracker.logos.views import bp as logos_bp

    app.register_blueprint(logos_bp)
    _register_identity(app)
    _register_quotes(app)
    _register_collaboration(app)
    _register_api(app)
    _register_insight(app)

    app.after_request(_finish_transaction)

    from timetracker.cli import register_commands

    register_commands(app)

    from timetracker.auth.access import check_access_policies

    # Deny by default: every endpoint declares who may open it, or the app does not start.
    check_access_policies(app)
    return app


def _register_identity(app: Flask) -> None:
    """Invitations, password resets, two-factor sign-in, session management and the audit."""
    from timetracker.admin import invitations, security
    from timetracker.audit import views as audit_views
    from timetracker.auth import recovery, twofactor

    for module in (recovery, twofactor, invitations, security, audit_views):
        app.register_blueprint(module.bp)
    from timetracker.portal.payments import bp as portal_payments_bp  # paying an invoice

    app.register_blueprint(portal_payments_bp)


def _register_quotes(app: Flask) -> None:
    """The client portal's quotes (the staff quote pages are in the workspace blueprint)."""
    from timetracker.portal import quotes as portal_quotes

    app.register_blueprint(portal_quotes.bp)


def _register_collaboration(app: Flask) -> None:
    """Comments on projects and shared documents, in the portal and the workspace."""
    from timetracker.comments import views as comment_views
    from timetracker.sharing import views as sharing_views

    for module in (comment_views, sharing_views):
        app.register_blueprint(module.bp)


def _register_api(app: Flask) -> None:
    """The JSON API with its tokens and schema, webhooks, and the calendar feeds."""
    from timetracker import api
    from timetracker.feeds import views as feed_views
    from timetracker.webhooks import views as webhook_views

    api.init_app(app)
    for module in (webhook_views, feed_views):
        app.register_blueprint(module.bp)


def _register_insight(app: Flask) -> None:
    """What each invoice bills, and the client's statement of account, in the portal."""
    from timetracker.portal import invoice_time, statement
    from timetracker.workspace.clients import statement as client_statement

    for module in (invoice_time, statement, client_statement):
        app.register_blueprint(module.bp)


def after_commit(callback: Any) -> None:
    """Run ``callback()`` once the request's transaction has committed (e.g. to send mail)."""
    g.setdefault("after_commit", []).append(callback)


def _finish_transaction(response: Response) -> Response:
    """One transaction per request: commit what a successful request did, drop the rest."""
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            try:
                session.commit()
            except SQLAlchemyError as error:
                from timetracker import errors

                if not errors.is_database_unavailable(error):
                    raise
                # Not acknowledged: the client gets the 503 page instead of the answer.
                g.pop("after_commit", None)
                return errors.database_unavailable(error)
        else:
            try:
                session.rollback()
            except SQLAlchemyError:
                # The connection is gone (the database went away): nothing to undo, and the
                # error page already answers; raising here would turn it into a bare 500.
                logging.getLogger(__name__).debug("rollback failed", exc_info=True)
            g.pop("after_commit", None)
    for callback in g.pop("after_commit", []):
        callback()
    return response
