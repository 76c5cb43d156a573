"""What a backup is, and the helpers that the SQLite and PostgreSQL halves share."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy.engine import make_url

from timetracker import migrate

VERSION_TABLE = "alembic_version"

Kind = Literal["sqlite", "postgresql"]


class BackupError(RuntimeError):
    """A backup or restore cannot be done; the message is one line for the person running it."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    kind: Kind
    revision: str

    @property
    def is_behind(self) -> bool:
        return self.revision != migrate.head_revision()


def database_kind(database_url: str) -> Kind:
    return "sqlite" if make_url(database_url).get_backend_name() == "sqlite" else "postgresql"


def check_revision(revision: str | None, what: str) -> str:
    """``revision``, unless ``what`` has none or one newer than the code."""
    if revision is None:
        raise BackupError(f"{what} has no schema version ({VERSION_TABLE} is empty).")
    if not migrate.is_known_revision(revision):
        raise BackupError(
            f"{what} is at revision {revision}, newer than this version of TimeTracker "
            f"(head {migrate.head_revision()}): upgrade the app first."
        )
    return revision


def has_schema(revision: str | None, database: object) -> str:
    """A database of any revision can be backed up (even a newer one), but not an empty one."""
    if revision is None:
        raise BackupError(f"The database {database} has no schema yet: nothing to back up.")
    return revision


@contextlib.contextmanager
def temporary_beside(target: Path) -> Iterator[Path]:
    """A temporary path in ``target``'s folder (so that the final rename is atomic), removed
    unless it was renamed into place."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    path = Path(name)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def check_output_path(output: Path) -> None:
    if output.is_dir():
        raise BackupError(f"{output} is a folder; give the backup file's name.")
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist.")
