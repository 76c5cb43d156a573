"""The PDF cache's folder: where it is, how it stays within its bound, what it leaves behind.

The documents here are small PDF-shaped byte strings: what is stored is tested, not WeasyPrint
(``test_pdf_cache.py`` renders real documents)."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask import Flask

from timetracker import config, create_app
from timetracker.documents import cache


def _pdf(label: str, size: int = 0) -> bytes:
    return b"%PDF-1.7\n%" + label.encode() + b"x" * size + b"\n%%EOF\n"


class Render:
    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf
        self.calls = 0

    def __call__(self) -> bytes:
        self.calls += 1
        return self.pdf


def _keep(app: Flask, label: str, size: int = 0) -> bytes:
    with app.app_context():
        return cache.cached_pdf([label], Render(_pdf(label, size)))


def _entry(label: str, folder: Path) -> Path:
    return folder / f"{cache.cache_key([label])}.pdf"


def _age(path: Path, seconds_ago: float) -> None:
    when = time.time() - seconds_ago
    os.utime(path, (when, when))


def test_key_parts_cannot_run_into_each_other() -> None:
    assert cache.cache_key(["ab", "c"]) != cache.cache_key(["a", "bc"])
    assert cache.cache_key(["abc"]) != cache.cache_key(["abc", ""])
    assert cache.cache_key(["a", "b"]) == cache.cache_key(("a", "b"))


def test_a_hit_does_not_render(app: Flask, pdf_cache: Path) -> None:
    render = Render(_pdf("one"))
    with app.app_context():
        assert cache.cached_pdf(["one"], render) == _pdf("one")
        assert cache.cached_pdf(["one"], render) == _pdf("one")
    assert render.calls == 1


def test_the_oldest_entries_go_beyond_the_most_files(
    app: Flask, pdf_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_FILES", 3)
    for age, label in enumerate(["a", "b", "c", "d"]):  # "a" is the oldest
        _keep(app, label)
        _age(_entry(label, pdf_cache), 100 - age * 10)

    _keep(app, "e")

    assert sorted(p.name for p in pdf_cache.glob("*.pdf")) == sorted(
        _entry(label, pdf_cache).name for label in ["e", "d", "c"]
    )


def test_the_oldest_entries_go_beyond_the_most_bytes(
    app: Flask, pdf_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 2500)
    for age, label in enumerate(["new", "old"]):
        _keep(app, label, size=1000)
        _age(_entry(label, pdf_cache), 50 + age * 10)

    _keep(app, "newest", size=1000)

    assert not _entry("old", pdf_cache).exists()
    assert _entry("new", pdf_cache).exists() and _entry("newest", pdf_cache).exists()
    assert sum(p.stat().st_size for p in pdf_cache.iterdir()) <= 2500


def test_a_hit_keeps_an_entry_from_being_pruned(
    app: Flask, pdf_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "MAX_FILES", 2)
    _keep(app, "read-often")
    _age(_entry("read-often", pdf_cache), 100)
    _keep(app, "read-once")
    _age(_entry("read-once", pdf_cache), 50)

    _keep(app, "read-often")  # a hit: now the most recently used
    _keep(app, "new")

    assert _entry("read-often", pdf_cache).exists() and _entry("new", pdf_cache).exists()
    assert not _entry("read-once", pdf_cache).exists()


def test_workers_writing_reading_and_pruning_at_once_always_get_their_own_pdf(
    app: Flask, pdf_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight workers, five documents, room for two: entries are replaced and removed while
    others read them. A reader gets its document whole, or renders it again."""
    monkeypatch.setattr(cache, "MAX_FILES", 2)
    labels = [f"document-{n}" for n in range(5)]

    def worker(number: int) -> list[bool]:
        return [
            _keep(app, label, size=5000) == _pdf(label, 5000)
            for _ in range(15)
            for label in labels[number % 5 :] + labels[: number % 5]
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = [ok for oks in pool.map(worker, range(8)) for ok in oks]

    assert len(results) == 8 * 15 * 5 and all(results)
    assert len(list(pdf_cache.glob("*.pdf"))) <= 2
    assert not list(pdf_cache.glob(f"{cache.TEMPORARY_PREFIX}*"))


def test_temporary_files_left_by_a_dead_writer_are_removed(app: Flask, pdf_cache: Path) -> None:
    pdf_cache.mkdir(parents=True)
    stale = pdf_cache / f"{cache.TEMPORARY_PREFIX}dead"
    fresh = pdf_cache / f"{cache.TEMPORARY_PREFIX}writing-now"
    stale.write_bytes(b"%PDF-1.7 half")
    fresh.write_bytes(b"%PDF-1.7 half")
    _age(stale, cache.STALE_TEMPORARY_SECONDS + 60)

    _keep(app, "one")

    assert not stale.exists()
    assert fresh.exists()  # another worker may still be writing it


def test_entries_are_readable_by_the_apps_user_only(app: Flask, pdf_cache: Path) -> None:
    _keep(app, "private")

    assert _entry("private", pdf_cache).stat().st_mode & 0o077 == 0
    assert pdf_cache.stat().st_mode & 0o077 == 0


def test_an_error_while_rendering_is_not_swallowed_and_keeps_nothing(
    app: Flask, pdf_cache: Path
) -> None:
    def broken() -> bytes:
        raise RuntimeError("renderer failed")

    with app.app_context(), pytest.raises(RuntimeError, match="renderer failed"):
        cache.cached_pdf(["broken"], broken)
    assert not pdf_cache.exists() or not any(pdf_cache.iterdir())


def test_the_folder_is_in_the_data_folder_unless_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """Outside tests the cache is on by default, beside the database in the data folder;
    ``PDF_CACHE_DIR`` moves it, and an empty value turns it off. An app made for tests has no
    cache unless it is given a folder, so that no test writes into the checkout."""
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path / "data"))
    settings = {"SECRET_KEY": "x" * 40, "DATABASE_URL": database_url, "MAIL_ENABLED": False}
    production = create_app({**settings, "TESTING": False, "RATELIMIT_STORAGE_URI": "memory://"})
    tests_app = create_app({**settings, "TESTING": True, "RATELIMIT_STORAGE_URI": "memory://"})
    try:
        with production.app_context():
            assert cache.cache_folder() == tmp_path / "data" / "cache" / "pdf"
            production.config[cache.CONFIG_KEY] = str(tmp_path / "elsewhere")
            assert cache.cache_folder() == tmp_path / "elsewhere"
            production.config[cache.CONFIG_KEY] = ""
            assert cache.cache_folder() is None
        with tests_app.app_context():
            assert cache.cache_folder() is None
    finally:
        for made in (production, tests_app):
            made.extensions["timetracker.engine"].dispose()
