"""``timetracker backup`` and ``timetracker restore``: a backup of the demo data restored into a
fresh database holds every row of every table, on SQLite and on PostgreSQL; a file that is not
a backup of this app, or one newer than the code, is refused with one line."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import ScriptInfo
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import _create_postgres_database, _drop_postgres_database, _worker
from timetracker import create_app, migrate
from timetracker.backup.postgres import libpq_connection
from timetracker.cli import main
from timetracker.db import make_engine

# Starts real servers or programs: `make test-servers` (and .ci/run), not `make test`.
pytestmark = pytest.mark.servers

GOOD_KEY = "b" * 64
ENV_NAMES = ("SECRET_KEY", "DATABASE_URL", "TIMETRACKER_DEV", "TIMETRACKER_DEBUG", "REDIS_URL")
#: Tables the demo data must fill, so that comparing them compares something.
FILLED_TABLES = ("users", "clients", "projects", "time_entries", "invoices", "invoice_items")


def run(database_url: str, *args: str, input: str | None = None, **env: str) -> Result:
    """``timetracker ARGS`` in this process, with the app's connections closed afterwards (a
    real command's process ends; here they would be left for the garbage collector)."""
    environment: dict[str, str | None] = dict.fromkeys(ENV_NAMES)
    environment.update(SECRET_KEY=GOOD_KEY, DATABASE_URL=database_url, **env)
    apps: list[Flask] = []

    def build() -> Flask:
        apps.append(create_app())
        return apps[-1]

    try:
        return CliRunner().invoke(
            main, list(args), env=environment, input=input, obj=ScriptInfo(create_app=build)
        )
    finally:
        for app in apps:
            app.extensions["timetracker.engine"].dispose()


def ok(result: Result) -> str:
    assert result.exit_code == 0, result.output
    return result.output


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


def fingerprints(database_url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a sha256 over its rows as text, ordered by primary key."""
    engine = make_engine(database_url)
    result = {}
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            quote = connection.dialect.identifier_preparer.quote
            for table in inspector.get_table_names():
                key = inspector.get_pk_constraint(table)["constrained_columns"]
                columns = key or [column["name"] for column in inspector.get_columns(table)]
                order = ", ".join(quote(column) for column in columns)
                rows = connection.execute(
                    text(f"SELECT * FROM {quote(table)} ORDER BY {order}")
                ).all()
                digest = hashlib.sha256()
                for row in rows:
                    digest.update(repr(tuple(str(value) for value in row)).encode() + b"\n")
                result[table] = (len(rows), digest.hexdigest())
    finally:
        engine.dispose()
    return result


def assert_demo_data(found: dict[str, tuple[int, str]]) -> None:
    for table in FILLED_TABLES:
        assert found[table][0] > 0, f"the demo data left {table} empty"
    assert found["alembic_version"][0] == 1


def previous_revision() -> str:
    scripts = migrate.ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    head = scripts.get_revision(migrate.head_revision())
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


# SQLite ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A SQLite database with the demo data, and a backup of it."""
    folder = tmp_path_factory.mktemp("backup-source")
    url = f"sqlite:///{folder / 'timetracker.db'}"
    ok(run(url, "db", "upgrade"))
    ok(run(url, "demo-data"))
    (folder / "backups").mkdir()
    backup = folder / "backups" / "demo.backup"
    output = ok(run(url, "backup", "--output", str(backup)))
    assert f"(revision {migrate.head_revision()}) to {backup}" in output
    assert backup.stat().st_mode & 0o777 == 0o600  # it holds password hashes
    return url, backup


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_sqlite_backup_restores_every_row_into_a_fresh_database(
    sqlite_demo: tuple[str, Path], tmp_path: Path
) -> None:
    source, backup = sqlite_demo
    target = sqlite_url(tmp_path / "new-data-folder" / "timetracker.db")
    output = ok(run(target, "restore", "--yes", str(backup)))
    assert "Restored SQLite file" in output and "db upgrade" not in output
    expected = fingerprints(source)
    assert_demo_data(expected)
    assert fingerprints(target) == expected
    migrate.check_database(target)  # at head, and the app can use it
    # No temporary file is left, and reading the backup wrote nothing beside it.
    assert [p.name for p in (tmp_path / "new-data-folder").iterdir()] == ["timetracker.db"]
    assert list(backup.parent.iterdir()) == [backup]


def test_sqlite_backup_is_a_consistent_copy_while_the_database_is_open(
    sqlite_demo: tuple[str, Path], tmp_path: Path
) -> None:
    """The online backup API copies a database that another connection holds open in WAL mode
    with a write that is not checkpointed yet."""
    _source, backup = sqlite_demo
    live = tmp_path / "live.db"
    ok(run(sqlite_url(live), "restore", "--yes", str(backup)))
    engine = make_engine(sqlite_url(live))
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE clients SET name = name || ' (renamed)'"))
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert Path(f"{live}-wal").stat().st_size > 0  # the change is in the log only
            ok(run(sqlite_url(live), "backup", "-o", str(tmp_path / "live.backup")))
        expected = fingerprints(sqlite_url(live))
    finally:
        engine.dispose()
    copy = sqlite3.connect(tmp_path / "live.backup")
    names = [row[0] for row in copy.execute("SELECT name FROM clients")]
    copy.close()
    assert names and all(name.endswith(" (renamed)") for name in names)
    restored = sqlite_url(tmp_path / "restored.db")
    ok(run(restored, "restore", "--yes", str(tmp_path / "live.backup")))
    assert fingerprints(restored) == expected


def test_sqlite_restore_replaces_an_existing_database(
    sqlite_demo: tuple[str, Path], tmp_path: Path
) -> None:
    source, backup = sqlite_demo
    target = sqlite_url(tmp_path / "timetracker.db")
    migrate.upgrade(target)
    engine = make_engine(target)
    with engine.begin() as connection:  # leaves a write-ahead log behind, as the app does
        connection.execute(text("DELETE FROM alembic_version"))
    engine.dispose()
    ok(run(target, "restore", "--yes", str(backup)))
    assert fingerprints(target) == fingerprints(source)


def test_sqlite_restore_asks_first(sqlite_demo: tuple[str, Path], tmp_path: Path) -> None:
    _source, backup = sqlite_demo
    target = tmp_path / "timetracker.db"
    migrate.upgrade(sqlite_url(target))
    before = fingerprints(sqlite_url(target))
    refused = run(sqlite_url(target), "restore", str(backup), input="n\n")
    assert refused.exit_code != 0
    assert "Replace everything in the database (SQLite file" in refused.output
    assert fingerprints(sqlite_url(target)) == before
    accepted = run(sqlite_url(target), "restore", str(backup), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert fingerprints(sqlite_url(target))["users"][0] > 0


def test_sqlite_restore_refuses_while_another_process_has_the_database_open(
    sqlite_demo: tuple[str, Path], tmp_path: Path
) -> None:
    _source, backup = sqlite_demo
    target = tmp_path / "timetracker.db"
    migrate.upgrade(sqlite_url(target))
    holder = subprocess.Popen(  # noqa: S603 - a second process holding the database open
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('PRAGMA journal_mode=WAL'); c.execute('SELECT 1 FROM users').fetchall(); "
            "print('open', flush=True); sys.stdin.read()",
            str(target),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        before = fingerprints(sqlite_url(target))
        line = one_line_error(run(sqlite_url(target), "restore", "--yes", str(backup)))
        assert "is open in another process" in line
        assert fingerprints(sqlite_url(target)) == before
    finally:
        holder.communicate("", timeout=30)
    ok(run(sqlite_url(target), "restore", "--yes", str(backup)))


def test_restoring_an_older_revision_says_to_upgrade(tmp_path: Path) -> None:
    older = previous_revision()
    source = sqlite_url(tmp_path / "old.db")
    migrate.upgrade(source, older)
    ok(run(source, "backup", "-o", str(tmp_path / "old.backup")))
    target = sqlite_url(tmp_path / "restored.db")
    output = ok(run(target, "restore", "--yes", str(tmp_path / "old.backup")))
    assert f"The backup is at revision {older}, behind {migrate.head_revision()}" in output
    assert "run `timetracker db upgrade`" in output
    ok(run(target, "db", "upgrade"))
    migrate.check_database(target)


def test_a_backup_newer_than_the_code_is_refused(
    sqlite_demo: tuple[str, Path], tmp_path: Path
) -> None:
    _source, backup = sqlite_demo
    newer = tmp_path / "newer.backup"
    shutil.copy(backup, newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    target = tmp_path / "timetracker.db"
    line = one_line_error(run(sqlite_url(target), "restore", "--yes", str(newer)))
    assert "revision 9999_from_the_future, newer than this version" in line
    assert line.endswith("upgrade the app first.")
    assert not target.exists()


def test_files_that_are_not_backups_of_this_app_are_refused(tmp_path: Path) -> None:
    target = sqlite_url(tmp_path / "timetracker.db")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n" * 10)
    other_sqlite = tmp_path / "other.db"
    with sqlite3.connect(other_sqlite) as connection:
        connection.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    connection.close()
    cases = {
        text_file: "is not a TimeTracker backup",
        other_sqlite: "is a SQLite database but not one of TimeTracker (no alembic_version",
        tmp_path / "missing.backup": "Cannot read",
    }
    for path, expected in cases.items():
        line = one_line_error(run(target, "restore", "--yes", str(path)))
        assert expected in line, line
    assert not (tmp_path / "timetracker.db").exists()


def test_backup_failures_are_one_line(tmp_path: Path) -> None:
    missing = sqlite_url(tmp_path / "missing.db")
    output = tmp_path / "x.backup"
    assert "There is no database at" in one_line_error(run(missing, "backup", "-o", str(output)))
    empty = sqlite_url(tmp_path / "empty.db")
    sqlite3.connect(tmp_path / "empty.db").close()
    line = one_line_error(run(empty, "backup", "-o", str(output)))
    assert "not one of TimeTracker" in line
    migrate.upgrade(empty)
    line = one_line_error(run(empty, "backup", "-o", str(tmp_path / "no-such-dir" / "x.backup")))
    assert "does not exist" in line
    assert not output.exists()


# PostgreSQL --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_base() -> str:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.skip("needs TEST_DATABASE_URL=postgresql+psycopg://...")
    return base


@pytest.fixture
def postgres_databases(postgres_base: str) -> Iterator[tuple[str, str]]:
    """Two fresh databases: the source and the restore target (dropped afterwards)."""
    stem = f"{make_url(postgres_base).database}_backup_{_worker()}"
    names = (f"{stem}_source", f"{stem}_target")
    urls = tuple(_create_postgres_database(postgres_base, name) for name in names)
    try:
        yield urls[0], urls[1]
    finally:
        for name in names:
            _drop_postgres_database(postgres_base, name)


@pytest.mark.postgres
def test_postgres_backup_restores_every_row_into_a_fresh_database(
    postgres_databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = postgres_databases
    ok(run(source, "db", "upgrade"))
    ok(run(source, "demo-data"))
    backup = tmp_path / "demo.dump"
    ok(run(source, "backup", "--output", str(backup)))
    assert backup.read_bytes().startswith(b"PGDMP")
    assert backup.stat().st_mode & 0o777 == 0o600
    output = ok(run(target, "restore", "--yes", str(backup)))
    assert "Restored PostgreSQL at" in output
    expected = fingerprints(source)
    assert_demo_data(expected)
    assert fingerprints(target) == expected
    migrate.check_database(target)
    # Restoring again over the restored data (pg_restore --clean) changes nothing.
    ok(run(target, "restore", "--yes", str(backup)))
    assert fingerprints(target) == expected
    # A SQLite backup is not restored into PostgreSQL.
    sqlite_source = sqlite_url(tmp_path / "s.db")
    migrate.upgrade(sqlite_source)
    ok(run(sqlite_source, "backup", "-o", str(tmp_path / "s.backup")))
    line = one_line_error(run(target, "restore", "--yes", str(tmp_path / "s.backup")))
    assert "is a SQLite database; DATABASE_URL names a postgresql database" in line
    # ...nor the other way round, and that is said before asking anything.
    line = one_line_error(run(sqlite_source, "restore", str(backup)))
    assert "is a PostgreSQL backup; DATABASE_URL names a sqlite database" in line


@pytest.mark.postgres
def test_postgres_restore_of_an_older_backup_drops_newer_tables(
    postgres_databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = postgres_databases
    older = previous_revision()
    migrate.upgrade(source, older)
    ok(run(source, "backup", "-o", str(tmp_path / "old.dump")))
    migrate.upgrade(target)
    output = ok(run(target, "restore", "--yes", str(tmp_path / "old.dump")))
    assert f"The backup is at revision {older}, behind" in output
    assert fingerprints(target).keys() == fingerprints(source).keys()
    ok(run(target, "db", "upgrade"))
    migrate.check_database(target)


@pytest.mark.postgres
def test_postgres_refusals_are_one_line(
    postgres_databases: tuple[str, str], tmp_path: Path
) -> None:
    source, target = postgres_databases
    migrate.upgrade(source)
    engine = make_engine(source)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    engine.dispose()
    newer = tmp_path / "newer.dump"
    ok(run(source, "backup", "-o", str(newer)))  # any migrated database can be backed up
    line = one_line_error(run(target, "restore", "--yes", str(newer)))
    assert line.endswith("upgrade the app first.")

    empty_path = tmp_path / "bin-without-pg"
    empty_path.mkdir()
    line = one_line_error(
        run(source, "backup", "-o", str(tmp_path / "x.dump"), PATH=str(empty_path))
    )
    assert "pg_dump is not installed" in line

    # An older pg_dump than the server: a stand-in that reports version 9.
    old_client = tmp_path / "old-client"
    old_client.mkdir()
    fake = old_client / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    line = one_line_error(
        run(source, "backup", "-o", str(tmp_path / "x.dump"), PATH=str(old_client))
    )
    assert "pg_dump 9 is older than the PostgreSQL server" in line

    wrong_password = make_url(source).set(password="wrong", host="127.0.0.1", port=1)
    line = one_line_error(
        run(wrong_password.render_as_string(False), "backup", "-o", str(tmp_path / "y.dump"))
    )
    assert "Cannot connect to the database (PostgreSQL at 127.0.0.1:1/" in line
    assert "wrong" not in line
    assert not (tmp_path / "x.dump").exists() and not (tmp_path / "y.dump").exists()


def test_the_libpq_connection_carries_the_password_in_the_environment_only() -> None:
    conninfo, env = libpq_connection(
        "postgresql+psycopg://tt:p%40ss%20word@db.example:5433/tracker?sslmode=require"
    )
    assert env["PGPASSWORD"] == "p@ss word"
    assert "p@ss" not in conninfo and "password" not in conninfo
    assert conninfo_to_dict(conninfo) == {
        "host": "db.example",
        "port": "5433",
        "user": "tt",
        "dbname": "tracker",
        "sslmode": "require",
    }
