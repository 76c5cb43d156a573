"""Closing streamed responses: a CSV download keeps its request context (and database session)
open until the body is read or closed, as a WSGI server does; a test that stops early (a failed
assertion) must still close it before the test's transaction is rolled back.

Rendered PDFs go to a cache folder of the test's own (``pdf_cache``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from timetracker.documents import cache


@pytest.fixture(autouse=True)
def _close_responses(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if "client" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("connection")  # torn down after this fixture
    opened: list[Any] = []
    original = FlaskClient.open

    def open_and_track(self: FlaskClient, *args: Any, **kwargs: Any) -> Any:
        response = original(self, *args, **kwargs)
        opened.append(response)
        return response

    monkeypatch.setattr(FlaskClient, "open", open_and_track)
    yield
    for response in reversed(opened):  # contexts are a stack: the latest is popped first
        response.close()


@pytest.fixture(autouse=True)
def pdf_cache(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test of documents has a PDF cache of its own (empty at start), never the data
    folder's."""
    folder = tmp_path / "pdf-cache"
    monkeypatch.setitem(app.config, cache.CONFIG_KEY, str(folder))
    return folder
