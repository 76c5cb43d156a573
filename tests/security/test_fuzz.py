"""Fuzzing with Hypothesis: arbitrary strings, huge numbers, unicode, empty and repeated
parameters to every GET route (query string and path ids) and arbitrary fields to every form.
The only acceptable answers are 2xx, 3xx, 400, 404, 405 and 413 (never a 5xx, and never a 403
for a role the route admits: routes scoped to the signed-in person (``OWNER_SCOPED``) answer 404
for someone else's object, exactly as for a missing one); a GET never writes, and a rejected POST
writes nothing (every row of every table is compared).

The examples are derandomised (the ``timetracker`` Hypothesis profile of ``tests/conftest.py``):
every run tries the same inputs, so the outcome does not depend on luck.

Routes come from ``app.url_map``; the parameters and fields of each come from the pages
themselves (their GET forms, their links and their POST forms), plus names Hypothesis makes up.
``TIMETRACKER_FUZZ_EXAMPLES`` raises the number of examples per route (default 25).
"""

from __future__ import annotations

import os
from collections import Counter
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from tests.security import harness
from tests.security.harness import (
    build_path,
    build_world,
    expected_outcome,
    forms,
    own_values,
    policy_of,
    query_names,
    route_methods,
    rules,
    sign_in,
    snapshot,
    token_for,
)

#: Every route with every value: minutes of work, run by `make test-exhaustive` (and .ci/run).
pytestmark = pytest.mark.exhaustive

EXAMPLES = int(os.environ.get("TIMETRACKER_FUZZ_EXAMPLES", "25"))
ACCEPTABLE = {400, 404, 405, 413}
#: Routes whose object is looked up with the signed-in person in the query (staff change only
#: their own time entries: ``workspace.time.queries.entry_to_change``). A fuzzed id there may name
#: another person's entry: it is not found (404), exactly like a missing id, never a 403.
OWNER_SCOPED = {
    "/time/<int:entry_id>/edit",
    "/time/<int:entry_id>/delete",
}
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "00000000000000000000001",
    "9" * 400,
    "1e309",
    "NaN",
    "-inf",
    "1.5",
    "0x10",
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "9999-12-31",
    "2026-03-01T25:61",
    "\x00",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "１２３",
    "٣٤",
    "\u202e",
    "😀" * 50,
    "true",
    "all",
    "paid",
]

values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=80),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(str),
    st.text(alphabet="0123456789-.,", max_size=30),
)
invented_names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12
)


def pairs(names: list[str]):
    """Lists of (name, value): names repeat, some are made up, values may be empty."""
    name = st.sampled_from(names) if names else invented_names
    return st.lists(st.tuples(st.one_of(name, invented_names), values), max_size=8)


def role_for(policy: str) -> str:
    return {
        "public": "anonymous",
        "portal": "portal_a",
        "staff": "staff",
        "login": "staff",
        "admin": "admin",
    }[policy]


def _foreign_ids(rule, other) -> list[int]:
    """Ids (in ``id_arguments`` order) of ``other``'s last object of each kind: for staff, a
    time entry of another person; for a portal user, another client's objects."""
    values = {a: other.ids[harness.ID_KINDS[a]][-1] for a in harness.id_arguments(rule)}
    if "invoice_id" in values and "item_id" in values:
        values["invoice_id"], values["item_id"] = other.items[-1]
    if "quote_id" in values and "item_id" in values:
        values["quote_id"], values["item_id"] = other.quote_items[-1]
    return [values[a] for a in harness.id_arguments(rule)]


def _query_fuzzer(client, rule, path, own, names, problems, counted, known_ids, foreign):
    id_args = harness.id_arguments(rule)
    # Ids of real objects (the role's own and everyone else's) as well as arbitrary numbers.
    an_id = st.one_of(st.sampled_from(known_ids), st.integers(min_value=0, max_value=10**30))

    @FUZZ_SETTINGS
    @given(
        query=pairs(names),
        ids=st.lists(an_id, min_size=3, max_size=3),
        use_ids=st.booleans(),
    )
    def fuzz(query, ids, use_ids):
        target = path
        if use_ids and id_args:
            target = build_path(rule, {**own, **dict(zip(id_args, ids, strict=False))})
        url = target + "?" + urlencode(query)
        counted[rule.rule] += 1
        _check(client.get(url), problems, f"GET {url!r}")

    if id_args:
        # Always tried, whatever Hypothesis draws: someone else's objects and missing ones.
        for chosen in (foreign, [harness.MISSING_ID] * len(id_args)):
            ids = (chosen + [0, 0, 0])[:3]
            fuzz = example(query=[], ids=ids, use_ids=True)(fuzz)
    return fuzz


def _form_fuzzer(connection, session, client, path, names, problems, counted, rejected):
    token = token_for(client)

    @FUZZ_SETTINGS
    @given(fields=pairs(names), drop=st.sets(st.sampled_from(names)) if names else st.just(set()))
    def fuzz(fields, drop):
        data = MultiDict([(n, "") for n in names if n not in drop] + list(fields))
        data.setlist("csrf_token", [token])
        saved = client.get_cookie("session")
        savepoint = connection.begin_nested()
        try:
            before = snapshot(session)
            session.commit()  # ends the reading session's own savepoint inside ours
            response = client.post(path, data=data)
            counted[path] += 1
            _check(response, problems, f"POST {path} {list(data.items(multi=True))!r}")
            if response.status_code >= 400:
                rejected[path] += 1
                if snapshot(session) != before:
                    problems.append(f"POST {path} answered {response.status_code} but wrote")
            session.commit()
        finally:
            savepoint.rollback()
            if saved is not None:  # a logout or a password change replaced the session
                client.set_cookie("session", saved.value)

    return fuzz


@pytest.fixture
def world(app, session):
    return build_world(app, session)


@pytest.fixture
def no_rate_limits(monkeypatch):
    """The fuzzer posts the login form hundreds of times; rate limits have their own tests."""
    harness.without_rate_limits(monkeypatch)


def _check(response, problems: list[str], label: str) -> None:
    response.get_data()
    response.close()
    status = response.status_code
    if not (200 <= status < 400 or status in ACCEPTABLE):
        problems.append(f"{label}: {status}")


def test_owner_scoped_routes_answer_404_for_another_persons_entry_exactly_like_a_missing_one(
    app, session, world, no_rate_limits, frozen_clock
):
    """``OWNER_SCOPED`` names real routes; for staff, each answers 404 for another person's
    entry with the same body as for an id that does not exist, and serves the person's own.
    The pages carry a CSRF token signed with the current second: ``frozen_clock`` keeps the two
    answers byte for byte comparable."""
    by_rule = {rule.rule: rule for rule in rules(app)}
    assert not OWNER_SCOPED - by_rule.keys(), "OWNER_SCOPED names unknown routes"
    client = sign_in(app, session, world, "staff")
    token = token_for(client)
    for name in sorted(OWNER_SCOPED):
        rule = by_rule[name]
        method = "GET" if "GET" in route_methods(rule) else "POST"
        data = {"csrf_token": token} if method == "POST" else None
        own = own_values(rule, world.sierra)
        # The Sierra entry of another person (``build_client``'s worker), and Staff Member's own.
        others = build_path(rule, {**own, "entry_id": world.sierra.ids["entry"][1]})
        missing = build_path(rule, {**own, "entry_id": harness.MISSING_ID})
        foreign = client.open(others, method=method, data=data)
        absent = client.open(missing, method=method, data=data)
        assert (foreign.status_code, absent.status_code) == (404, 404), others
        assert foreign.get_data() == absent.get_data(), others
        if method == "GET":
            assert client.get(build_path(rule, own)).status_code == 200, name


def test_get_routes_survive_arbitrary_query_strings_and_ids(app, session, world, no_rate_limits):
    clients = {}
    counted: Counter[str] = Counter()
    known_ids = sorted(
        {i for data in (world.a, world.b, world.sierra) for ids in data.ids.values() for i in ids}
    )
    for rule in rules(app):
        if "GET" not in route_methods(rule) or policy_of(app, rule) == "token":
            continue  # the API: fuzzed with a token from its schema (tests/api/test_schema_fuzz.py)
        policy = policy_of(app, rule)
        role = role_for(policy)
        assert expected_outcome(policy, role) == harness.ALLOWED
        if role not in clients:
            clients[role] = sign_in(app, session, world, role)
        client = clients[role]
        own = world.a if policy == "portal" else world.sierra
        path = build_path(rule, own_values(rule, own))
        page = client.get(path)
        html = page.get_data(as_text=True) if page.mimetype == "text/html" else ""
        names = sorted(query_names(html, path) | {"page"})
        page.close()
        problems: list[str] = []
        before = snapshot(session)
        fuzz = _query_fuzzer(
            client,
            rule,
            path,
            own_values(rule, own),
            names,
            problems,
            counted,
            known_ids,
            _foreign_ids(rule, world.b),
        )
        fuzz()
        assert problems == [], "\n".join(problems[:10])
        assert snapshot(session) == before, f"a GET of {rule.rule} wrote to the database"
    print(f"\nfuzz GET: {len(counted)} routes, {sum(counted.values())} requests")


def _form_fields(app, world, clients) -> dict[str, set[str]]:
    """Field names of every POST form on every page the roles can open, by action path."""
    fields: dict[str, set[str]] = {}
    for rule in rules(app):
        if "GET" not in route_methods(rule) or policy_of(app, rule) == "token":
            continue
        policy = policy_of(app, rule)
        client = clients[role_for(policy)]
        own = world.a if policy == "portal" else world.sierra
        path = build_path(rule, own_values(rule, own))
        response = client.get(path)
        if response.mimetype == "text/html":
            for method, action, names in forms(response.get_data(as_text=True), path):
                if method == "POST":
                    fields.setdefault(action, set()).update(names)
        response.close()
    return fields


def test_every_form_survives_arbitrary_fields_and_a_rejected_one_writes_nothing(
    app, connection, session, world, no_rate_limits
):
    clients = {role: sign_in(app, session, world, role) for role in ("anonymous", "staff", "admin")}
    clients["portal_a"] = sign_in(app, session, world, "portal_a")
    known = _form_fields(app, world, clients)
    counted: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    problems: list[str] = []
    for rule in rules(app):
        if "POST" not in route_methods(rule) or policy_of(app, rule) == "token":
            continue
        policy = policy_of(app, rule)
        role = role_for(policy)
        client = clients[role]
        own = world.a if policy == "portal" else world.sierra
        path = build_path(rule, own_values(rule, own))
        names = sorted(known.get(path, set()) - {"csrf_token"})
        route_problems: list[str] = []
        fuzz = _form_fuzzer(
            connection, session, client, path, names, route_problems, counted, rejected
        )
        fuzz()
        problems += route_problems[:3]
    assert problems == [], "\n".join(p[:300] for p in problems)
    print(
        f"\nfuzz POST: {len(counted)} routes, {sum(counted.values())} requests, "
        f"{sum(rejected.values())} rejected"
    )
