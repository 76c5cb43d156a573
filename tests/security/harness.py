"""What the security tests share: a world of three clients and one user per role, the URL rules
of the app with paths built from ids, the outcome each declared ``access_policy`` demands of each
role, and checks that return their failures as a list (so that a test can also prove that a
check bites, by breaking the code and expecting failures).

Nothing here lists URLs: every rule comes from ``app.url_map``; ids are chosen by the name of the
rule's argument (``invoice_id`` -> an invoice), and a rule with an argument of a kind not known
here fails the tests until it is described in ``ID_KINDS``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

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
from timetracker import create_app
from timetracker.api import tokens
from timetracker.db import Base
from timetracker.extensions import limiter
from timetracker.logos.demo import badge as demo_logo
from timetracker.logos.operations import set_client_logo
from timetracker.logos.validation import inspect_logo
from timetracker.models import (
    Comment,
    InvoiceStatus,
    ProjectStatus,
    QuoteStatus,
    Settings,
    UserSession,
    WebhookDelivery,
    WebhookEndpoint,
)
from timetracker.sharing.operations import remove_document

MISSING_ID = 987654321
METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
ROLES = (
    "anonymous",
    "portal_a",
    "portal_inactive_client",
    "deactivated_staff",
    "deactivated_portal",
    "staff",
    "admin",
)

#: Argument name -> the kind of object it names (a key of ``ClientData.ids``).
ID_KINDS = {
    "invoice_id": "invoice",
    "item_id": "item",
    "project_id": "project",
    "client_id": "client",
    "entry_id": "entry",
    "user_id": "user",
    "session_id": "session",
    "quote_id": "quote",
    "comment_id": "comment",
    "document_id": "document",
    "version_id": "version",
    "endpoint_id": "webhook",
    "delivery_id": "webhook_delivery",
    "token_id": "api_token",
    "payment_id": "payment",
}
#: Arguments that are not ids: a value every role may ask for.
NON_ID_VALUES = {"filename": "css/app.css", "token": "x" * 43}


# The world ------------------------------------------------------------------------------------


@dataclass
class ClientData:
    """One client and everything of it, with the text that must never leak to another client."""

    name: str
    client: Any
    portal_user: Any
    #: kind -> ids of that kind belonging to the client (the first is the "own" one to use).
    ids: dict[str, list[int]] = field(default_factory=dict)
    #: (invoice id, item id) pairs, for the nested item routes.
    items: list[tuple[int, int]] = field(default_factory=list)
    #: (invoice id, payment id) pairs, for the nested payment routes.
    payments: list[tuple[int, int]] = field(default_factory=list)
    #: (quote id, line id) pairs, for the nested quote line routes.
    quote_items: list[tuple[int, int]] = field(default_factory=list)
    #: (project id, comment id) pairs, for the nested comment routes.
    comments: list[tuple[int, int]] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)


@dataclass
class World:
    a: ClientData
    b: ClientData
    #: A third client that staff and admins act on, so that writes do not disturb A and B.
    sierra: ClientData
    users: dict[str, Any]


def build_client(
    app: Flask, session: Session, name: str, staff: Any, *, active: bool = True
) -> ClientData:
    """A client with projects (active, archived), completed and running entries, invoices in
    every state with items and payments, quotes, comments, shared documents (one removed), a
    portal user with an API token, and a webhook endpoint with a delivery (the firm's, but
    named here so that every id route has ids to ask for). Every text is unique to ``name``."""
    client = make_client(
        session,
        name=f"{name} Holdings",
        address=f"{name} Street 1",
        contact_email=f"billing@{name.lower()}.example",
        is_active=active,
    )
    active_project = make_project(
        session, client, name=f"{name} Website", description=f"{name} project description"
    )
    archived = make_project(session, client, name=f"{name} Archive", status=ProjectStatus.ARCHIVED)
    worker = make_user(session, name=f"{name} Worker", email=f"worker@{name.lower()}.example")
    entries = [
        make_entry(
            session,
            active_project,
            staff,
            start=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
            minutes=90,
            notes=f"{name} design work",
        ),
        make_entry(
            session,
            archived,
            worker,
            start=dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC),
            minutes=30,
            notes=f"{name} archived work",
        ),
    ]
    invoices = {
        status: make_invoice(
            session,
            client,
            status=status,
            number=f"{name.upper()}-{status.upper()}",
            items=[(f"{name} {status} item", "2", "150.00")],
            notes=f"{name} {status} invoice notes",
            paid="360.00" if status == InvoiceStatus.PAID else None,
            due_date=dt.date(2099, 1, 1),
        )
        for status in (
            InvoiceStatus.DRAFT,
            InvoiceStatus.SENT,
            InvoiceStatus.PAID,
            InvoiceStatus.CANCELLED,
        )
    }
    portal_user = make_portal_user(
        session, client, name=f"{name} Portal Person", email=f"portal@{name.lower()}.example"
    )
    # A session of the portal user (another client's contact must not be able to end it).
    portal_session = UserSession(
        user_id=portal_user.id, key_hash=hashlib.sha256(name.encode()).hexdigest()
    )
    session.add(portal_session)
    session.flush()
    quotes = {
        status: make_quote(
            session,
            client,
            status=status,
            number=f"{name.upper()}-QUOTE-{status.upper()}",
            title=f"{name} {status} quote title",
            items=[(f"{name} {status} quote line", "2", "150.00")],
            notes=f"{name} {status} quote notes",
            answered_by=portal_user,
        )
        for status in (
            QuoteStatus.DRAFT,
            QuoteStatus.SENT,
            QuoteStatus.ACCEPTED,
            QuoteStatus.DECLINED,
        )
    }
    data = ClientData(name=name, client=client, portal_user=portal_user)
    # The portal's "own" invoice is the sent one: drafts are invisible to clients. Staff and
    # admins act on the draft, which is the one that can still be edited.
    invoice_order = (
        [InvoiceStatus.SENT, InvoiceStatus.DRAFT, InvoiceStatus.PAID, InvoiceStatus.CANCELLED]
        if name != "Sierra"
        else [InvoiceStatus.DRAFT, InvoiceStatus.SENT, InvoiceStatus.PAID, InvoiceStatus.CANCELLED]
    )
    data.ids = {
        "client": [client.id],
        "project": [active_project.id, archived.id],
        "entry": [e.id for e in entries],
        "invoice": [invoices[s].id for s in invoice_order],
        "item": [invoices[s].items[0].id for s in invoice_order],
        "user": [worker.id, portal_user.id],
        "session": [portal_session.id],
    }
    data.items = [(invoices[s].id, invoices[s].items[0].id) for s in invoice_order]
    # A portal logo: the contact's own is served, never another client's.
    set_client_logo(session, client, inspect_logo(demo_logo("#123456", "#abcdef")))
    paid = invoices[InvoiceStatus.PAID]
    data.ids["payment"] = [p.id for p in paid.payments]
    data.payments = [(paid.id, p.id) for p in paid.payments]
    # Likewise for quotes: the portal's own is the sent one, staff act on the draft.
    quote_order = [QuoteStatus.SENT, QuoteStatus.DRAFT, QuoteStatus.ACCEPTED, QuoteStatus.DECLINED]
    if name == "Sierra":
        quote_order[:2] = [QuoteStatus.DRAFT, QuoteStatus.SENT]
    data.ids["quote"] = [quotes[s].id for s in quote_order]
    data.quote_items = [(quotes[s].id, quotes[s].items[0].id) for s in quote_order]
    # The portal's own comment is its contact's; staff and admins act on Sierra's, by staff.
    author = staff if name == "Sierra" else portal_user
    comments = [
        Comment(
            project_id=project.id,
            author_id=author.id,
            author_name=author.name,
            body=f"{name} comment on {project.name}",
        )
        for project in (active_project, archived)
    ]
    session.add_all(comments)
    document, versions = add_document(
        app, session, client, staff, project=active_project, title=f"{name} brief"
    )
    removed, removed_versions = add_document(app, session, client, staff, title=f"{name} old")
    remove_document(removed)
    api_token, _secret = tokens.create(session, portal_user, f"{name} token", ["portal:read"], None)
    # Off, so that a test event or a retry answers 400 without reaching the network.
    webhook = WebhookEndpoint(
        url=f"https://{name.lower()}.example/hooks", secret=f"whsec_{name}", events="invoice.sent"
    )
    webhook.is_active = False
    session.add(webhook)
    session.flush()
    delivery = WebhookDelivery(
        endpoint_id=webhook.id,
        event="invoice.sent",
        event_id=f"{name:0>36}",
        payload="{}",
        status="failed",
        attempts=6,
    )
    session.add(delivery)
    session.flush()
    data.ids["comment"] = [c.id for c in comments]
    data.comments = [(c.project_id, c.id) for c in comments]
    data.ids["document"] = [document.id, removed.id]
    data.ids["version"] = [v.id for v in versions + removed_versions]
    data.ids["api_token"] = [api_token.id]
    data.ids["webhook"] = [webhook.id]
    data.ids["webhook_delivery"] = [delivery.id]
    data.markers = [
        client.name,
        client.address,
        client.contact_email,
        active_project.name,
        archived.name,
        active_project.description,
        worker.name,
        portal_user.name,
        portal_user.email,
        *(e.notes for e in entries),
        *(inv.number for inv in invoices.values()),
        *(inv.notes for inv in invoices.values()),
        *(inv.items[0].description for inv in invoices.values()),
        *(q.number for q in quotes.values()),
        *(q.title for q in quotes.values()),
        *(q.notes for q in quotes.values()),
        *(q.items[0].description for q in quotes.values()),
        *(c.body for c in comments),
        document.title,
        removed.title,
    ]
    return data


def build_world(app: Flask, session: Session) -> World:
    staff = make_user(session, name="Staff Member", email="staff@firm.example")
    admin = make_admin(session, name="Admin Person", email="admin@firm.example")
    a = build_client(app, session, "Alpha", staff)
    b = build_client(app, session, "Bravo", staff)
    sierra = build_client(app, session, "Sierra", staff)
    inactive = make_client(session, name="Idle Client", is_active=False)
    users = {
        "anonymous": None,
        "portal_a": a.portal_user,
        "portal_inactive_client": make_portal_user(
            session, inactive, name="Idle Portal Person", email="portal@idle.example"
        ),
        "deactivated_staff": make_user(session, name="Former Staff", email="former@firm.example"),
        "deactivated_portal": make_portal_user(
            session, a.client, name="Former Alpha Contact", email="former@alpha.example"
        ),
        "staff": staff,
        "admin": admin,
    }
    # Bank details: the portal invoice page then has its payment QR code route to check.
    # Contacts may upload documents to their projects: the portal's upload route is an action.
    session.merge(
        Settings(
            id=1,
            bank_account_holder="Firm Ltd",
            bank_iban="DE89370400440532013000",
            clients_may_upload=True,
        )
    )
    session.commit()
    return World(a=a, b=b, sierra=sierra, users=users)


def sign_in(app: Flask, session: Session, world: World, role: str) -> FlaskClient:
    """A test client with ``role`` signed in. Deactivated users sign in while still active and
    are deactivated afterwards: their session stays, and every page must refuse them."""
    client = app.test_client()
    user = world.users[role]
    if user is None:
        return client
    deactivated = role.startswith("deactivated")
    if deactivated:
        user.is_active = True
        session.commit()
    response = login(client, user.email)
    assert response.status_code == 302, (role, response.status_code)
    if deactivated:
        user.is_active = False
        session.commit()
    return client


def token_for(client: FlaskClient) -> str:
    """A CSRF token of the client's session, from whichever page shows one to it."""
    for path in ("/account", "/login"):
        response = client.get(path)
        match = CSRF_RE.search(response.get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError("no page shows this client a CSRF token")


def sibling_app(app: Flask, **overrides: Any) -> Flask:
    """Another app on the same database and rate-limit storage as the suite's ``app`` (the
    limiter is one object shared by every app, so it must keep pointing at the same place)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": app.config["DATABASE_URL"],
        "REDIS_URL": app.config["REDIS_URL"],
        "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
        "MAIL_ENABLED": False,
    }
    config.update(overrides)
    other = create_app(config)
    # Requests of the sibling see the test's rolled-back transaction, like the suite's app.
    other.extensions["timetracker.sessionmaker"] = app.extensions["timetracker.sessionmaker"]
    return other


def without_rate_limits(monkeypatch: Any) -> None:
    """Rate limits (tested on their own) would answer 429 once a check has asked a download
    route more than its per-minute share."""
    monkeypatch.setattr(limiter, "enabled", False)


# Rules and paths ------------------------------------------------------------------------------


def policy_of(app: Flask, rule: Rule) -> str | None:
    return getattr(app.view_functions[rule.endpoint], "access_policy", None)


def undeclared_rules(app: Flask) -> list[str]:
    """Rules whose view declares no known access policy."""
    known = {"public", "login", "staff", "admin", "portal", "token"}
    return [
        f"{rule.rule} ({rule.endpoint})"
        for rule in app.url_map.iter_rules()
        if policy_of(app, rule) not in known
    ]


def rules(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def id_arguments(rule: Rule) -> list[str]:
    return sorted(a for a in rule.arguments if a not in NON_ID_VALUES)


def unknown_arguments(rule: Rule) -> list[str]:
    return [a for a in id_arguments(rule) if a not in ID_KINDS]


def build_path(rule: Rule, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        return str(values[match.group(1)])

    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", value, rule.rule)


def own_values(rule: Rule, data: ClientData) -> dict[str, Any]:
    """Argument values naming ``data``'s own objects (an item of the invoice named)."""
    values: dict[str, Any] = dict(NON_ID_VALUES)
    for argument in id_arguments(rule):
        values[argument] = data.ids[ID_KINDS[argument]][0]
    if "invoice_id" in values and "item_id" in values:
        values["invoice_id"], values["item_id"] = data.items[0]
    if "quote_id" in values and "item_id" in values:
        values["quote_id"], values["item_id"] = data.quote_items[0]
    if "invoice_id" in values and "payment_id" in values:
        values["invoice_id"], values["payment_id"] = data.payments[0]
    return values


def foreign_values(rule: Rule, own: ClientData, other: ClientData) -> Iterator[dict[str, Any]]:
    """Every way to name ``other``'s objects in the rule: each of its ids for each argument,
    alone (the others pointing at ``own``'s objects) and all together."""
    arguments = id_arguments(rule)
    base = own_values(rule, own)
    for argument in arguments:
        for foreign_id in other.ids[ID_KINDS[argument]]:
            yield {**base, argument: foreign_id}
    if len(arguments) > 1 and "comment_id" in arguments:
        for project_id, comment_id in other.comments:
            yield {**base, "project_id": project_id, "comment_id": comment_id}
    elif len(arguments) > 1 and "payment_id" in arguments:
        for invoice_id, payment_id in other.payments:
            yield {**base, "invoice_id": invoice_id, "payment_id": payment_id}
    elif len(arguments) > 1 and "quote_id" in arguments:
        for quote_id, item_id in other.quote_items:
            yield {**base, "quote_id": quote_id, "item_id": item_id}
    elif len(arguments) > 1:
        for invoice_id, item_id in other.items:
            yield {**base, "invoice_id": invoice_id, "item_id": item_id}


def missing_values(rule: Rule, own: ClientData) -> Iterator[dict[str, Any]]:
    base = own_values(rule, own)
    arguments = id_arguments(rule)
    for argument in arguments:
        yield {**base, argument: MISSING_ID}
    if len(arguments) > 1:
        yield {**base, **{argument: MISSING_ID for argument in arguments}}


def route_methods(rule: Rule) -> list[str]:
    return [m for m in METHODS if m in (rule.methods or set())]


def unrouted_methods(app: Flask, rule: Rule, path: str) -> list[str]:
    """Methods no rule serves for ``path``: the app must answer them 405."""
    adapter = app.url_map.bind("localhost")
    result = []
    for method in METHODS:
        if method in (rule.methods or set()):
            continue
        try:
            adapter.match(path, method=method)
        except MethodNotAllowed:
            result.append(method)
        except NotFound:  # pragma: no cover - the path was built from this very rule
            raise
    return result


# Outcomes -------------------------------------------------------------------------------------

LOGIN, FORBIDDEN, ALLOWED = "login", "forbidden", "allowed"
#: The API's answer to a request without a bearer token (a session cookie authenticates nothing).
UNAUTHORIZED = "unauthorized"
PORTAL_ROLES = {"portal_a", "portal_inactive_client", "deactivated_portal"}


def expected_outcome(policy: str, role: str) -> str:
    """What the declared policy demands for the role."""
    if policy == "token":
        return UNAUTHORIZED
    if policy == "public":
        return ALLOWED
    if role == "anonymous":
        return LOGIN
    if role.startswith("deactivated"):
        return FORBIDDEN
    if policy == "login":
        return ALLOWED
    if policy == "portal":
        return ALLOWED if role == "portal_a" else FORBIDDEN
    if role in PORTAL_ROLES:
        return FORBIDDEN
    if policy == "staff":
        return ALLOWED
    if policy == "admin":
        return ALLOWED if role == "admin" else FORBIDDEN
    raise AssertionError(f"unknown access policy {policy!r}")


def outcome_problem(response: TestResponse, outcome: str, method: str, policy: str) -> str | None:
    """Why ``response`` is not the outcome demanded, or ``None``."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status >= 500:
        return f"server error {status}"
    if method == "OPTIONS":
        # Flask answers OPTIONS itself with the allowed methods, after the blueprint's access
        # check: either that empty answer or the refusal, never a page.
        if status == 200 and response.get_data() == b"":
            return None
        if outcome != ALLOWED and status in (302, 403):
            return None
        return f"OPTIONS answered {status} with {len(response.get_data())} bytes"
    if outcome == UNAUTHORIZED:
        if status == 401 and response.mimetype == "application/problem+json":
            return None
        return f"expected a 401 problem document, got {status} {response.mimetype}"
    if outcome == LOGIN:
        if status == 302 and urlsplit(location).path == "/login":
            return None
        return f"expected a redirect to /login, got {status} {location}"
    if outcome == FORBIDDEN:
        return None if status == 403 else f"expected 403, got {status} {location}"
    # ALLOWED: the permission check let the request through.
    if status in (401, 403):
        return f"expected access, got {status}"
    if policy != "public" and status == 302 and urlsplit(location).path == "/login":
        return "expected access, got a redirect to /login"
    if method in ("GET", "HEAD"):
        return None if status in (200, 302) else f"expected 200 or a redirect, got {status}"
    return None if status in (200, 302, 303, 400) else f"unexpected {status} for {method}"


# Isolation ------------------------------------------------------------------------------------


def leaked_markers(body: bytes, other: ClientData) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [m for m in other.markers if m and m in text]


def isolation_failures(
    app: Flask, client: FlaskClient, own: ClientData, other: ClientData, token: str
) -> list[str]:
    """Ask every rule with an id argument, with every method it serves, for ``other``'s objects
    and for missing ones, as ``own``'s portal user (``client``). Returns what went wrong: a
    status or body that tells a foreign id from a missing one, or the other client's text."""
    failures: list[str] = []
    checked = 0
    for rule in rules(app):
        if not id_arguments(rule):
            continue
        if policy_of(app, rule) == "token":
            continue  # a session cookie opens no API route (401); tests/api proves its isolation
        if unknown_arguments(rule):
            failures.append(f"{rule.rule}: describe {unknown_arguments(rule)} in ID_KINDS")
            continue
        for method in route_methods(rule):
            if method == "OPTIONS":
                continue
            data = {"csrf_token": token} if method not in ("GET", "HEAD") else None
            references = {}
            for values in missing_values(rule, own):
                path = build_path(rule, values)
                references[path] = client.open(path, method=method, data=data)
            reference = next(iter(references.values()))
            for values in foreign_values(rule, own, other):
                path = build_path(rule, values)
                response = client.open(path, method=method, data=data)
                checked += 1
                if response.status_code != reference.status_code:
                    failures.append(
                        f"{method} {path}: {response.status_code}, but a missing id gives "
                        f"{reference.status_code}"
                    )
                elif response.get_data() != reference.get_data():
                    failures.append(f"{method} {path}: body differs from a missing id's")
                leaked = leaked_markers(response.get_data(), other)
                if leaked:
                    failures.append(f"{method} {path}: shows {leaked}")
            for path, response in references.items():
                if response.status_code != reference.status_code:
                    failures.append(f"{method} {path}: missing ids answer differently")
    if checked == 0:
        failures.append("no rule with an id argument was checked")
    return failures


def query_id_failures(
    client: FlaskClient, paths: Iterable[str], own: ClientData, other: ClientData
) -> list[str]:
    """For portal pages: an ``*_id`` query parameter naming ``other``'s object must be answered
    exactly like one naming nothing, and never show ``other``'s text."""
    failures = []
    for path, name in paths:
        kind = ID_KINDS.get(name)
        if kind is None:
            failures.append(f"{path}: describe query parameter {name} in ID_KINDS")
            continue
        reference = client.get(path, query_string={name: MISSING_ID})
        for foreign_id in other.ids[kind]:
            response = client.get(path, query_string={name: foreign_id})
            if (response.status_code, response.get_data()) != (
                reference.status_code,
                reference.get_data(),
            ):
                failures.append(f"{path}?{name}={foreign_id}: differs from a missing id")
            leaked = leaked_markers(response.get_data(), other)
            if leaked:
                failures.append(f"{path}?{name}={foreign_id}: shows {leaked}")
    return failures


# Parameters a page uses -----------------------------------------------------------------------

_FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_NAME_RE = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
_METHOD_RE = re.compile(r"\bmethod=\"([a-z]+)\"", re.I)
_ACTION_RE = re.compile(r"\baction=\"([^\"]*)\"", re.I)
_HREF_RE = re.compile(r"\bhref=\"([^\"]*)\"", re.I)


def forms(html: str, page_path: str) -> list[tuple[str, str, list[str]]]:
    """(method, action path, field names) of every form on a page."""
    result = []
    for attributes, body in _FORM_RE.findall(html):
        method_match = _METHOD_RE.search(attributes)
        action_match = _ACTION_RE.search(attributes)
        method = (method_match.group(1) if method_match else "get").upper()
        action = action_match.group(1).replace("&amp;", "&") if action_match else ""
        action_path = urlsplit(action).path or page_path
        names = list(dict.fromkeys(_NAME_RE.findall(body)))
        result.append((method, action_path, names))
    return result


def query_names(html: str, page_path: str) -> set[str]:
    """Query parameters the page itself uses: fields of its GET forms and the query strings
    of its links back to the same path."""
    names: set[str] = set()
    for method, action, fields in forms(html, page_path):
        if method == "GET" and action == page_path:
            names.update(fields)
    for href in _HREF_RE.findall(html):
        parts = urlsplit(href.replace("&amp;", "&"))
        if parts.path in ("", page_path) and parts.query:
            names.update(p.split("=", 1)[0] for p in parts.query.split("&") if p)
    return names


# Database snapshots ---------------------------------------------------------------------------


#: What any request may write on the side, by design, and a snapshot leaves out: the audit
#: trail records reads (an invoice viewed) and refusals (a failed sign-in), a session's
#: last-seen time and an API token's last use follow their requests, and opening a comment
#: thread marks it read (timetracker/sidewrites.py). What the trail records is
#: tested in tests/audit/ and tests/auth/.
SIDE_TABLES = {"audit_events", "comment_reads"}
SIDE_COLUMNS = {
    ("user_sessions", "last_seen_at"),
    ("api_tokens", "last_used_at"),
    ("api_tokens", "last_used_ip"),
}


def snapshot(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (but the side records above): equal snapshots mean nothing
    was written."""
    session.expire_all()
    result = {}
    for table in Base.metadata.sorted_tables:
        if table.name in SIDE_TABLES:
            continue
        columns = [c for c in table.columns if (table.name, c.name) not in SIDE_COLUMNS]
        order = list(table.primary_key.columns) or list(table.columns)
        rows = session.execute(select(*columns).order_by(*order)).all()
        result[table.name] = [tuple(row) for row in rows]
    return result


def row_counts(snap: dict[str, list[tuple[Any, ...]]]) -> dict[str, int]:
    return {name: len(rows) for name, rows in snap.items()}
