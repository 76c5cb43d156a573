"""PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner`` in
one transaction, connected with the settings of DATABASE_URL (the password through
``PGPASSWORD``, never on a command line)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from timetracker import migrate
from timetracker.backup.files import (
    VERSION_TABLE,
    BackupError,
    BackupFile,
    has_schema,
    temporary_beside,
)
from timetracker.db import make_engine


def revision_of(path: Path) -> str | None:
    """The revision in a pg_dump archive: the data of its ``alembic_version`` table."""
    listing = _run_pg(
        [
            _pg_program("pg_restore"),
            "--data-only",
            f"--table={VERSION_TABLE}",
            "--file=-",
            str(path),
        ],
        env=os.environ.copy(),
        what=_("pg_restore could not read %(path)s", path=path),
    )
    lines = listing.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and f"{VERSION_TABLE} " in line:
            value = lines[number + 1].strip() if number + 1 < len(lines) else ""
            return None if value in ("", "\\.") else value
    raise BackupError(
        _(
            "%(path)s is a pg_dump archive but not one of TimeTracker (no %(table)s table).",
            path=path,
            table=VERSION_TABLE,
        )
    )


def _pg_program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            _(
                "%(program)s is not installed: install the PostgreSQL client programs (Debian: "
                "postgresql-client).",
                program=name,
            )
        )
    return path


def libpq_connection(database_url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection string of a SQLAlchemy URL, without the password, and the
    environment that carries the password (``PGPASSWORD``) to pg_dump and pg_restore."""
    from psycopg.conninfo import make_conninfo

    url: URL = make_url(database_url)
    options: dict[str, str] = {}
    for key, value in url.query.items():
        options[key] = value if isinstance(value, str) else value[-1]
    if url.host:
        options["host"] = url.host
    if url.port:
        options["port"] = str(url.port)
    if url.username:
        options["user"] = url.username
    if url.database:
        options["dbname"] = url.database
    env = os.environ.copy()
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return make_conninfo(**options), env


def _first_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    # pg_dump prefixes "pg_dump: error: "; keep the reason.
    errors = [line for line in lines if ": error: " in line]
    line = (errors or lines or ["no message"])[0]
    return re.sub(r"^pg_(dump|restore): error: ", "", line)


def _run_pg(command: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed programs, arguments are not a shell
            command, env=env, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise BackupError(f"{what}: {error.strerror}.") from None
    if done.returncode != 0:
        raise BackupError(f"{what}: {_first_line(done.stderr)}")
    return done.stdout


def _client_major_version(program: str) -> int:
    output = _run_pg(
        [program, "--version"],
        os.environ.copy(),
        _("%(program)s --version failed", program=program),
    )
    match = re.search(r"\(PostgreSQL\) (\d+)", output)
    if not match:
        raise BackupError(
            _(
                "Cannot tell the version of %(program)s from %(output)s.",
                program=program,
                output=repr(output.strip()),
            )
        )
    return int(match.group(1))


def _server_state(database_url: str) -> tuple[int, str | None, set[str]]:
    """The server's major version, the database's revision and its tables."""
    engine = make_engine(database_url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
            revision = migrate.current_revision(connection)
            tables = set(inspect(connection).get_table_names())
    except SQLAlchemyError as error:
        raise BackupError(migrate.describe_connection_error(database_url, error)) from None
    finally:
        engine.dispose()
    return version // 10000, revision, tables


def _check_client_version(program: str, server_major: int) -> str:
    path = _pg_program(program)
    client_major = _client_major_version(path)
    if client_major < server_major:
        raise BackupError(
            _(
                "%(program)s %(client)s is older than the PostgreSQL server (%(server)s): "
                "install the client programs of version %(server)s or newer.",
                program=program,
                client=client_major,
                server=server_major,
            )
        )
    return path


def backup(database_url: str, output: Path) -> BackupFile:
    server_major, revision, _tables = _server_state(database_url)
    has_schema(revision, migrate.database_label(database_url))
    pg_dump = _check_client_version("pg_dump", server_major)
    conninfo, env = libpq_connection(database_url)
    with temporary_beside(output) as partial:
        _run_pg(
            [pg_dump, "--format=custom", f"--file={partial}", f"--dbname={conninfo}"],
            env,
            _("pg_dump failed"),
        )
        revision = has_schema(revision_of(partial), migrate.database_label(database_url))
        info = BackupFile(output, "postgresql", revision)
        os.replace(partial, output)
    return info


def _pg_archive_contents(backup: BackupFile) -> tuple[set[str], set[tuple[str, str]]]:
    """The tables of a pg_dump archive and its foreign keys as (table, constraint)."""
    listing = _run_pg(
        [_pg_program("pg_restore"), "--list", str(backup.path)],
        os.environ.copy(),
        _("pg_restore could not read %(path)s", path=backup.path),
    )
    # Lines such as "215; 1259 16390 TABLE public users postgres" and
    # "3301; 2606 16520 FK CONSTRAINT public time_entries fk_time_entries_user_id_users postgres".
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.MULTILINE))
    foreign_keys = set(
        re.findall(r"^\d+; \d+ \d+ FK CONSTRAINT \S+ (\S+) (\S+) ", listing, re.MULTILINE)
    )
    return tables, foreign_keys


_FOREIGN_KEYS = text(
    "SELECT c.relname, k.conname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE k.contype = 'f' AND n.nspname = current_schema()"
)


def _drop_what_the_backup_lacks(database_url: str, backup: BackupFile, tables: set[str]) -> None:
    """A backup of an older schema lacks the tables and foreign keys later migrations added:
    --clean would leave those tables behind (and `timetracker db upgrade` would then fail to
    create them again), and a foreign key it does not know (a newer column referring to
    ``users``) keeps it from dropping the table it refers to."""
    archive_tables, archive_foreign_keys = _pg_archive_contents(backup)
    leftovers = sorted(tables - archive_tables)
    engine = make_engine(database_url, connect_args={"connect_timeout": 5})
    try:
        with engine.begin() as connection:
            quote = connection.dialect.identifier_preparer.quote
            for table in leftovers:
                connection.execute(text(f"DROP TABLE IF EXISTS {quote(table)} CASCADE"))
            for table, name in connection.execute(_FOREIGN_KEYS).all():
                if (table, name) not in archive_foreign_keys:
                    connection.execute(
                        text(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
                    )
    except SQLAlchemyError as error:
        raise BackupError(migrate.describe_connection_error(database_url, error)) from None
    finally:
        engine.dispose()


def restore(database_url: str, backup: BackupFile) -> None:
    server_major, _revision, tables = _server_state(database_url)
    pg_restore = _check_client_version("pg_restore", server_major)
    conninfo, env = libpq_connection(database_url)
    _drop_what_the_backup_lacks(database_url, backup, tables)
    _run_pg(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges"]
        + ["--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(backup.path)],
        env,
        _("pg_restore failed"),
    )
