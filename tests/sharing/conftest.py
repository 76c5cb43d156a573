"""Documents tests: every test stores its files in a folder of its own."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import csrf_token, login
from tests.factories import make_client, make_portal_user, make_project, make_user
from tests.sharing import samples
from timetracker.models import Client, Document, DocumentVersion, Project, Settings, User
from timetracker.sharing import operations
from timetracker.sharing.storage import LocalFolderStorage


@pytest.fixture(autouse=True)
def documents_dir(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setitem(app.config, "DOCUMENTS_DIR", str(folder))
    return folder


@pytest.fixture
def stored(documents_dir: Path) -> LocalFolderStorage:
    return LocalFolderStorage(documents_dir)


def settings(session: Session, **values: Any) -> Settings:
    row = session.merge(Settings(id=1, **values))
    session.flush()
    return row


def add_document(
    app: Flask,
    session: Session,
    client: Client,
    user: User,
    *,
    project: Project | None = None,
    files: list[tuple[bytes, str]] | None = None,
    title: str | None = None,
) -> tuple[Document, list[DocumentVersion]]:
    """A document with one version per file (made as the upload does it)."""
    files = files or [(samples.pdf(title or "x"), "brief.pdf")]
    with app.app_context():
        g.db_session = session
        content, name = files[0]
        first = operations.upload_document(
            session,
            client_id=client.id,
            project_id=project.id if project else None,
            stream=io.BytesIO(content),
            filename=name,
            title=title,
            user=user,
        )
        versions = [first.version]
        for content, name in files[1:]:
            versions.append(
                operations.upload_version(
                    session, first.document, stream=io.BytesIO(content), filename=name, user=user
                ).version
            )
        g.pop("db_session")
    session.commit()
    return first.document, versions


@dataclass
class World:
    client: Client
    project: Project
    contact: User
    staff: User
    other_client: Client
    other_project: Project
    other_contact: User


@pytest.fixture
def world(session: Session) -> World:
    client = make_client(session, name="Acme")
    other = make_client(session, name="Globex")
    w = World(
        client=client,
        project=make_project(session, client, name="Website"),
        contact=make_portal_user(session, client, name="Ann Contact"),
        staff=make_user(session, name="Sam Staff"),
        other_client=other,
        other_project=make_project(session, other, name="Other site"),
        other_contact=make_portal_user(session, other, name="Olga Other"),
    )
    session.commit()
    return w


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = login(client, user.email)
    assert response.status_code == 302
    return client


def upload(
    client: FlaskClient,
    path: str,
    content: bytes,
    filename: str,
    *,
    title: str = "",
    token_from: str = "/account",
    prefix: str = "document",
    **kw: Any,
) -> Any:
    data: dict[str, Any] = {
        "csrf_token": csrf_token(client, token_from),
        f"{prefix}-file": (io.BytesIO(content), filename),
    }
    if prefix == "document":
        data["document-title"] = title
    response = client.post(path, data=data, content_type="multipart/form-data", **kw)
    # The test client spools a large body to a temporary file that it leaves open.
    response.request.environ["wsgi.input"].close()
    return response


def body(response: Any) -> bytes:
    """The answer without its CSRF token (signed with the time: two pages differ by it)."""
    return _TOKEN.sub(b"", response.get_data())


_TOKEN = re.compile(rb'name="csrf_token" value="[^"]*"')


def fetch(client: FlaskClient, url: str) -> Any:
    """GET ``url`` and read the whole answer, closing it (a download streams its file)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


@pytest.fixture
def files_left(stored: LocalFolderStorage) -> Iterator[Any]:
    yield lambda: sorted(stored.keys())
