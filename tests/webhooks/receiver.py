"""A real HTTPS receiver on loopback: ``http.server`` in a thread, TLS from a CA made for the
test run (trustme), checking every request with the verification code of docs/webhooks.md
(read from that file and run as it is written there)."""

from __future__ import annotations

import contextlib
import re
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_verifier() -> Callable[..., bool]:
    """``verify_webhook`` exactly as docs/webhooks.md shows it to receivers."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    code = next(b for b in blocks if "def verify_webhook" in b)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify_webhook"]  # type: ignore[no-any-return]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    received_at: float


@dataclass
class Receiver:
    """Answers each POST with the next of ``replies`` (status, body, extra headers), or 200."""

    secret: str = ""
    requests: list[Received] = field(default_factory=list)
    replies: list[tuple[int, bytes, dict[str, str]]] = field(default_factory=list)
    default: tuple[int, bytes, dict[str, str]] = (200, b'{"ok":true}', {})
    #: Seconds to wait before answering (for the time-out test).
    delay: float = 0.0
    #: Answer 401 when the signature does not verify (as a real receiver would).
    enforce: bool = True
    port: int = 0
    url: str = ""
    verify: Callable[..., bool] = field(default_factory=documented_verifier)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(
        self, path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        lower = {k.lower(): v for k, v in headers.items()}

        class _Headers(dict[str, str]):
            def get(self, key: str, default: Any = None) -> Any:  # case-insensitive
                return lower.get(key.lower(), default)

        verified = bool(self.secret) and self.verify(self.secret, _Headers(), body)
        with self.lock:
            self.requests.append(Received(path, headers, body, verified, time.time()))
            reply = self.replies.pop(0) if self.replies else self.default
        if self.delay:
            time.sleep(self.delay)
        if self.enforce and not verified:
            return 401, b"bad signature", {}
        return reply


def start(certificate_pem: Path, key_pem: Path) -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status, reply, extra = receiver.answer(self.path, dict(self.headers.items()), body)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client gave up (time-out test)
                self.wfile.write(reply)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(certificate_pem), str(key_pem))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    receiver.port = int(server.server_address[1])
    receiver.url = f"https://127.0.0.1:{receiver.port}/hooks/timetracker"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server
