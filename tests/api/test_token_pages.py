"""The token pages: create (shown once), list, revoke; the administrators' list; the API's
reference page and document."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.conftest import Side, get, make_token
from tests.conftest import csrf_token, login
from tests.factories import make_admin
from timetracker.audit import Kind
from timetracker.models import AuditEvent
from timetracker.models.api import ApiToken
from timetracker.security import CONTENT_SECURITY_POLICY

PAGE = "/account/api-tokens"
SECRET_RE = re.compile(r'value="(tt_[A-Za-z0-9_-]+)"')


def _create(client: FlaskClient, **data: object) -> object:
    form = {"name": "Export", "scopes": ["time:read"], "lifetime": "90", **data}
    form["csrf_token"] = csrf_token(client, PAGE)
    return client.post(PAGE, data=form)


def _kinds(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def test_a_new_token_is_shown_once_and_works(
    client: FlaskClient, session: Session, side: Side
) -> None:
    login(client, side.staff.email)
    response = _create(client, scopes=["time:read", "time:write"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    secret = SECRET_RE.search(html).group(1)  # type: ignore[union-attr]
    assert response.headers["Cache-Control"] == "no-store"
    assert get(client, "/api/v1/time-entries", secret).status_code == 200
    listing = client.get(PAGE).get_data(as_text=True)
    assert secret not in listing and f"tt_{secret[3:11]}" in listing
    assert Kind.API_TOKEN_CREATED in _kinds(session)
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == secret[3:11]))
    assert row is not None and row.scopes == "time:read time:write" and row.expires_at


def test_contacts_are_offered_the_portal_scope_only(
    client: FlaskClient, session: Session, side: Side
) -> None:
    login(client, side.contact.email)
    page = client.get(PAGE).get_data(as_text=True)
    assert 'value="portal:read"' in page and 'value="time:read"' not in page
    assert _create(client, scopes=["time:read"]).status_code == 400  # type: ignore[attr-defined]
    assert _create(client, scopes=["portal:read"], lifetime="never").status_code == 200  # type: ignore[attr-defined]


def test_a_form_without_name_scope_or_csrf_is_refused(
    client: FlaskClient, session: Session, side: Side
) -> None:
    login(client, side.staff.email)
    before = session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()))
    assert _create(client, name="").status_code == 400  # type: ignore[attr-defined]
    assert _create(client, scopes=[]).status_code == 400  # type: ignore[attr-defined]
    assert _create(client, lifetime="7").status_code == 400  # type: ignore[attr-defined]
    no_csrf = client.post(PAGE, data={"name": "x", "scopes": ["time:read"], "lifetime": "90"})
    assert no_csrf.status_code == 400
    assert session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc())) == before


def test_revoking_ones_own_token_and_not_anothers(
    client: FlaskClient, session: Session, side: Side, other: Side
) -> None:
    login(client, side.staff.email)
    mine = session.scalar(select(ApiToken).where(ApiToken.prefix == side.staff_token[3:11]))
    theirs = session.scalar(select(ApiToken).where(ApiToken.prefix == other.staff_token[3:11]))
    assert mine is not None and theirs is not None
    token = csrf_token(client, PAGE)
    refused = client.post(f"{PAGE}/{theirs.id}/revoke", data={"csrf_token": token})
    assert refused.status_code == 404
    done = client.post(f"{PAGE}/{mine.id}/revoke", data={"csrf_token": token})
    assert done.status_code == 302
    assert get(client, "/api/v1/time-entries", side.staff_token).status_code == 401
    assert get(client, "/api/v1/time-entries", other.staff_token).status_code == 200
    assert Kind.API_TOKEN_REVOKED in _kinds(session)


def test_administrators_see_and_revoke_everyones_active_tokens(
    client: FlaskClient, session: Session, side: Side, other: Side
) -> None:
    admin = make_admin(session)
    spare = make_token(session, side.staff, name="Spare")
    session.commit()
    login(client, admin.email)
    page = client.get("/admin/api-tokens").get_data(as_text=True)
    for secret in (side.staff_token, side.portal_token, other.staff_token, spare):
        assert f"tt_{secret[3:11]}" in page
    row = session.scalar(select(ApiToken).where(ApiToken.prefix == spare[3:11]))
    assert row is not None
    response = client.post(
        f"/admin/api-tokens/{row.id}/revoke",
        data={"csrf_token": csrf_token(client, "/admin/api-tokens")},
    )
    assert response.status_code == 302
    assert get(client, "/api/v1/time-entries", spare).status_code == 401
    session.refresh(row)
    assert row.revoked_by_id == admin.id
    assert f"tt_{spare[3:11]}" not in client.get("/admin/api-tokens").get_data(as_text=True)


def test_the_reference_page_and_document_are_public_and_keep_the_csp(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and spec.get_json()["openapi"] == "3.1.0"
    assert (
        client.get(
            "/api/v1/openapi.json", headers={"If-None-Match": spec.headers["ETag"]}
        ).status_code
        == 304
    )
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<script>" not in html and "style=" not in html
    for path in spec.get_json()["paths"]:
        assert path in html
    assert "TimeEntryCreate" in html
