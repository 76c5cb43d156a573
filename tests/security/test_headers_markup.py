"""Issue 12, items 1 (email) and 7: response headers, three markup defects, one email rule."""

from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import login, post
from tests.factories import make_admin, make_client, make_project, make_user
from timetracker import create_app, db
from timetracker.emails import check_email
from timetracker.models import Role, User

# Headers ------------------------------------------------------------------------------------------

ALWAYS = {
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Permitted-Cross-Domain-Policies": "none",
}
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "serial", "midi"]
PATHS = {"200": "/login", "404": "/no-such-page", "static": "/static/favicon.svg"}


def _get(client: FlaskClient, path: str, **kw):  # type: ignore[no-untyped-def]
    """GET ``path`` and close the response (a static file is sent from an open file)."""
    response = client.get(path, **kw)
    response.get_data()
    response.close()
    return response


def _check_common(response) -> None:  # type: ignore[no-untyped-def]
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Permissions-Policy"]
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in policy, feature
    assert "Server" not in response.headers


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_headers_over_http_have_no_hsts(client: FlaskClient, kind: str) -> None:
    response = _get(client, PATHS[kind])
    assert response.status_code == {"200": 200, "404": 404, "static": 200}[kind]
    _check_common(response)
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_headers_over_https_include_hsts(client: FlaskClient, kind: str) -> None:
    response = _get(client, PATHS[kind], base_url="https://localhost")
    assert response.status_code == {"200": 200, "404": 404, "static": 200}[kind]
    _check_common(response)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_hsts_through_the_trusted_proxy_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Behind the documented proxy (``ProxyFix``), ``X-Forwarded-Proto: https`` means HTTPS."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    )
    try:
        plain = _get(
            app.test_client(), "/static/favicon.svg", headers={"X-Forwarded-Proto": "https"}
        )
        assert "Strict-Transport-Security" not in plain.headers  # no proxy is trusted
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)  # type: ignore[method-assign]
        proxied = _get(
            app.test_client(), "/static/favicon.svg", headers={"X-Forwarded-Proto": "https"}
        )
        assert "Strict-Transport-Security" in proxied.headers
    finally:
        app.extensions["timetracker.engine"].dispose()


def test_logout_post_clears_site_data(app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    user = make_user(session)
    session.commit()
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    response = post(browser, "/logout", token_from="/logout")
    assert response.status_code == 302
    # Cookies stay: the session's own end on the server, and the known-browser cookie must
    # survive a logout (or every next sign-in would be announced as a new browser).
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    # Only the logout answers with it.
    assert "Clear-Site-Data" not in browser.get("/login").headers


def test_gunicorn_sends_no_server_banner() -> None:
    from gunicorn.http import wsgi

    import timetracker.gunicorn_conf  # noqa: F401 - installs the change

    req = SimpleNamespace(version=(1, 1), method="GET", should_close=lambda: True)
    response = wsgi.Response(req, None, SimpleNamespace())
    response.status = "200 OK"
    response.status_code = 200
    lines = response.default_headers()
    assert lines[0].startswith("HTTP/1.1 200")
    assert not [line for line in lines if line.lower().startswith("server:")]
    assert any(line.startswith("Date:") for line in lines)


@pytest.fixture
def cli_app(tmp_path):  # type: ignore[no-untyped-def]
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    yield app
    app.extensions["timetracker.engine"].dispose()


class _Exec(Exception):
    pass


def test_serve_starts_gunicorn_with_the_config(cli_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    seen: list[list[str]] = []

    def fake_execv(_path: str, args: list[str]) -> None:
        seen.append(args)
        raise _Exec

    monkeypatch.setattr(os, "execv", fake_execv)
    cli_app.test_cli_runner().invoke(args=["serve"])
    assert seen, "serve did not start gunicorn"
    args = seen[0]
    assert args[args.index("--config") + 1] == "python:timetracker.gunicorn_conf"


# Markup -------------------------------------------------------------------------------------------


def test_login_fields_have_no_describedby_none(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert 'aria-describedby="None"' not in html
    for field in re.findall(r"<input[^>]*>", html):
        if "aria-describedby" in field:
            target = re.search(r'aria-describedby="([^"]+)"', field)
            assert target and f'id="{target.group(1)}"' in html


def test_timer_project_select_starts_with_an_empty_option(app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    user = make_user(session)
    make_project(session, make_client(session, name="Acme"), name="Website")
    session.commit()
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    html = browser.get("/dashboard").get_data(as_text=True)
    select_tag = re.search(r'<select[^>]*name="project"[^>]*>(.*?)</select>', html, re.S)
    assert select_tag, "no project select on the dashboard"
    assert "required" in select_tag.group(0).split(">")[0]
    body = select_tag.group(1)
    assert body.startswith('<option selected value="">Choose a project…</option><optgroup')
    assert '<optgroup label="Acme">' in body and ">Website</option>" in body


def test_disabled_pagination_links_have_no_href(app: Flask, session) -> None:  # type: ignore[no-untyped-def]
    admin = make_admin(session)
    for n in range(3):
        make_client(session, name=f"Paged {n}")
    session.commit()
    browser = app.test_client()
    assert login(browser, admin.email).status_code == 302
    app.config["PAGE_SIZE"] = 1
    try:
        first = browser.get("/clients?page=1").get_data(as_text=True)
        last = browser.get("/clients?page=3").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 50
    for html, disabled, enabled in ((first, "Previous", "Next"), (last, "Next", "Previous")):
        assert 'aria-disabled="true"' not in html
        assert f'<span class="page-link">{disabled}</span>' in html
        assert re.search(rf'<a class="page-link" href="[^"#]+">{enabled}</a>', html)
    for tag in re.findall(r"<a\b[^>]*>", first + last):
        assert 'href="#"' not in tag or "page-link" not in tag


# One email rule -----------------------------------------------------------------------------------

BAD_EMAILS = ["a@", "@@", "foo bar@x", "a@x", "a@.local", ""]


@pytest.mark.parametrize("value", BAD_EMAILS)
def test_check_email_refuses(value: str) -> None:
    with pytest.raises(ValueError, match="email address"):
        check_email(value)


def test_check_email_accepts_internal_domains() -> None:
    assert check_email(" anna@corp.local ") == "anna@corp.local"
    assert check_email("x@home.arpa") == "x@home.arpa"
    assert check_email("a@b.example.com") == "a@b.example.com"


def _create(app: Flask, email: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(
        args=["users", "create", "--email", email, "--name", "N", "--password-stdin"],
        input="a-long-password\n",
    )


def test_cli_uses_the_email_rule(cli_app) -> None:  # type: ignore[no-untyped-def]
    for bad in BAD_EMAILS[:-1]:
        result = _create(cli_app, bad)
        assert result.exit_code != 0, bad
        assert "Invalid value for --email" in result.output, result.output
    result = _create(cli_app, "Anna@Corp.Local")
    assert result.exit_code == 0, result.output
    with cli_app.app_context():
        assert db.session.scalar(select(User.email)) == "anna@corp.local"


def _user_form(user: User, **fields: str) -> dict[str, str]:
    data = {"name": user.name, "email": user.email, "is_active": "y", "client_id": ""}
    if user.role in (Role.ADMIN, Role.STAFF):
        data["role"] = str(user.role)
    data.update(fields)
    return data


@pytest.fixture
def as_admin(app: Flask, session) -> FlaskClient:  # type: ignore[no-untyped-def]
    admin = make_admin(session)
    session.commit()
    browser = app.test_client()
    assert login(browser, admin.email).status_code == 302
    return browser


@pytest.mark.parametrize("bad", BAD_EMAILS[:-1])
def test_admin_form_refuses_bad_emails(as_admin, session, bad: str) -> None:  # type: ignore[no-untyped-def]
    staff = make_user(session)
    session.commit()
    before = staff.email
    response = post(as_admin, f"/admin/users/{staff.id}/edit", _user_form(staff, email=bad))
    assert response.status_code == 400
    assert "Enter a valid email address" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, staff.id).email == before


def test_admin_form_accepts_and_keeps_an_internal_address(as_admin, session) -> None:  # type: ignore[no-untyped-def]
    staff = make_user(session)
    session.commit()
    response = post(
        as_admin, f"/admin/users/{staff.id}/edit", _user_form(staff, email="anna@corp.local")
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    session.expire_all()
    saved = session.get(User, staff.id)
    assert saved.email == "anna@corp.local"
    # Saved again unchanged: still valid.
    response = post(as_admin, f"/admin/users/{staff.id}/edit", _user_form(saved, name="Anna"))
    assert response.status_code == 302, response.get_data(as_text=True)


def test_client_contact_email_uses_the_rule(as_admin, session) -> None:  # type: ignore[no-untyped-def]
    from timetracker.workspace.clients.forms import ClientForm

    fields = {"name": "Corp", "currency": "EUR", "default_hourly_rate": "90"}
    from werkzeug.datastructures import MultiDict

    with as_admin.application.test_request_context():
        good = ClientForm(
            MultiDict({**fields, "contact_email": "anna@corp.local"}), meta={"csrf": False}
        )
        assert good.validate(), good.errors
        bad = ClientForm(MultiDict({**fields, "contact_email": "foo bar@x"}), meta={"csrf": False})
        assert not bad.validate() and "contact_email" in bad.errors
