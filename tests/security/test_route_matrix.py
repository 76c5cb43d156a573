"""The route matrix: every URL rule of the app x every role x every method, checked against the
``access_policy`` its view declares; CSRF on every POST; and client isolation on every rule that
takes an id. Rules come from ``app.url_map``, so a new route is covered the day it lands."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from urllib.parse import urlsplit

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from tests.security import harness
from tests.security.harness import (
    ALLOWED,
    ID_KINDS,
    MISSING_ID,
    ROLES,
    build_path,
    build_world,
    expected_outcome,
    isolation_failures,
    outcome_problem,
    own_values,
    policy_of,
    route_methods,
    rules,
    sign_in,
    snapshot,
    token_for,
    unknown_arguments,
    unrouted_methods,
)
from timetracker.auth.access import public
from timetracker.models import Invoice, InvoiceStatus, Project
from timetracker.portal.scope import PortalScope
from timetracker.security import CONTENT_SECURITY_POLICY

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def world(session):
    return build_world(session)


@pytest.fixture
def frozen_clock(monkeypatch):
    """CSRF tokens are signed with a timestamp: with the clock stopped, two answers that should
    be identical are identical to the byte. (Rate limits are off: see ``without_rate_limits``.)"""
    harness.without_rate_limits(monkeypatch)
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        yield


def header_problems(response) -> list[str]:
    headers = response.headers
    problems = []
    csp = headers.get("Content-Security-Policy", "")
    if csp != CONTENT_SECURITY_POLICY or "unsafe-inline" in csp:
        problems.append(f"CSP {csp!r}")
    if "frame-ancestors 'none'" not in csp:
        problems.append("no frame-ancestors 'none'")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options")
    if not headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    return problems


# Every view declares its policy ---------------------------------------------------------------


def test_every_rule_declares_an_access_policy(app):
    assert harness.undeclared_rules(app) == []
    assert [r.rule for r in rules(app) if unknown_arguments(r)] == []


def test_a_route_without_a_policy_is_caught(app):
    """The check above bites: a view added without an access decorator is reported."""
    other = harness.sibling_app(app)
    other.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    other.add_url_rule("/declared", "declared", public(lambda: "fine"))
    try:
        assert harness.undeclared_rules(other) == ["/forgotten (forgotten)"]
    finally:
        other.extensions["timetracker.engine"].dispose()


# The matrix -----------------------------------------------------------------------------------


def _plan(app: Flask, world) -> list[tuple[str, str, str, str]]:
    """(method, path, policy, rule) for every rule and method; safe methods first, so that the
    writes an allowed role makes cannot change what the reads see."""
    plan = []
    for rule in rules(app):
        policy = policy_of(app, rule)
        assert policy is not None, f"{rule.rule} declares no access policy"
        own = world.a if policy == "portal" else world.sierra
        path = build_path(rule, own_values(rule, own))
        for method in route_methods(rule):
            plan.append((method, path, policy, rule.rule))
        for method in unrouted_methods(app, rule, path):
            plan.append((method, path, "405", rule.rule))
    return sorted(set(plan), key=lambda p: (p[0] in UNSAFE, p[3], p[0]))


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_its_policy_says(app, connection, session, world, role):
    client = sign_in(app, session, world, role)
    token = token_for(client)
    plan = _plan(app, world)
    failures = []
    counted: Counter[str] = Counter()
    for method, path, policy, _rule in plan:
        data = {"csrf_token": token} if method in UNSAFE else None
        # Each write is undone after it is checked, so every request meets the same world.
        savepoint = connection.begin_nested() if method in UNSAFE else None
        response = client.open(path, method=method, data=data)
        response.get_data()
        response.close()
        if savepoint is not None:
            savepoint.rollback()
        counted[method] += 1
        if policy == "405":
            problem = None if response.status_code == 405 else f"{response.status_code}, not 405"
        else:
            outcome = expected_outcome(policy, role)
            problem = outcome_problem(response, outcome, method, policy)
        if problem:
            failures.append(f"{role} {method} {path} [{policy}]: {problem}")
        failures += [f"{role} {method} {path}: {p}" for p in header_problems(response)]
        signed_out = (
            response.status_code == 302
            and urlsplit(response.headers["Location"]).path == "/login"
            and method in UNSAFE
            and policy != "405"
            and expected_outcome(policy, role) == ALLOWED
        )
        if signed_out:  # the request was a logout: carry on signed in
            client = sign_in(app, session, world, role)
            token = token_for(client)
    assert failures == [], "\n".join(failures)
    rules_seen = {p[3] for p in plan}
    assert len(rules_seen) == len(list(app.url_map.iter_rules()))
    print(f"\nmatrix {role}: {len(rules_seen)} rules, {sum(counted.values())} requests {counted}")


# CSRF -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["anonymous", "staff", "admin"])
def test_every_post_without_a_csrf_token_is_refused_and_writes_nothing(app, session, world, role):
    client = sign_in(app, session, world, role)
    before = snapshot(session)
    checked = 0
    for rule in rules(app):
        for method in set(route_methods(rule)) & set(UNSAFE):
            own = world.a if policy_of(app, rule) == "portal" else world.sierra
            path = build_path(rule, own_values(rule, own))
            for data in ({}, {"csrf_token": "forged"}):
                response = client.open(path, method=method, data=data)
                assert response.status_code == 400, (method, path, response.status_code)
                assert "CSRF" in response.get_data(as_text=True), (method, path)
                checked += 1
    assert checked > 0
    assert snapshot(session) == before


# Isolation between clients --------------------------------------------------------------------


def _portal_client(app, world, data):
    from tests.conftest import login

    client = app.test_client()
    assert login(client, data.portal_user.email).status_code == 302
    return client


@pytest.mark.parametrize("direction", ["alpha_asks_for_bravo", "bravo_asks_for_alpha"])
def test_other_clients_ids_are_indistinguishable_from_missing_ones(
    app, session, world, frozen_clock, direction
):
    own, other = (world.a, world.b) if direction.startswith("alpha") else (world.b, world.a)
    client = _portal_client(app, world, own)
    token = token_for(client)
    assert isolation_failures(app, client, own, other, token) == []


def _query_id_failures(app, client, own, other) -> list[str]:
    """Every portal page with each id query parameter naming the other client's objects must
    answer like one naming nothing."""
    paths = [
        build_path(rule, own_values(rule, own))
        for rule in rules(app)
        if policy_of(app, rule) == "portal"
    ]
    return harness.query_id_failures(
        client, [(path, name) for path in paths for name in ID_KINDS], own, other
    )


def test_id_query_parameters_of_the_other_client_are_answered_like_missing_ones(
    app, session, world, frozen_clock
):
    client = _portal_client(app, world, world.a)
    assert _query_id_failures(app, client, world.a, world.b) == []


def test_no_portal_page_shows_anything_of_another_client(app, session, world):
    client = _portal_client(app, world, world.a)
    for rule in rules(app):
        if policy_of(app, rule) != "portal":
            continue
        path = build_path(rule, own_values(rule, world.a))
        response = client.get(path)
        assert response.status_code == 200, path
        leaked = harness.leaked_markers(response.get_data(), world.b)
        leaked += harness.leaked_markers(response.get_data(), world.sierra)
        assert leaked == [], (path, leaked)


def test_missing_ids_are_404_for_the_portal(app, session, world):
    client = _portal_client(app, world, world.a)
    for rule in rules(app):
        if policy_of(app, rule) == "portal" and harness.id_arguments(rule):
            values = {**own_values(rule, world.a)}
            values.update({a: MISSING_ID for a in harness.id_arguments(rule)})
            assert client.get(build_path(rule, values)).status_code == 404, rule.rule


# The checks bite ------------------------------------------------------------------------------


def test_isolation_check_catches_a_scope_that_drops_its_client_filter(
    app, session, world, frozen_clock, monkeypatch
):
    """Mutation test: with the invoice query of PortalScope no longer filtered by client, the
    isolation check reports the other client's invoices."""

    def unscoped_invoices(self):
        return select(Invoice).where(Invoice.status != InvoiceStatus.DRAFT)

    monkeypatch.setattr(PortalScope, "_invoices", unscoped_invoices)
    client = _portal_client(app, world, world.a)
    failures = isolation_failures(app, client, world.a, world.b, token_for(client))
    leaks = [f for f in failures if f"/client-portal/invoices/{world.b.ids['invoice'][0]}" in f]
    assert leaks, failures
    assert any("BRAVO-SENT" in f for f in failures)


def test_query_check_catches_a_project_filter_without_the_client(
    app, session, world, frozen_clock, monkeypatch
):
    def unscoped_projects(self):
        return select(Project)

    monkeypatch.setattr(PortalScope, "_projects", unscoped_projects)
    client = _portal_client(app, world, world.a)
    failures = _query_id_failures(app, client, world.a, world.b)
    assert any("project_id" in f for f in failures), failures
