"""The JSON API under /api/v1: personal access tokens, the client read API and the staff time
API, with its OpenAPI document.

Modules: :mod:`.tokens` (making, finding and revoking tokens), :mod:`.core` (flask-smorest set
up for this app, the token check, what runs around each request), :mod:`.problems` (errors as
RFC 9457 problem details), :mod:`.pagination` (signed cursors), :mod:`.schemas` and
:mod:`.fields`, the operations in :mod:`.portal`, :mod:`.time` and :mod:`.catalog`, the
document and its page in :mod:`.reference`, and the token pages in :mod:`.accounts`.
"""

from __future__ import annotations

from flask import Flask

#: The document's description: how to authenticate, paginate and read errors.
DESCRIPTION = """\
JSON over HTTPS. Authenticate every request with a personal access token
(`Authorization: Bearer tt_…`), created on your account page. Lists are paginated with an
opaque `cursor` (follow the `Link: <…>; rel="next"` header) and say their `total` over all
pages. GET answers carry an `ETag`: send it back in `If-None-Match` to get `304 Not Modified`.
Errors are RFC 9457 problem details (`application/problem+json`). Amounts are strings with
two decimal places.
"""


def init_app(app: Flask) -> None:
    """Register the API's blueprints and its schema."""
    from timetracker.api import accounts, catalog, core, portal, problems, reference, time
    from timetracker.api.fields import Money
    from timetracker.api.schemas import ProblemSchema

    core.Api.ERROR_SCHEMA = ProblemSchema
    app.config.setdefault("API_RATE_LIMIT", core.DEFAULT_RATE_LIMIT)
    api = core.Api(
        spec_kwargs={
            "title": "TimeTracker API",
            "version": "1",
            "openapi_version": "3.1.0",
            "info": {"description": DESCRIPTION},
            "security": [{core.BEARER_SCHEME: []}],
        }
    )
    api.init_app(app)
    api.register_field(Money, "string", "decimal")
    api.spec.components.security_scheme(
        core.BEARER_SCHEME,
        {"type": "http", "scheme": "bearer", "description": "A personal access token."},
    )
    for module in (portal, time, catalog):
        api.register_blueprint(module.bp)
    app.extensions["timetracker.api"] = api
    app.register_blueprint(reference.bp)
    app.register_blueprint(accounts.bp)
    app.after_request(problems.as_problem)
