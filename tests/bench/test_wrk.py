"""The wrk driver: the generated Lua script, its JSON line, and a real run against a tiny server
(each connection its own cookie; any status but 200 is an error)."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import threading
from collections.abc import Iterator

import pytest

from bench import measure, wrk

RAW = {
    "requests": 120,
    "duration_us": 2_000_000,
    "bytes": 4096,
    "errors": {"connect": 1, "read": 2, "write": 0, "status": 5, "timeout": 0},
    "non_200": 7,
    "statuses": {"200": 113, "302": 2, "404": 5},
    "first_error": "HTTP 302 on /time: /login",
    "latency_us": {"p50": 1500, "p95": 9000, "p99": 12000, "max": 30000, "mean": 2000},
}


def test_a_lua_string_keeps_quotes_backslashes_and_control_characters_inert() -> None:
    assert wrk.lua_string('a"b\\c\nd') == '"a\\034b\\092c\\010d"'
    assert wrk.lua_string("session=abc.DEF-_; other=1") == '"session=abc.DEF-_; other=1"'


def test_the_script_lists_every_identity_and_cycles_paths_only_when_needed() -> None:
    one_path = wrk.lua_script([wrk.Identity("a=1", ("/x",)), wrk.Identity("a=2", ("/x",))])
    assert '{cookie = "a=1", paths = {"/x"}}' in one_path
    assert '{cookie = "a=2", paths = {"/x"}}' in one_path
    # One path per thread: wrk builds the request once (no request hook).
    assert "function request()" not in one_path
    cycling = wrk.lua_script([wrk.Identity("a=1", ("/x", "/y"))])
    assert "function request()" in cycling
    for hook in ("function setup(thread)", "function init(args)", "function response("):
        assert hook in cycling
    assert "function done(summary, latency, requests)" in cycling


def test_an_identity_without_paths_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one path"):
        wrk.lua_script([wrk.Identity("a=1", ())])


def test_the_result_line_is_found_among_wrks_own_output() -> None:
    stdout = "Running 2s test @ http://127.0.0.1:1/\n  1 threads\n" + (
        wrk.JSON_MARKER + json.dumps(RAW) + "\n"
    )
    assert wrk.parse_output(stdout) == RAW
    with pytest.raises(ValueError, match="no result line"):
        wrk.parse_output("Running 2s test\n")


def test_errors_are_socket_errors_plus_every_status_but_200() -> None:
    summary = wrk.summarize(RAW, 8)
    # wrk's own "status" errors (>= 400) are among the non-200 ones: not counted twice.
    assert summary["errors"] == 1 + 2 + 7
    assert summary["rps"] == 60.0
    assert (summary["p50_ms"], summary["p95_ms"], summary["p99_ms"]) == (1.5, 9.0, 12.0)
    assert summary["max_ms"] == 30.0
    assert summary["first_error"] == "HTTP 302 on /time: /login"


def test_a_missing_wrk_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(wrk.WrkMissing, match="apt-get install"):
        wrk.require_wrk()


def test_the_mix_alternates_portal_and_staff_people() -> None:
    identities = measure.mixed_identities(
        ["p1", "p2"], ["s1", "s2", "s3"], ["/client-portal/dashboard"], ["/dashboard"], 6
    )
    assert [i.cookie for i in identities] == ["p1", "s1", "p2", "s2", "p1", "s3"]
    assert identities[1].paths == ("/dashboard",)


def test_the_last_page_number_is_read_from_the_links() -> None:
    html = '<a href="?page=2">2</a> <a href="/time?user=&amp;page=41">41</a>'
    assert measure.last_page_number(html) == 41
    assert measure.last_page_number("<p>no pages</p>") is None


class _Handler(http.server.BaseHTTPRequestHandler):
    cookies: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        _Handler.cookies.add(self.headers.get("Cookie", ""))
        if self.path == "/ok":
            self.send_response(200)
            body = b"ok\n"
        else:
            self.send_response(302)
            self.send_header("Location", "/login")
            body = b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def tiny_server() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


#: Without wrk the run is skipped on a developer's machine; CI installs wrk and requires it.
WRK_MISSING = shutil.which("wrk") is None and os.environ.get("TIMETRACKER_CI") != "1"


@pytest.mark.skipif(WRK_MISSING, reason="wrk is not installed (apt-get install wrk)")
def test_each_connection_sends_its_own_cookie_and_redirects_count_as_errors(
    tiny_server: int,
) -> None:
    _Handler.cookies.clear()
    people = [wrk.Identity(f"session=person{k}", ("/ok",)) for k in range(3)]
    summary = wrk.run(tiny_server, people, 3, 1)
    assert summary["requests"] > 0 and summary["errors"] == 0
    assert _Handler.cookies == {"session=person0", "session=person1", "session=person2"}
    assert summary["generator_cpu_s"] >= 0 and summary["generator"] == "wrk"

    mixed = wrk.run(tiny_server, [wrk.Identity("session=x", ("/ok", "/gone"))], 1, 1)
    assert mixed["statuses"].keys() == {"200", "302"}
    assert mixed["errors"] == mixed["statuses"]["302"] > 0
    assert mixed["first_error"] == "HTTP 302 on /gone: /login"
