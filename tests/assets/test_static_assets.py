"""Static URLs carry the file's hash; only such a URL is cached as immutable."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_client, make_portal_user, make_user
from timetracker.assets import IMMUTABLE, file_hash

STATIC = Path(__file__).resolve().parents[2] / "timetracker" / "static"
ASSET_RE = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def digest(relative: str) -> str:
    return hashlib.sha256((STATIC / relative).read_bytes()).hexdigest()[:12]


def static_urls(html: str) -> list[str]:
    return [url.replace("&amp;", "&") for url in ASSET_RE.findall(html)]


@pytest.fixture(params=["staff", "portal"])
def signed_in(request: pytest.FixtureRequest, client: FlaskClient, session: Session) -> str:
    if request.param == "staff":
        login(client, make_user(session).email)
        return "/dashboard"
    login(client, make_portal_user(session, make_client(session)).email)
    return "/client-portal/dashboard"


def test_every_static_url_of_a_page_carries_the_files_hash(
    client: FlaskClient, signed_in: str
) -> None:
    page = client.get(signed_in)
    assert page.status_code == 200
    urls = static_urls(page.text)
    assert any("bootstrap.used.min.css" in url for url in urls)
    assert any("bootstrap.bundle.min.js" in url for url in urls)
    for url in urls:
        path, _, query = url.partition("?")
        assert query == f"v={digest(path.removeprefix('/static/'))}", url


def test_scripts_do_not_block_rendering(client: FlaskClient, signed_in: str) -> None:
    html = client.get(signed_in).text
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts
    for tag in scripts:
        assert " src=" in tag and " defer" in tag, tag  # no inline script either (the CSP)
    sources = re.findall(r'<script src="([^"]+)"', html)
    # Bootstrap first, in the head: the body's deferred scripts use window.bootstrap.
    assert "bootstrap.bundle.min.js" in sources[0]
    assert sources[0] in html.split("</head>")[0]


def test_the_full_bootstrap_stylesheet_is_not_loaded(client: FlaskClient, signed_in: str) -> None:
    assert "bootstrap.min.css" not in client.get(signed_in).text


def test_the_current_hash_is_cached_for_a_year(client: FlaskClient) -> None:
    url = f"/static/css/app.css?v={digest('css/app.css')}"
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert "Expires" not in response.headers
        etag = response.headers["ETag"]
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == IMMUTABLE


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?v=", "?x=1"])
def test_another_url_of_the_file_still_works_but_revalidates(
    client: FlaskClient, query: str
) -> None:
    with client.get(f"/static/css/app.css{query}") as response:
        assert response.status_code == 200
        assert response.data == (STATIC / "css/app.css").read_bytes()
        assert "immutable" not in response.headers.get("Cache-Control", "")
        assert "no-cache" in response.headers["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/static/no-such-file.css",
        "/static/no-such-file.css?v=0123456789ab",
        "/static/../config.py",
        "/static/css",
        "/static/css/",
    ],
)
def test_a_bad_static_path_stays_404(client: FlaskClient, path: str) -> None:
    with client.get(path, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.status_code == 404
        assert "immutable" not in response.headers.get("Cache-Control", "")


def test_the_hash_is_computed_once_and_missing_files_have_none(app: Flask) -> None:
    with app.test_request_context():
        assert file_hash("css/app.css") == digest("css/app.css")
        assert file_hash("css/app.css") is file_hash("css/app.css")
        assert file_hash("no-such-file.css") is None
        assert file_hash("../timetracker/config.py") is None
        assert file_hash("css") is None
