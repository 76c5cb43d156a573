"""Backing up the database to one file and restoring it (``timetracker backup`` / ``restore``):
the SQLite half in :mod:`.sqlite`, the PostgreSQL half in :mod:`.postgres`.

Every backup records its migration revision (the ``alembic_version`` table): a backup newer than
the code is refused, an older one is restored and then needs ``timetracker db upgrade``.
"""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _

from timetracker.backup import postgres, sqlite
from timetracker.backup.files import (
    BackupError,
    BackupFile,
    check_output_path,
    check_revision,
    database_kind,
)

__all__ = ["BackupError", "BackupFile", "backup", "check_target", "inspect_backup", "restore"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def inspect_backup(path: Path) -> BackupFile:
    """What ``path`` holds; :class:`BackupError` unless it is a backup of this app that the
    code can restore."""
    try:
        with path.open("rb") as file:
            magic = file.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(
            _("Cannot read %(path)s: %(reason)s.", path=path, reason=error.strerror)
        ) from None
    if magic.startswith(SQLITE_MAGIC):
        return BackupFile(path, "sqlite", check_revision(sqlite.revision_of(path), str(path)))
    if magic.startswith(PG_DUMP_MAGIC):
        return BackupFile(path, "postgresql", check_revision(postgres.revision_of(path), str(path)))
    raise BackupError(
        _(
            "%(path)s is not a TimeTracker backup (neither a SQLite database nor a pg_dump "
            "archive).",
            path=path,
        )
    )


def backup(database_url: str, output: Path) -> BackupFile:
    """Write a backup of the database to ``output`` (replaced if it exists)."""
    check_output_path(output)
    try:
        if database_kind(database_url) == "sqlite":
            return sqlite.backup(database_url, output)
        return postgres.backup(database_url, output)
    except OSError as error:
        raise BackupError(_("The backup failed: %(reason)s.", reason=_os_reason(error))) from None


def check_target(database_url: str, backup_file: BackupFile) -> None:
    """Refuse a backup of the other kind of database than DATABASE_URL's."""
    kind = database_kind(database_url)
    if backup_file.kind != kind:
        if backup_file.kind == "sqlite":
            message = _(
                "%(path)s is a SQLite database; DATABASE_URL names a %(kind)s database. Restore "
                "it into a database of the same kind.",
                path=backup_file.path,
                kind=kind,
            )
        else:
            message = _(
                "%(path)s is a PostgreSQL backup; DATABASE_URL names a %(kind)s database. "
                "Restore it into a database of the same kind.",
                path=backup_file.path,
                kind=kind,
            )
        raise BackupError(message)


def restore(database_url: str, backup_file: BackupFile) -> None:
    """Replace the database's contents with ``backup_file`` (see :func:`inspect_backup`)."""
    check_target(database_url, backup_file)
    try:
        if backup_file.kind == "sqlite":
            sqlite.restore(database_url, backup_file)
        else:
            postgres.restore(database_url, backup_file)
    except OSError as error:
        raise BackupError(_("The restore failed: %(reason)s.", reason=_os_reason(error))) from None


def _os_reason(error: OSError) -> str:
    return f"{error.strerror or error}" + (f" ({error.filename})" if error.filename else "")
