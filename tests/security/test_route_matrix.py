"""CSRF on every POST, and client isolation on every rule that takes an id. Rules come from
``app.url_map``, so a new route is covered the day it lands. The route x role matrix, written out
as a table, is ``tests/auth/test_route_matrix.py``."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from tests.security import harness
from tests.security.harness import (
    ID_KINDS,
    MISSING_ID,
    build_path,
    build_world,
    isolation_failures,
    own_values,
    policy_of,
    route_methods,
    rules,
    sign_in,
    snapshot,
    token_for,
    unknown_arguments,
)
from timetracker.models import Invoice, InvoiceStatus, Project
from timetracker.portal.scope import PortalScope

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def world(app, session):
    return build_world(app, session)


@pytest.fixture
def frozen_clock(monkeypatch):
    """CSRF tokens are signed with a timestamp: with the clock stopped, two answers that should
    be identical are identical to the byte. (Rate limits are off: see ``without_rate_limits``.)"""
    harness.without_rate_limits(monkeypatch)
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False):
        yield


# Every rule is described --------------------------------------------------------------------


def test_every_rule_declares_an_access_policy_and_known_id_arguments(app):
    """The isolation checks below build paths from the rules' arguments: each must be known.
    (The route x role table is ``tests/auth/test_route_matrix.py``; the start-up refusal of an
    endpoint without a policy is tested in ``tests/auth/test_policies.py``.)"""
    assert harness.undeclared_rules(app) == []
    assert [r.rule for r in rules(app) if unknown_arguments(r)] == []


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
                if policy_of(app, rule) == "token":
                    # The API takes bearer tokens only, never the session cookie: no CSRF.
                    assert response.status_code == 401, (method, path, response.status_code)
                    continue
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


@pytest.mark.exhaustive  # every portal route with every id parameter: minutes
def test_id_query_parameters_of_the_other_client_are_answered_like_missing_ones(
    app, session, world, frozen_clock
):
    client = _portal_client(app, world, world.a)
    assert _query_id_failures(app, client, world.a, world.b) == []


def test_no_portal_page_shows_anything_of_another_client(app, session, world):
    client = _portal_client(app, world, world.a)
    for rule in rules(app):
        if policy_of(app, rule) != "portal" or "GET" not in route_methods(rule):
            continue  # (the portal's POST-only actions show on the pages of their GET routes)
        path = build_path(rule, own_values(rule, world.a))
        response = client.get(path)
        assert response.status_code == 200, path
        leaked = harness.leaked_markers(response.get_data(), world.b)
        leaked += harness.leaked_markers(response.get_data(), world.sierra)
        assert leaked == [], (path, leaked)


def test_missing_ids_are_404_for_the_portal(app, session, world):
    client = _portal_client(app, world, world.a)
    token = token_for(client)
    for rule in rules(app):
        if policy_of(app, rule) == "portal" and harness.id_arguments(rule):
            values = {**own_values(rule, world.a)}
            values.update({a: MISSING_ID for a in harness.id_arguments(rule)})
            path = build_path(rule, values)
            if "GET" in route_methods(rule):
                response = client.get(path)
            else:  # a declared action (accepting a quote): with a valid token
                response = client.post(path, data={"csrf_token": token})
            assert response.status_code == 404, rule.rule


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


@pytest.mark.exhaustive  # every portal route with every id parameter: minutes
def test_query_check_catches_a_project_filter_without_the_client(
    app, session, world, frozen_clock, monkeypatch
):
    def unscoped_projects(self):
        return select(Project)

    monkeypatch.setattr(PortalScope, "_projects", unscoped_projects)
    client = _portal_client(app, world, world.a)
    failures = _query_id_failures(app, client, world.a, world.b)
    assert any("project_id" in f for f in failures), failures
