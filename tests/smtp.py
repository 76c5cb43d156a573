"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests that send mail (the `smtp_server`
fixture, registered for every test by tests/conftest.py)."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask


def free_port() -> int:
    """A port nobody listens on right now (aiosmtpd's ``Controller(port=0)`` does not work)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    """Collects what it receives; set ``reply`` to an SMTP error to make every DATA fail."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    reply: str | None = None
    refused: int = 0

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        if self.reply is not None:
            self.refused += 1
            return self.reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@pytest.fixture
def smtp_server(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A listening SMTP server, and the app configured to send to it with instant retries."""
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    for key, value in {
        "MAIL_ENABLED": True,
        "SMTP_HOST": server.host,
        "SMTP_PORT": server.port,
        "SMTP_USE_TLS": False,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_TIMEOUT": 5,
        "MAIL_FROM": "billing@acme.example",
        "BASE_URL": "https://tt.example.com",
        "MAIL_MAX_ATTEMPTS": 3,
        "MAIL_RETRY_DELAYS": (0, 0),
        "MAIL_INLINE_RETRY_DELAYS": (0, 0),
    }.items():
        monkeypatch.setitem(app.config, key, value)
    try:
        yield server
    finally:
        controller.stop()
