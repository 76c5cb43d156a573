"""Text responses are compressed for clients that ask; other responses go out as they are."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_client, make_entry, make_project, make_user
from timetracker import compression

GZIP = {"Accept-Encoding": "gzip"}
BOOTSTRAP_JS = "/static/vendor/bootstrap-5.3.3/bootstrap.bundle.min.js"


@pytest.fixture
def staff(client: FlaskClient, session: Session) -> FlaskClient:
    user = make_user(session)
    project = make_project(session, make_client(session))
    for _ in range(40):
        make_entry(session, project, user)
    login(client, user.email)
    return client


def test_a_page_is_gzipped_when_asked_and_decompresses_to_the_page(staff: FlaskClient) -> None:
    plain = staff.get("/time")
    packed = staff.get("/time", headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert "Accept-Encoding" in plain.headers["Vary"]  # caches must key on it either way
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 3
    # The CSRF token changes between responses; the rest of the page is the same.
    assert (
        gzip.decompress(packed.data).decode().split("csrf_token")[0]
        == plain.text.split("csrf_token")[0]
    )


@pytest.mark.skipif(compression.brotli is None, reason="brotli is not installed")
def test_brotli_is_preferred_when_accepted(staff: FlaskClient) -> None:
    assert compression.brotli is not None
    response = staff.get("/time", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert b"<!doctype html>" in compression.brotli.decompress(response.data)


def test_an_encoding_refused_with_q_zero_is_not_used(staff: FlaskClient) -> None:
    response = staff.get("/time", headers={"Accept-Encoding": "br;q=0, gzip;q=0"})
    assert "Content-Encoding" not in response.headers
    assert response.text.startswith("<!doctype html>")


def test_a_static_file_is_compressed_once_with_a_weak_etag(client: FlaskClient) -> None:
    with client.get(BOOTSTRAP_JS) as plain, client.get(BOOTSTRAP_JS, headers=GZIP) as packed:
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.data) == plain.data
        assert packed.headers["ETag"] == "W/" + plain.headers["ETag"]
        assert "Accept-Ranges" not in packed.headers
        etag = packed.headers["ETag"]
    with client.get(BOOTSTRAP_JS, headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.data == b""


def test_head_describes_what_get_sends(client: FlaskClient) -> None:
    get = client.get(BOOTSTRAP_JS, headers=GZIP)
    get.close()
    with client.head(BOOTSTRAP_JS, headers=GZIP) as head:
        assert head.status_code == 200
        assert head.data == b""
        assert head.headers["Content-Encoding"] == "gzip"
        assert head.headers["Content-Length"] == get.headers["Content-Length"]


def test_a_range_request_gets_the_plain_bytes(client: FlaskClient) -> None:
    with client.get(BOOTSTRAP_JS, headers={**GZIP, "Range": "bytes=0-99"}) as part:
        assert part.status_code == 206
        assert "Content-Encoding" not in part.headers
        assert len(part.data) == 100


def test_a_small_response_is_left_alone(client: FlaskClient) -> None:
    with client.get("/static/favicon.svg", headers=GZIP) as icon:
        assert icon.status_code == 200
        assert "Content-Encoding" not in icon.headers
        assert icon.data.startswith(b"<svg")


def test_the_streamed_csv_export_keeps_streaming(staff: FlaskClient) -> None:
    response = staff.get("/time/export.csv", headers=GZIP)
    assert response.status_code == 200
    assert response.is_streamed
    assert "Content-Encoding" not in response.headers
    assert response.get_data().startswith(b"\xef\xbb\xbf") or b"," in response.get_data()


@pytest.fixture
def gzip_request(app: Flask) -> Iterator[None]:
    with app.test_request_context("/", headers=GZIP):
        yield


BIG = b"TimeTracker " * 500


@pytest.mark.parametrize(
    "mimetype", ["application/pdf", "image/png", "application/zip", "application/octet-stream"]
)
@pytest.mark.usefixtures("gzip_request")
def test_compressed_formats_are_not_compressed_again(mimetype: str) -> None:
    response = compression.compress_response(Response(BIG, mimetype=mimetype))
    assert "Content-Encoding" not in response.headers
    assert "Vary" not in response.headers
    assert response.get_data() == BIG


@pytest.mark.usefixtures("gzip_request")
def test_an_encoded_or_no_transform_response_is_left_alone() -> None:
    encoded = Response(BIG, mimetype="text/plain", headers={"Content-Encoding": "identity"})
    assert compression.compress_response(encoded).get_data() == BIG
    kept = Response(BIG, mimetype="text/html", headers={"Cache-Control": "no-transform"})
    assert compression.compress_response(kept).get_data() == BIG


@pytest.mark.usefixtures("gzip_request")
def test_a_generator_is_not_buffered() -> None:
    def chunks() -> Iterator[bytes]:
        yield BIG

    response = compression.compress_response(Response(chunks(), mimetype="text/csv"))
    assert response.is_streamed
    assert "Content-Encoding" not in response.headers


@pytest.mark.usefixtures("gzip_request")
def test_incompressible_text_is_sent_as_it_is() -> None:
    import os

    noise = os.urandom(4096).hex().encode()[:4096]
    response = compression.compress_response(Response(noise, mimetype="text/plain"))
    # Hex digits compress somewhat; the point is the body always decodes to the original.
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    assert body == noise


@pytest.mark.usefixtures("gzip_request")
def test_a_strong_etag_becomes_weak_when_the_bytes_change() -> None:
    response = Response(BIG, mimetype="application/json")
    response.set_etag("abc")
    compression.compress_response(response)
    assert response.headers["ETag"] == 'W/"abc"'
    assert gzip.decompress(response.get_data()) == BIG


def test_html_compression_can_be_switched_off(app: Flask) -> None:
    with app.test_request_context("/", headers=GZIP):
        app.config["COMPRESS_HTML"] = False
        try:
            page = compression.compress_response(Response(BIG, mimetype="text/html"))
            script = compression.compress_response(Response(BIG, mimetype="text/javascript"))
        finally:
            app.config["COMPRESS_HTML"] = True
    assert "Content-Encoding" not in page.headers
    assert script.headers["Content-Encoding"] == "gzip"
