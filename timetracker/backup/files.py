"""What a backup is, and the helpers that the SQLite and PostgreSQL halves share."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from flask_babel import gettext as _
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
        raise BackupError(
            _(
                "%(what)s has no schema version (%(table)s is empty).",
                what=what,
                table=VERSION_TABLE,
            )
        )
    if not migrate.is_known_revision(revision):
        raise BackupError(
            _(
                "%(what)s is at revision %(revision)s, newer than this version of TimeTracker "
                "(head %(head)s): upgrade the app first.",
                what=what,
                revision=revision,
                head=migrate.head_revision(),
            )
        )
    return revision


def has_schema(revision: str | None, database: object) -> str:
    """A database of any revision can be backed up (even a newer one), but not an empty one."""
    if revision is None:
        raise BackupError(
            _("The database %(database)s has no schema yet: nothing to back up.", database=database)
        )
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
        raise BackupError(_("%(path)s is a folder; give the backup file's name.", path=output))
    if not output.parent.is_dir():
        raise BackupError(_("The folder %(folder)s does not exist.", folder=output.parent))
