"""The `timetracker` command."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from timetracker import create_app, db, migrate
from timetracker.billing import states
from timetracker.models import Client, Invoice, InvoiceStatus, User


@pytest.fixture
def cli_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    yield app
    app.extensions["timetracker.engine"].dispose()


def test_db_upgrade_creates_the_schema(cli_app):
    result = cli_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"now at {migrate.head_revision()}" in result.output


def test_users_create_with_password_from_stdin(cli_app):
    runner = cli_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Boss@Example.com",
            "--name",
            "Boss",
            "--admin",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    with cli_app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        assert user.is_admin and user.name == "Boss"
    client = cli_app.test_client()
    assert login(client, "boss@example.com", "a-long-password").status_code == 302


def test_users_create_refuses_duplicates_short_passwords_and_bad_emails(cli_app):
    runner = cli_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    args = ["users", "create", "--email", "a@example.com", "--name", "A", "--password-stdin"]
    assert runner.invoke(args=args, input="long-enough-1\n").exit_code == 0
    duplicate = runner.invoke(args=args, input="long-enough-1\n")
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    short = runner.invoke(
        args=["users", "create", "--email", "b@example.com", "--name", "B", "--password-stdin"],
        input="short\n",
    )
    assert short.exit_code != 0 and "at least 8" in short.output
    bad = runner.invoke(
        args=["users", "create", "--email", "not-an-email", "--name", "C", "--password-stdin"],
        input="long-enough-1\n",
    )
    assert bad.exit_code != 0


def test_users_create_prompts_for_the_password(cli_app):
    runner = cli_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    result = runner.invoke(
        args=["users", "create", "--email", "p@example.com", "--name", "P"],
        input="prompted-pass\nprompted-pass\n",
    )
    assert result.exit_code == 0, result.output


def test_demo_data_is_deterministic_and_complete(cli_app):
    runner = cli_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "admin@example.com / admin-demo-pass" in first.output
    assert "portal@acme.example" in first.output
    with cli_app.app_context():
        clients = db.session.scalars(select(Client)).all()
        assert len(clients) >= 3 and any(not c.is_active for c in clients)
        statuses = set(db.session.scalars(select(Invoice.status)))
        assert statuses == {s.value for s in InvoiceStatus}
        portal_clients = set(
            db.session.scalars(select(User.client_id).where(User.client_portal_enabled))
        )
        assert len(portal_clients) == 2
        snapshot = db.session.execute(select(func.count(Invoice.id), func.sum(Invoice.total))).one()
    again = runner.invoke(args=["demo-data"])
    assert again.exit_code != 0 and "--reset" in again.output
    reset = runner.invoke(args=["demo-data", "--reset"])
    assert reset.exit_code == 0, reset.output
    with cli_app.app_context():
        assert (
            db.session.execute(select(func.count(Invoice.id), func.sum(Invoice.total))).one()
            == snapshot
        )


def test_demo_data_has_overdue_invoices(cli_app):
    from timetracker import firm

    runner = cli_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    runner.invoke(args=["demo-data"])
    with cli_app.app_context():
        invoices = db.session.scalars(select(Invoice)).all()
        assert any(states.is_overdue(i, firm.today()) for i in invoices)


def test_serve_help_shows_the_default_bind(cli_app):
    result = cli_app.test_cli_runner().invoke(args=["serve", "--help"])
    assert "127.0.0.1" in result.output


def test_missing_secret_key_in_production_is_a_startup_error(monkeypatch):
    from timetracker.config import ConfigError, load_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TIMETRACKER_DEBUG", raising=False)
    monkeypatch.delenv("TIMETRACKER_DEV", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()


def test_migrate_helper_is_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    migrate.upgrade(url)
    migrate.upgrade(url)


def test_users_reset_two_factor_for_an_administrator_locked_out(cli_app):
    """The sole administrator lost their authenticator and recovery codes: the server's
    operator turns two-factor sign-in off; it is audited, and a 'no' or an unknown email
    changes nothing."""
    from timetracker import firm
    from timetracker.audit import Kind
    from timetracker.auth import second_factor
    from timetracker.models import AuditEvent, RecoveryCode

    runner = cli_app.test_cli_runner()
    runner.invoke(args=["db", "upgrade"])
    create = ["users", "create", "--email", "boss@example.com", "--name", "Boss", "--admin"]
    assert (
        runner.invoke(args=[*create, "--password-stdin"], input="a-long-password\n").exit_code == 0
    )
    reset = ["users", "reset-two-factor"]
    off = runner.invoke(args=[*reset, "boss@example.com", "--yes"])
    assert off.exit_code == 0 and "not on for boss@example.com" in off.output

    with cli_app.app_context():
        boss = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        second_factor.start_enrolment(boss)
        boss.totp_enabled_at = firm.now()
        second_factor.new_recovery_codes(db.session, boss)
        db.session.commit()

    refused = runner.invoke(args=[*reset, "Boss@Example.com"], input="n\n")
    assert refused.exit_code == 1 and "Aborted" in refused.output
    unknown = runner.invoke(args=[*reset, "nobody@example.com", "--yes"])
    assert unknown.exit_code == 1 and "No user has the email nobody@example.com." in unknown.output
    with cli_app.app_context():
        assert db.session.scalar(
            select(User).where(User.email == "boss@example.com")
        ).has_two_factor

    done = runner.invoke(args=[*reset, "Boss@Example.com"], input="y\n")
    assert done.exit_code == 0, done.output
    assert "Two-factor sign-in of boss@example.com was reset" in done.output
    with cli_app.app_context():
        boss = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        assert not boss.has_two_factor and boss.totp_secret is None
        codes = (
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == boss.id)
        )
        assert db.session.scalar(codes) == 0
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.kind == Kind.TWO_FACTOR_RESET)
        ).one()
        assert (event.subject_id, event.actor_id) == (boss.id, None)
        assert event.detail == second_factor.ON_THE_COMMAND_LINE
    # The password alone signs the administrator in again.
    assert login(cli_app.test_client(), "boss@example.com", "a-long-password").status_code == 302
