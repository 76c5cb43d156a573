"""Rendered PDFs kept on disk, keyed by what was rendered.

A document's key is the SHA-256 of everything the renderer is given (its HTML, its stylesheet,
the renderer's version): whatever changes what is printed (a line, a payment, the status, the
firm's settings or logo, the client's language, the day a statement is made) changes the HTML
and so the key. An entry is never invalidated, only left behind; there is no list of events
that must clear it. Building the HTML stays (a few milliseconds); only the renderer is skipped.

The entries are files ``<key>.pdf`` in one folder (``PDF_CACHE_DIR``; by default ``cache/pdf``
in the data folder, beside the database, since they hold the same billing data; readable by
the app's user only). Any number of workers and servers sharing the folder are safe: an entry
is written to a temporary file in the folder and moved into place with ``os.replace``, so a
reader sees a whole file or none; one that does not look like a whole PDF is a miss. The
folder is kept under :data:`MAX_FILES` and :data:`MAX_BYTES` by removing the least recently
used entries after each write (a hit refreshes an entry's time).

The cache only ever saves time: a folder that cannot be read or written (permissions, a full
disk) logs a warning and the document is rendered as if there were no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from flask import current_app

from timetracker import config

log = logging.getLogger(__name__)

#: The setting naming the folder; ``None`` or ``""`` turns the cache off. Without the setting:
#: ``cache/pdf`` in the data folder, except in apps made for tests, which give their own folder
#: so that no test writes into the checkout's data folder.
CONFIG_KEY = "PDF_CACHE_DIR"
#: Change it when the entries' format or the key's meaning changes: older entries become misses.
CACHE_FORMAT = "1"
#: The most entries kept (a 50-line invoice is about 20 KiB; a logo or a time appendix adds) ...
MAX_FILES = 2000
#: ... and the most bytes they take together.
MAX_BYTES = 200 * 1024 * 1024
#: A temporary file older than this was left by a process that died while writing it.
STALE_TEMPORARY_SECONDS = 15 * 60

SUFFIX = ".pdf"
TEMPORARY_PREFIX = ".writing-"


def cache_key(parts: Iterable[str]) -> str:
    """The hex SHA-256 of ``parts``, each one length-prefixed so that no two different lists of
    parts can run together into the same bytes."""
    digest = hashlib.sha256(f"timetracker-pdf-cache {CACHE_FORMAT}\n".encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def cache_folder() -> Path | None:
    """The folder of the current app's entries, or ``None`` when the cache is off."""
    settings = current_app.config
    if CONFIG_KEY in settings:
        folder = settings[CONFIG_KEY]
        return Path(folder) if folder else None
    if current_app.testing:
        return None
    return config.data_dir() / "cache" / "pdf"


def cached_pdf(key_parts: Iterable[str], render: Callable[[], bytes]) -> bytes:
    """The PDF rendered from ``key_parts`` (everything the renderer is given): read from the
    cache, or made by ``render()`` and kept. ``render``'s own errors are not caught."""
    folder = cache_folder()
    if folder is None:
        return render()
    path = folder / f"{cache_key(key_parts)}{SUFFIX}"
    pdf = _read(path)
    if pdf is not None:
        return pdf
    pdf = render()
    if _write(folder, path, pdf):
        _prune(folder)
    return pdf


def looks_whole(pdf: bytes) -> bool:
    """A PDF's header at the start and its end-of-file marker at the end: what a truncated or
    overwritten file lacks."""
    return pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def _read(path: Path) -> bytes | None:
    try:
        pdf = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("PDF cache: cannot read %s, rendering instead: %s", path, error)
        return None
    if not looks_whole(pdf):
        log.warning("PDF cache: %s is not a whole PDF, rendering it again", path)
        return None
    # Recently used: pruned last. A folder the app may read but not write keeps the old time.
    with contextlib.suppress(OSError):
        os.utime(path)
    return pdf


def _write(folder: Path, path: Path, pdf: bytes) -> bool:
    """Keep ``pdf`` as ``path``, whole or not at all; ``False`` (and a warning) when it
    cannot."""
    temporary: str | None = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp: a new file only the app's user can read, in the folder ``path`` is in,
        # so that the replace below is a rename within one file system.
        handle, temporary = tempfile.mkstemp(prefix=TEMPORARY_PREFIX, dir=folder)
        with os.fdopen(handle, "wb") as file:
            file.write(pdf)
        os.replace(temporary, path)
        return True
    except OSError as error:
        log.warning("PDF cache: cannot keep %s, serving the PDF uncached: %s", path, error)
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return False


def _prune(folder: Path) -> None:
    """Remove the least recently used entries beyond :data:`MAX_FILES` or :data:`MAX_BYTES`,
    and temporary files left by a process that died. Another worker may be pruning too: a
    file already gone is no error."""
    entries: list[tuple[float, int, str]] = []
    stale_before = time.time() - STALE_TEMPORARY_SECONDS
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                try:
                    stat = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if item.name.endswith(SUFFIX) and not item.name.startswith("."):
                    entries.append((stat.st_mtime, stat.st_size, item.path))
                elif item.name.startswith(TEMPORARY_PREFIX) and stat.st_mtime < stale_before:
                    _remove(item.path)
    except OSError as error:
        log.warning("PDF cache: cannot list %s to prune it: %s", folder, error)
        return
    entries.sort(reverse=True)  # the most recently used first
    kept_bytes = 0
    for count, (_mtime, size, entry) in enumerate(entries, start=1):
        kept_bytes += size
        if count > MAX_FILES or kept_bytes > MAX_BYTES:
            _remove(entry)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        log.warning("PDF cache: cannot remove %s: %s", path, error)
