"""SQLite: a backup is a SQLite file made with SQLite's online backup API, consistent even while
the app writes. A restore copies the backup into a temporary file beside the database, checks it
and renames it over the database; it refuses while another process has the database open,
because that process would go on writing to the replaced file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy.engine import make_url

from timetracker import migrate
from timetracker.backup.files import (
    VERSION_TABLE,
    BackupError,
    BackupFile,
    has_schema,
    temporary_beside,
)

#: In the ``-shm`` file, the byte every connection holds a shared lock on while it has the
#: database open in WAL mode (SQLite's unix VFS: 120 + 8 lock slots).
_SHM_DMS_BYTE = 128


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def revision_of(path: Path) -> str | None:
    try:
        with contextlib.closing(read_only(path)) as db:
            has_table = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VERSION_TABLE,)
            ).fetchone()
            if not has_table:
                raise BackupError(
                    _(
                        "%(path)s is a SQLite database but not one of TimeTracker (no %(table)s "
                        "table).",
                        path=path,
                        table=VERSION_TABLE,
                    )
                )
            row = db.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()  # noqa: S608
    except sqlite3.Error as error:
        raise BackupError(
            _("%(path)s cannot be read as a SQLite database: %(reason)s.", path=path, reason=error)
        ) from None
    return row[0] if row else None


def _sqlite_path(database_url: str) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError(_("DATABASE_URL names an in-memory SQLite database; there is no file."))
    return Path(name).resolve()


def backup(database_url: str, output: Path) -> BackupFile:
    source_path = _sqlite_path(database_url)
    if not source_path.is_file():
        raise BackupError(_("There is no database at %(path)s.", path=source_path))
    if output.resolve() == source_path:
        raise BackupError(_("The backup file must not be the database itself."))
    revision = has_schema(revision_of(source_path), source_path)
    try:
        source = read_only(source_path)
    except sqlite3.Error as error:
        raise BackupError(
            _("Cannot open %(path)s: %(reason)s.", path=source_path, reason=error)
        ) from None
    with contextlib.closing(source), temporary_beside(output) as partial:
        try:
            with contextlib.closing(sqlite3.connect(partial)) as copy:
                source.backup(copy)
                _finish_copy(copy, str(output))
        except sqlite3.Error as error:
            raise BackupError(
                _("The backup of %(path)s failed: %(reason)s.", path=source_path, reason=error)
            ) from None
        os.replace(partial, output)
    return BackupFile(output, "sqlite", revision)


def _finish_copy(copy: sqlite3.Connection, what: str) -> None:
    """Check a copy made with the backup API, and make it one self-contained file: a copy of a
    database in WAL mode is in WAL mode too, and SQLite would create a log and an index beside
    it whenever it is read (the app switches its database back to WAL when it connects)."""
    result = copy.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(
            _("%(what)s failed SQLite's integrity check: %(result)s.", what=what, result=result)
        )
    copy.execute("PRAGMA journal_mode=DELETE")


def _in_use_by_another_process(database: Path) -> bool:
    """Whether another process has ``database`` open in WAL mode (as the app does): each such
    connection holds a shared lock on one byte of the ``-shm`` file."""
    shm = Path(f"{database}-shm")
    if not shm.exists():
        return False
    try:
        import fcntl
    except ImportError:  # not a POSIX system: nothing to ask
        return False
    with shm.open("r+b") as file:
        try:
            fcntl.lockf(file, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
        except OSError:
            return True
        fcntl.lockf(file, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
    return False


def restore(database_url: str, backup: BackupFile) -> None:
    target = _sqlite_path(database_url)
    if target == backup.path.resolve():
        raise BackupError(_("The backup file is the database itself."))
    try:
        migrate.ensure_sqlite_dir(database_url)
    except migrate.DatabaseProblem as problem:
        raise BackupError(str(problem)) from None
    if _in_use_by_another_process(target):
        raise BackupError(
            _(
                "The database %(path)s is open in another process: stop `timetracker serve` and "
                "`timetracker worker` before restoring.",
                path=target,
            )
        )
    with temporary_beside(target) as partial:
        try:
            source = read_only(backup.path)
            with contextlib.closing(source), contextlib.closing(sqlite3.connect(partial)) as copy:
                source.backup(copy)
                _finish_copy(copy, str(backup.path))
        except sqlite3.Error as error:
            raise BackupError(
                _("Reading the backup %(path)s failed: %(reason)s.", path=backup.path, reason=error)
            ) from None
        if target.exists():
            partial.chmod(target.stat().st_mode & 0o777)
        # The old database's log and journal belong to the old file: SQLite would apply them
        # to the restored one.
        for suffix in ("-wal", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(partial, target)
        Path(f"{target}-shm").unlink(missing_ok=True)
