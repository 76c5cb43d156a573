"""Schemathesis against the app's own OpenAPI document, through WSGI: every operation, with a
client contact's token and with a member of staff's, answers no 5xx and only what the
document describes (status, content type, headers, body)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session

from tests.api.conftest import Side, auth, build_side

pytestmark = pytest.mark.exhaustive

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _plain(headers: dict[str, str]) -> dict[str, str]:
    """Schemathesis reads the body as sent: ask for it uncompressed (the app compresses JSON
    for clients that accept it)."""
    return {**headers, "Accept-Encoding": "identity"}


@pytest.fixture
def fuzz_side(app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> Side:
    """Data to find (two clients), and no rate limit in the way of the generated requests."""
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "1000000 per minute")
    ours = build_side(session, "Fuzz")
    build_side(session, "Other")
    session.commit()
    return ours


@pytest.fixture
def api_schema(app: Flask) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@FUZZ
def test_every_operation_with_a_portal_token(case: Any, fuzz_side: Side) -> None:
    case.call_and_validate(headers=_plain(auth(fuzz_side.portal_token)), checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_every_operation_with_a_staff_token(case: Any, fuzz_side: Side) -> None:
    case.call_and_validate(headers=_plain(auth(fuzz_side.staff_token)), checks=CHECKS)
