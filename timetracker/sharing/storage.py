"""Where the bytes of shared documents live: a small interface and its local-folder version.

The database keeps a document version's metadata and a random ``storage_key``; the bytes are
kept by the storage under that key, never under a name the uploader chose, and outside the web
root (``DOCUMENTS_DIR``), so no web server can serve them by accident. Another storage (an S3
bucket, say) only needs the three methods of :class:`Storage`.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from flask import current_app

#: A storage key: 64 hex digits (256 random bits), so a key can never be a path.
KEY_RE = re.compile(r"[0-9a-f]{64}")
CHUNK = 64 * 1024


class StoredFileMissing(LookupError):
    """The storage holds no file under the key (lost, or never written)."""


class Storage(Protocol):
    def put(self, stream: BinaryIO) -> str:
        """Store the stream's bytes (from its current position) under a new random key."""

    def open(self, key: str) -> BinaryIO:
        """The bytes stored under ``key``; raises :class:`StoredFileMissing`."""

    def delete(self, key: str) -> None:
        """Remove the bytes stored under ``key`` (nothing happens when there are none)."""


def new_key() -> str:
    return secrets.token_hex(32)


class LocalFolderStorage:
    """Files in a folder of the server, ``<root>/<first two digits of the key>/<key>``. The
    folders are made on first use, readable by the application's user only (0700, files
    0600)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY_RE.fullmatch(key):
            raise StoredFileMissing(key)
        return self.root / key[:2] / key

    def _make_folders(self, folder: Path) -> None:
        if not self.root.is_dir():
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.root, 0o700)  # mkdir's mode is masked by the umask
        if not folder.is_dir():
            folder.mkdir(mode=0o700, exist_ok=True)
            os.chmod(folder, 0o700)

    def put(self, stream: BinaryIO) -> str:
        key = new_key()
        path = self._path(key)
        self._make_folders(path.parent)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as out:
                while chunk := stream.read(CHUNK):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise StoredFileMissing(key) from None

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except StoredFileMissing:
            return

    def keys(self) -> Iterator[str]:
        """Every key stored (for tests and consistency checks)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("??/*")):
            if KEY_RE.fullmatch(path.name):
                yield path.name


def storage() -> LocalFolderStorage:
    """The application's document storage."""
    return LocalFolderStorage(current_app.config["DOCUMENTS_DIR"])
