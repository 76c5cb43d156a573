"""The real server (gunicorn with ``timetracker.gunicorn_conf``) sends no ``Server`` banner."""

from __future__ import annotations

import urllib.request

from tests.e2e.support import LiveServer


def test_gunicorn_sends_no_server_header(live_server: LiveServer) -> None:
    with urllib.request.urlopen(f"{live_server.base_url}/login", timeout=10) as response:  # noqa: S310
        assert response.status == 200
        assert response.headers.get("Server") is None
        assert response.headers["X-Permitted-Cross-Domain-Policies"] == "none"
