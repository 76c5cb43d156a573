"""Start-up and CLI failures are one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from timetracker import config, migrate
from timetracker.cli import main
from timetracker.config import ConfigError, load_config
from timetracker.db import make_engine

GOOD_KEY = "k" * 64
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/timetracker"
ENV_NAMES = ("SECRET_KEY", "DATABASE_URL", "TIMETRACKER_DEV", "TIMETRACKER_DEBUG", "REDIS_URL")


def run(args: list[str], input: str | None = None, **env: str) -> Result:
    """``timetracker ARGS`` as from a shell, with exactly ``env`` among the app's settings."""
    environment: dict[str, str | None] = dict.fromkeys(ENV_NAMES)
    environment.update(env)
    return CliRunner().invoke(main, args, env=environment, input=input)


def one_line_error(result: Result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.fixture
def no_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve`` must stop before it replaces the test process with gunicorn."""

    def refuse(*_args: object) -> None:
        raise AssertionError("serve tried to start gunicorn")

    monkeypatch.setattr(os, "execv", refuse)


@pytest.fixture
def empty_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture
def migrated_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    migrate.upgrade(url)
    return url


# --help works without any configuration ---------------------------------------------------------


def test_help_needs_no_configuration_and_lists_the_commands(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    result = subprocess.run(
        [str(Path(sys.executable).parent / "timetracker"), "--help"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""
    for command in ("db", "users", "demo-data", "serve", "worker"):
        assert f"  {command} " in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["db", "--help"],
        ["db", "upgrade", "--help"],
        ["users", "create", "--help"],
        ["serve", "--help"],
    ],
)
def test_every_help_needs_no_configuration(args: list[str]) -> None:
    result = run(args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")


# SECRET_KEY --------------------------------------------------------------------------------------


def test_missing_secret_key_is_one_line(empty_db: str) -> None:
    line = one_line_error(run(["db", "upgrade"], DATABASE_URL=empty_db))
    assert "SECRET_KEY is not set" in line


def test_short_secret_key_is_refused_outside_development(empty_db: str) -> None:
    line = one_line_error(run(["db", "upgrade"], SECRET_KEY="x" * 31, DATABASE_URL=empty_db))
    assert "SECRET_KEY is too short (31 bytes)" in line and "32" in line


def test_short_secret_key_is_fine_in_development_and_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "short")
    monkeypatch.setenv("TIMETRACKER_DEV", "1")
    assert load_config()["SECRET_KEY"] == "short"
    monkeypatch.delenv("TIMETRACKER_DEV")
    assert load_config({"TESTING": True})["SECRET_KEY"] == "short"
    with pytest.raises(ConfigError, match="too short"):
        load_config()


def test_the_development_key_file_is_used_without_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key_file = tmp_path / "secret_key"
    key_file.write_text(GOOD_KEY + "\n")
    monkeypatch.setattr(config, "SECRET_KEY_FILE", key_file)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    assert load_config()["SECRET_KEY"] == GOOD_KEY
    monkeypatch.setenv("SECRET_KEY", "e" * 40)
    assert load_config()["SECRET_KEY"] == "e" * 40


def test_the_key_file_is_where_make_writes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    makefile = (config.PROJECT_ROOT / "Makefile").read_text()
    assert "instance/secret_key:" in makefile
    monkeypatch.setattr(config, "SECRET_KEY_FILE", None)
    monkeypatch.delenv(config.DATA_ENV, raising=False)
    monkeypatch.chdir(config.PROJECT_ROOT)
    assert config.secret_key_file() == config.PROJECT_ROOT / "instance" / "secret_key"


def test_the_data_folder_holds_the_key_and_the_default_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(config, "SECRET_KEY_FILE", None)
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path / "data"))
    assert config.secret_key_file() == tmp_path / "data" / "secret_key"
    assert config.default_database_url() == f"sqlite:///{tmp_path / 'data' / 'timetracker.db'}"
    monkeypatch.delenv(config.DATA_ENV)
    monkeypatch.chdir(tmp_path)
    assert config.default_database_url() == f"sqlite:///{tmp_path / 'instance' / 'timetracker.db'}"


# DATABASE_URL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "DATABASE_URL is not a valid database URL"),
        ("postgresql://h:port/db", "DATABASE_URL is not a valid database URL"),
        ("mysql://u@h/db", "'mysql', which TimeTracker does not support"),
        ("postgresql+psycopg2://u@h/db", "does not support"),
    ],
)
def test_bad_database_url_is_one_line(url: str, expected: str) -> None:
    line = one_line_error(run(["db", "upgrade"], SECRET_KEY=GOOD_KEY, DATABASE_URL=url))
    assert expected in line


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgres_aliases_mean_psycopg_3(monkeypatch: pytest.MonkeyPatch, scheme: str) -> None:
    monkeypatch.setenv("DATABASE_URL", f"{scheme}://u:p@db.example:5433/tt")
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    url = load_config()["DATABASE_URL"]
    assert url == "postgresql+psycopg://u:p@db.example:5433/tt"
    engine = make_engine(f"{scheme}://u:p@db.example:5433/tt")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


# Unreachable, unmigrated and behind databases ----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["db", "upgrade"],
        ["users", "create", "--email", "a@example.com", "--name", "A", "--password-stdin"],
        ["demo-data"],
        ["serve"],
    ],
)
def test_unreachable_database_is_one_line(args: list[str], no_exec: None) -> None:
    result = run(args, input="long-enough-1\n", SECRET_KEY=GOOD_KEY, DATABASE_URL=UNREACHABLE)
    line = one_line_error(result)
    assert "Cannot connect to the database (PostgreSQL at 127.0.0.1:1/timetracker)" in line


def test_unreachable_sqlite_file_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'sub' / 'x.db'}"
    (tmp_path / "missing-dir").write_text("a file where a folder should be")
    line = one_line_error(run(["db", "upgrade"], SECRET_KEY=GOOD_KEY, DATABASE_URL=url))
    assert "Cannot create the folder of the SQLite file" in line


@pytest.mark.parametrize(
    "args",
    [
        ["users", "create", "--email", "a@example.com", "--name", "A", "--password-stdin"],
        ["demo-data"],
        ["serve"],
    ],
)
def test_unmigrated_database_says_run_db_upgrade(
    args: list[str], empty_db: str, no_exec: None
) -> None:
    result = run(args, input="long-enough-1\n", SECRET_KEY=GOOD_KEY, DATABASE_URL=empty_db)
    line = one_line_error(result)
    assert "no schema" in line and "run `timetracker db upgrade`" in line


def test_database_behind_head_says_run_db_upgrade(tmp_path: Path, no_exec: None) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    migrate.upgrade(url, "0002")
    result = run(["serve"], SECRET_KEY=GOOD_KEY, DATABASE_URL=url)
    line = one_line_error(result)
    assert f"at revision 0002, behind {migrate.head_revision()}" in line
    assert "run `timetracker db upgrade`" in line


# serve's options --------------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "0", "http", "-1"])
def test_bad_port_is_a_usage_error(port: str, migrated_db: str, no_exec: None) -> None:
    result = run(["serve", "--port", port], SECRET_KEY=GOOD_KEY, DATABASE_URL=migrated_db)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Invalid value for '--port'" in result.output


def test_bad_host_is_a_usage_error(migrated_db: str, no_exec: None) -> None:
    result = run(
        ["serve", "--host", "no such host!"], SECRET_KEY=GOOD_KEY, DATABASE_URL=migrated_db
    )
    assert result.exit_code == 2
    assert "Invalid value for '--host'" in result.output


# db upgrade says what it did --------------------------------------------------------------------


def test_db_upgrade_says_what_it_applied(empty_db: str) -> None:
    head = migrate.head_revision()
    first = run(["db", "upgrade"], SECRET_KEY=GOOD_KEY, DATABASE_URL=empty_db)
    assert first.exit_code == 0, first.output
    count = len(
        list(migrate.ScriptDirectory.from_config(migrate.alembic_config(empty_db)).walk_revisions())
    )
    assert f"Applied {count} migrations, now at {head}." in first.output
    again = run(["db", "upgrade"], SECRET_KEY=GOOD_KEY, DATABASE_URL=empty_db)
    assert again.exit_code == 0, again.output
    assert f"Already up to date at {head}." in again.output
    assert "Applied" not in again.output
