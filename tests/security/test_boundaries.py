"""The boundary table: every route, every value it takes, every boundary of that value's kind.

Routes come from ``app.url_map``; the values of each are its path arguments, the query parameters
its pages use (their GET forms and their links) and the fields of the POST forms that point at it
(found on the pages each role can open, so staff and administrators each post the forms they
see). Each value is classified into a kind by its name and its input type (``KIND_BY_NAME``,
``KIND_BY_TYPE``), and is sent every boundary of that kind (``BOUNDARIES``) while the route's
other values keep a valid value (what the form shows, or ``FILL`` where the form is empty), as
each role that may use the route, with a valid CSRF token for a POST.

Nothing here is random: the same requests are made on every run, on SQLite and on PostgreSQL.
The answers must never be a 5xx; a refused request (4xx) must write nothing; no GET writes;
a date outside the supported range is refused with a message that names the range.

Writes are detected cheaply and soundly: every statement the application runs goes through the
test's connection, and only a request that ran a statement other than a read (``_Statements``)
has its database compared, every row of every table, with the snapshot taken before.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from tests.factories import PASSWORD, make_entry, make_no_access_user
from tests.security import harness
from tests.security.harness import (
    ClientData,
    World,
    build_path,
    build_world,
    own_values,
    policy_of,
    query_names,
    route_methods,
    rules,
    sign_in,
    snapshot,
    token_for,
)
from timetracker.config import ConfigError, load_config
from timetracker.models import Invoice, Project, ProjectNote
from timetracker.parsing import DATE_RANGE_TEXT

#: Every route with every value: minutes of work, run by `make test-exhaustive` (and .ci/run).
pytestmark = pytest.mark.exhaustive

# The table ------------------------------------------------------------------------------------

#: Out of the supported range (1900-01-01 to 9998-12-31): always refused, naming the range.
OUT_OF_RANGE_DATES = ["0001-01-01", "1899-12-31", "9999-01-01", "9999-12-31"]
DATES = [
    "0001-01-01",
    "1899-12-31",
    "1900-01-01",
    "1900-01-02",
    "9998-12-30",
    "9998-12-31",
    "9999-01-01",
    "9999-12-31",
    "2024-02-29",
    "2023-02-29",
    "2023-13-01",
    "2023-04-31",
    "",
]
NUMBERS = [
    "0",
    "-1",
    "1",
    str(2**31 - 1),
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(10**30),
    "007",
    "\u0663",  # ARABIC-INDIC DIGIT THREE
    "\uff13",  # FULLWIDTH DIGIT THREE
    "1e3",
    " 1",
    "1.5",
]
TEXTS = ["", "x" * 10_000, "a\x00b", "\u202eevil", "\U0001f600" * 40]
TIMES = ["00:00", "23:59", "24:00", "23:60", "-01:00", "9:5", "\u0660\u0669:\u0660\u0660", ""]
DURATIONS = [*NUMBERS, "0:00", "0:01", "24:00", "24:01", "1:60", "99999999999999:00"]
COLOURS = ["#000000", "#FFFFFF", "#fff", "red", "#GGGGGG", "#1234567", "#12345\u0663", ""]
REDIRECTS = ["\t/evil.example", "/time\r\nSet-Cookie: x=1", "/time\n", "//evil.example", "/time"]
BOUNDARIES: dict[str, list[str]] = {
    "date": DATES,
    "number": NUMBERS,
    "id": NUMBERS,  # and the ids of the world's objects (``_object_ids``)
    "time": TIMES,
    "duration": DURATIONS,
    "colour": COLOURS,
    "redirect": REDIRECTS,
    "text": TEXTS,
}
#: The hardest boundaries of each kind: sent as every further role that may use a route (the
#: whole table is sent as the first role of ``ROLES_BY_POLICY``, the one with the least rights).
EDGES: dict[str, list[str]] = {
    "date": ["0001-01-01", "9999-12-31", "2023-02-29", ""],
    "number": ["-1", str(2**31), str(10**30), "\u0663"],
    "id": ["0", str(2**31), str(10**30), "\u0663"],
    "time": ["24:00", ""],
    "duration": ["24:01", "0"],
    "colour": ["#GGGGGG", ""],
    "redirect": ["\t/evil.example"],
    "text": ["x" * 10_000, "a\x00b"],
}
#: Invalid UTF-8, as the client sends it: a lone byte raw, and an encoded surrogate (U+D800)
#: raw and percent-encoded.
RAW_TEXTS = ["\xff", "\xed\xa0\x80", "%ED%A0%80"]

KIND_BY_TYPE = {"date": "date", "number": "number", "time": "time", "color": "colour"}
KIND_BY_NAME = {
    **dict.fromkeys(
        ["date_from", "date_to", "day", "week", "issue_date", "due_date", "paid_on"], "date"
    ),
    **dict.fromkeys(
        [
            "page",
            "payment_terms",
            "payment_terms_days",
            "invoice_rounding_minutes",
            "audit_retention_days",
            "quantity",
            "unit_price",
            "amount",
            "hourly_rate",
            "default_hourly_rate",
            "budget_hours",
            "budget_amount",
            "tax_rate",
        ],
        "number",
    ),
    **dict.fromkeys(["project", "client", "user"], "id"),
    **dict.fromkeys(["start", "end"], "time"),
    "duration": "duration",
    "portal_accent_color": "colour",
    "next": "redirect",
}
#: The kind of object an id value names (``harness.ID_KINDS`` for the ``*_id`` names).
OBJECT_OF = {"project": "project", "client": "client", "user": "user", **harness.ID_KINDS}
#: Valid values for fields a form shows empty, so that the field under test is what decides.
FILL = {
    "end": "10:30",
    "description": "Boundary line",
    "quantity": "1",
    "unit_price": "10.00",
    "message": "On track this week.",
    "body": "A boundary note.",
    "name": "Boundary Name",
    "email": "boundary@firm.example",
    "currency": "EUR",
    "default_hourly_rate": "90",
    "current_password": PASSWORD,
    "new_password": "another-long-password-2",
    "confirm": "another-long-password-2",
}
#: Checkboxes ticked for the baseline (the make-staff confirmation).
TICK = {"confirm"}
#: Who may use a route of each access policy.
ROLES_BY_POLICY = {
    "public": ("anonymous", "portal_a", "staff", "admin"),
    "login": ("portal_a", "staff", "admin"),
    "portal": ("portal_a",),
    "staff": ("staff", "admin"),
    "admin": ("admin",),
    # The API opens to bearer tokens only (a cookie gets 401): its parameters are fuzzed by
    # schemathesis from its OpenAPI document (tests/api/test_schema_fuzz.py).
    "token": (),
}
ROLES = ("anonymous", "portal_a", "staff", "admin")
#: Lists that must be found to take ``page`` (a check that the discovery finds parameters).
PAGED = {
    "/admin/users",
    "/client-portal/invoices",
    "/client-portal/time-entries",
    "/clients",
    "/invoices",
    "/projects",
    "/reports",
    "/time",
}


def kind_of(name: str, input_type: str | None = None) -> str:
    """The kind of a value, by its input type first, then by its name (``pw-`` style prefixes
    of the account forms dropped)."""
    if input_type in KIND_BY_TYPE:
        return KIND_BY_TYPE[input_type]
    base = name.rsplit("-", 1)[-1]
    if base in KIND_BY_NAME:
        return KIND_BY_NAME[base]
    return "id" if base.endswith("_id") else "text"


# Forms of the pages ---------------------------------------------------------------------------

_FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_INPUT_RE = re.compile(r"<input\b([^>]*)>", re.I)
_SELECT_RE = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S | re.I)
_TEXTAREA_RE = re.compile(r"<textarea\b([^>]*)>(.*?)</textarea>", re.S | re.I)
_OPTION_RE = re.compile(r"<option\b([^>]*)>", re.I)
_ATTR_RE = re.compile(r'([a-z-]+)(?:="([^"]*)")?', re.I)


def _attributes(text: str) -> dict[str, str]:
    return {k.lower(): html_lib.unescape(v or "") for k, v in _ATTR_RE.findall(text)}


@dataclass
class Form:
    """A POST form as a page shows it: its action, its fields' values and input types."""

    action: str
    values: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)


def post_forms(page: str, page_path: str) -> list[Form]:
    result = []
    for attributes, body in _FORM_RE.findall(page):
        attrs = _attributes(attributes)
        if attrs.get("method", "get").lower() != "post":
            continue
        form = Form(urlsplit(attrs.get("action", "")).path or page_path)
        for tag in _INPUT_RE.findall(body):
            a = _attributes(tag)
            name, kind = a.get("name"), a.get("type", "text").lower()
            if not name or kind == "submit":
                continue
            form.types[name] = kind
            if kind == "checkbox":
                if "checked" in a or name in TICK:
                    form.values[name] = a.get("value") or "y"
            else:
                form.values[name] = a.get("value", "")
        for select_attrs, options in _SELECT_RE.findall(body):
            name = _attributes(select_attrs).get("name")
            choices = [_attributes(o) for o in _OPTION_RE.findall(options)]
            chosen = [c for c in choices if "selected" in c] or [
                c for c in choices if c.get("value")
            ]
            if name:
                form.types[name] = "select"
                form.values[name] = chosen[0].get("value", "") if chosen else ""
        for textarea_attrs, content in _TEXTAREA_RE.findall(body):
            name = _attributes(textarea_attrs).get("name")
            if name:
                form.types[name] = "textarea"
                form.values[name] = html_lib.unescape(content).strip()
        for name, value in list(form.values.items()):
            base = name.rsplit("-", 1)[-1]
            if not value and base in FILL:
                form.values[name] = FILL[base]
        result.append(form)
    return result


# Writes ---------------------------------------------------------------------------------------

_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT", "PRAGMA", "SHOW", "SET")


class _Statements:
    """Counts the statements on the test's connection that may have written."""

    def __init__(self, connection: Connection) -> None:
        self.writes = 0
        event.listen(connection, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        words = statement.lstrip().split(None, 1)
        if not words or words[0].upper() not in _READS:
            self.writes += 1


# The run --------------------------------------------------------------------------------------


@dataclass
class Run:
    app: Flask
    connection: Connection
    session: Session
    world: World
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]
    baseline: dict[str, list[tuple[Any, ...]]]
    statements: _Statements
    #: client id -> invoice status -> the client's invoice in that status.
    invoices: dict[int, dict[str, int]]
    problems: list[str] = field(default_factory=list)
    counted: Counter[str] = field(default_factory=Counter)
    #: path -> the query parameters found for it.
    queried: dict[str, set[str]] = field(default_factory=dict)

    def own(self, role: str) -> ClientData:
        return self.world.a if role == "portal_a" else self.world.sierra

    def object_ids(self, role: str, name: str) -> list[str]:
        """Ids of real objects of the kind ``name`` names: another client's, and of the role's
        own a draft and a cancelled invoice and an archived project."""
        kind = OBJECT_OF.get(name.rsplit("-", 1)[-1])
        if kind is None:
            return []
        ids = [self.world.b.ids[kind][0]]
        own = self.own(role)
        if kind == "invoice":
            ids += [self.invoices[own.client.id][s] for s in ("draft", "cancelled")]
        if kind == "project":
            ids.append(own.ids["project"][1])  # ``build_client``'s archived project
        return [str(i) for i in ids]

    def values(self, role: str, name: str, kind: str, *, whole: bool = True) -> list[str]:
        extra = self.object_ids(role, name) if kind == "id" and whole else []
        return (BOUNDARIES if whole else EDGES)[kind] + extra

    def send(
        self, role: str, method: str, path: str, label: str, value: str, kind: str, **kw: Any
    ) -> int:
        """One request; its answer and what it wrote are checked. Returns its status."""
        client = self.clients[role]
        saved = client.get_cookie("session")
        # A GET writes nothing (checked below): only a POST runs in a savepoint of its own.
        savepoint = None
        if method != "GET":
            self.session.commit()  # ends the reading session's own savepoint, outside ours
            savepoint = self.connection.begin_nested()
        try:
            before = self.statements.writes
            response = client.open(path, method=method, **kw)
            body = response.get_data()
            response.close()
            status = response.status_code
            self.counted[method] += 1
            where = f"{role} {method} {path} {label}={value[:40]!r}"
            if status >= 500:
                self.problems.append(f"{where}: {status}")
            wrote = self.statements.writes != before
            if wrote and (method == "GET" or status >= 400):
                if snapshot(self.session) != self.baseline:
                    self.problems.append(f"{where}: answered {status} but wrote")
                self.session.commit()
            if kind == "date" and value in OUT_OF_RANGE_DATES and status < 404:
                if status != 400:
                    self.problems.append(f"{where}: a date out of range answered {status}")
                elif response.mimetype == "text/html" and DATE_RANGE_TEXT.encode() not in body:
                    self.problems.append(f"{where}: the refusal does not name the range")
            if kind == "raw" and status != 400:
                self.problems.append(f"{where}: invalid UTF-8 answered {status}")
            return status
        finally:
            if savepoint is not None:
                savepoint.rollback()
            if saved is not None:  # a logout or a password change replaced the session
                client.set_cookie("session", saved.value)


@pytest.fixture
def run(app: Flask, connection: Connection, session: Session, monkeypatch: Any) -> Iterator[Run]:
    harness.without_rate_limits(monkeypatch)
    # One row a page: every list links to its next page, so ``page`` is found like any other
    # query parameter, on exactly the pages that read it.
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    world = build_world(app, session)
    # A note to edit and delete, and an account without access to make staff.
    project_id = world.sierra.ids["project"][0]
    session.add(ProjectNote(project_id=project_id, body="Sierra boundary note"))
    make_no_access_user(session, name="No Access", email="none@firm.example")
    # Time this month (the reports' default range) on two clients: the report has two pages.
    midnight = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for data in (world.sierra, world.b):
        project = session.get(Project, data.ids["project"][0])
        make_entry(session, project, world.users["staff"], start=midnight, minutes=1)
    session.commit()
    clients = {role: sign_in(app, session, world, role) for role in ROLES}
    tokens = {role: token_for(clients[role]) for role in ROLES}
    invoices: dict[int, dict[str, int]] = {}
    for invoice in session.scalars(select(Invoice)):
        invoices.setdefault(invoice.client_id, {})[str(invoice.status)] = invoice.id
    statements = _Statements(connection)
    yield Run(
        app, connection, session, world, clients, tokens, snapshot(session), statements, invoices
    )
    event.remove(connection, "before_cursor_execute", statements._seen)


def _roles(app: Flask, rule: Rule) -> tuple[str, ...]:
    return ROLES_BY_POLICY[str(policy_of(app, rule))]


def _pages(run: Run, role: str) -> Iterator[tuple[Rule, str]]:
    """Every GET path the role may open, once per object of its own of each id argument (each
    invoice shows the forms of its state: lines on a draft, payments on a sent one)."""
    for rule in rules(run.app):
        if "GET" not in route_methods(rule) or role not in _roles(run.app, rule):
            continue
        own = run.own(role)
        base = own_values(rule, own)
        arguments = harness.id_arguments(rule)
        variants = [base]
        if arguments == ["invoice_id", "item_id"]:
            variants = [{**base, "invoice_id": i, "item_id": t} for i, t in own.items]
        elif len(arguments) == 1:
            name = arguments[0]
            variants = [{**base, name: i} for i in own.ids[harness.ID_KINDS[name]]]
        for values in variants:
            yield rule, build_path(rule, values)


def _discover(run: Run, role: str) -> tuple[dict[str, list[str]], dict[str, Form]]:
    """The query names of each GET path, and the first form the role is shown for each POST
    rule (by endpoint)."""
    adapter = run.app.url_map.bind("localhost")
    queries: dict[str, list[str]] = {}
    posts: dict[str, Form] = {}
    for _rule, path in _pages(run, role):
        response = run.clients[role].get(path)
        page = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        queries.setdefault(path, sorted(query_names(page, path)))
        for form in post_forms(page, path):
            endpoint, _ = adapter.match(form.action, method="POST")
            posts.setdefault(str(endpoint), form)
    return queries, posts


def _path_values(run: Run, role: str, rule: Rule, whole: bool) -> Iterator[tuple[str, str, str]]:
    """(path, argument, value) for every boundary of every id argument of the rule."""
    own = own_values(rule, run.own(role))
    for argument in harness.id_arguments(rule):
        for value in run.values(role, argument, "id", whole=whole):
            values = {**own, argument: quote(value, safe="")}
            yield build_path(rule, values), argument, value


def test_every_route_and_value_at_the_boundaries_of_its_kind(run: Run) -> None:
    app = run.app
    for role in ROLES:
        queries, posts = _discover(run, role)
        for path, names in queries.items():
            run.queried.setdefault(path, set()).update(names)
        for rule in rules(app):
            roles = _roles(app, rule)
            if role not in roles or rule.endpoint == "static":
                continue
            whole = role == roles[0]
            own_path = build_path(rule, own_values(rule, run.own(role)))
            form = posts.get(rule.endpoint)
            fields = dict(form.values) if form else {}
            fields["csrf_token"] = run.tokens[role]
            for method in [m for m in route_methods(rule) if m in ("GET", "POST")]:
                data = fields if method == "POST" else None
                for path, argument, value in _path_values(run, role, rule, whole):
                    run.send(role, method, path, argument, value, "id", data=data)
                if method == "GET":
                    for name in queries.get(own_path, []):
                        _query(run, role, own_path, name, whole)
                else:
                    post_path = form.action if form else own_path
                    for name in sorted(set(fields) - {"csrf_token"}):
                        input_type = form.types.get(name) if form else None
                        _field(run, role, post_path, name, input_type, fields, whole)
    assert run.problems == [], "\n".join(run.problems[:40])
    assert snapshot(run.session) == run.baseline
    print(f"\nboundaries: {dict(run.counted)} requests")
    paged = {path for path, names in run.queried.items() if "page" in names}
    assert paged >= PAGED, " ".join(sorted(paged))


def _query(run: Run, role: str, path: str, name: str, whole: bool) -> None:
    """Every boundary of a query parameter; for text, invalid UTF-8 too (400)."""
    kind = kind_of(name)
    for value in run.values(role, name, kind, whole=whole):
        run.send(role, "GET", path, name, value, kind, query_string={name: value})
    if kind == "text" and whole:
        for text in RAW_TEXTS:
            environ = {"QUERY_STRING": f"{name}={text}"}
            run.send(role, "GET", path, name, text, "raw", environ_overrides=environ)


def _field(
    run: Run,
    role: str,
    path: str,
    name: str,
    input_type: str | None,
    fields: dict[str, str],
    whole: bool,
) -> None:
    """Every boundary of a form field, the others valid; for text, invalid UTF-8 too (400)."""
    kind = kind_of(name, input_type)
    for value in run.values(role, name, kind, whole=whole):
        run.send(role, "POST", path, name, value, kind, data={**fields, name: value})
    if kind == "text" and whole:
        rest = urlencode({k: v for k, v in fields.items() if k != name}).encode()
        for text in RAW_TEXTS:
            body = rest + b"&" + name.encode() + b"=" + text.encode("latin-1")
            kw = {"data": body, "content_type": "application/x-www-form-urlencoded"}
            run.send(role, "POST", path, name, text, "raw", **kw)


# Regressions ----------------------------------------------------------------------------------


def test_a_raw_non_utf8_byte_in_the_query_string_is_refused_on_every_route(run: Run) -> None:
    """Every route and method, as a role that may use it: a raw byte 0xFF, a percent-encoded
    one, and an encoded surrogate in the query string answer 400 and write nothing."""
    checked = 0
    for rule in rules(run.app):
        # The API is asked without its token: the bytes are refused before anything else.
        role = (_roles(run.app, rule) or ("anonymous",))[0]
        path = build_path(rule, own_values(rule, run.own(role)))
        for method in route_methods(rule):
            if method == "OPTIONS":
                continue
            data = {"csrf_token": run.tokens[role]} if method not in ("GET", "HEAD") else None
            for query in ("q=\xff", "\xff=1", "q=%FF", "q=%ED%A0%80"):
                response = run.clients[role].open(
                    path, method=method, data=data, environ_overrides={"QUERY_STRING": query}
                )
                response.close()
                assert response.status_code == 400, (method, path, query)
                checked += 1
    assert checked > 50
    assert snapshot(run.session) == run.baseline


def test_a_one_character_secret_key_is_refused_outside_development(monkeypatch: Any) -> None:
    """Issue 12: a SECRET_KEY of one character signed sessions in production."""
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.delenv("TIMETRACKER_DEV", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match=r"too short \(1 bytes\)"):
        load_config()
    monkeypatch.setenv("TIMETRACKER_DEV", "1")
    assert load_config()["SECRET_KEY"] == "x"


@pytest.mark.parametrize("target", ["\t/evil.example", "/time\r\nSet-Cookie: x=1", "/time\n"])
def test_next_with_a_leading_tab_or_cr_lf_falls_back_to_the_default(run: Run, target: str) -> None:
    """Issue 12: ``next`` with a leading tab (a browser drops it: ``//evil.example``) or with
    CR/LF (a second header) redirected there. Login and the workspace forms use the one check."""
    anonymous = run.clients["anonymous"]
    response = anonymous.post(
        "/login",
        query_string={"next": target},
        data={
            "email": run.world.users["staff"].email,
            "password": PASSWORD,
            "csrf_token": run.tokens["anonymous"],
        },
    )
    assert (response.status_code, response.headers["Location"]) == (302, "/dashboard")
    staff = run.clients["staff"]
    project_id = run.world.sierra.ids["project"][0]
    for path, data in (
        ("/time/timer/start", {"project": project_id}),
        ("/time/timer/stop", {}),
    ):
        fields = {**data, "next": target, "csrf_token": run.tokens["staff"]}
        response = staff.post(path, data=fields)
        assert (response.status_code, response.headers["Location"]) == (302, "/time"), path


def _spellings(number: int) -> list[str]:
    digits = str(number)
    return [
        digits.translate(
            str.maketrans(
                "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
            )
        ),
        digits.translate(
            str.maketrans(
                "0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"
            )
        ),
        f"+{digits}",
        f"{digits}.0",
        f"{digits}e0",
        f"{digits[:1]} {digits[1:]}" if len(digits) > 1 else f"{digits}_",
    ]


def test_ids_in_query_strings_and_forms_are_ascii_digits(run: Run) -> None:
    """Issue 12: Arabic-Indic and fullwidth digits named a record. In a path they answer 404
    (``test_defects.test_ids_in_urls_are_canonical_ascii``, leading zeros included); in a query
    string or a form field they choose nothing and answer 400, while the ASCII id (leading
    zeros read as the same number) chooses the record."""
    client, token = run.clients["staff"], run.tokens["staff"]
    project_id = run.world.sierra.ids["project"][0]
    for text in (str(project_id), f"00{project_id}"):
        assert client.get("/time", query_string={"project": text}).status_code == 200, text
    for text in _spellings(project_id):
        assert client.get("/time", query_string={"project": text}).status_code == 400, text
        response = client.post("/time/timer/start", data={"project": text, "csrf_token": token})
        assert response.status_code == 400, text
    assert snapshot(run.session) == run.baseline
