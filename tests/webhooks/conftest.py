"""Webhook tests: an HTTPS receiver on loopback whose CA the app trusts, inline jobs, and small
helpers to make endpoints and sign in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_admin
from tests.webhooks.receiver import Receiver, start
from timetracker.models import User
from timetracker.models._common import utcnow
from timetracker.models.api import WebhookEndpoint
from timetracker.webhooks import signing
from timetracker.webhooks.events import SUBSCRIBABLE


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(CA bundle, server certificate chain, server key) made for this run."""
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    chain = folder / "server.pem"
    chain.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    key = folder / "server.key"
    server.private_key_pem.write_to_path(str(key))
    return ca_file, chain, key


@pytest.fixture
def receiver(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tls_files: tuple[Path, Path, Path]
) -> Iterator[Receiver]:
    """A listening HTTPS receiver; the app trusts its CA, may call loopback and runs jobs
    inline (the Redis path has its own test)."""
    ca_file, chain, key = tls_files
    found, server = start(chain, key)
    monkeypatch.setitem(app.config, "WEBHOOK_CA_BUNDLE", str(ca_file))
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", True)
    monkeypatch.setitem(app.config, "WEBHOOK_TIMEOUT", 5)
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def admin(session: Session) -> User:
    return make_admin(session, name="Ada Admin")


@pytest.fixture
def as_admin(client: FlaskClient, admin: User) -> FlaskClient:
    login(client, admin.email)
    return client


def make_endpoint(
    session: Session,
    url: str,
    *,
    events: str | None = None,
    secret: str | None = None,
    **kw: object,
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=url,
        description=kw.pop("description", "Test receiver"),
        secret=secret or signing.new_secret(),
        events=events if events is not None else " ".join(SUBSCRIBABLE),
        is_active=kw.pop("is_active", True),
        created_at=utcnow(),
        consecutive_failures=kw.pop("consecutive_failures", 0),
        **kw,
    )
    session.add(endpoint)
    session.flush()
    return endpoint


def wire(receiver: Receiver, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    receiver.secret = endpoint.secret
    return endpoint
