"""The ``timetracker`` command.

What it tells people (results, refusals, questions) speaks the language of the environment's
``LANG`` (:func:`timetracker.i18n.select_language`) once the app is built; the help texts and
the errors raised before the app exists stay in English.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from timetracker import db
from timetracker.audit.cli import audit_group
from timetracker.auth.passwords import hash_password, password_problem
from timetracker.config import ConfigError
from timetracker.emails import check_email
from timetracker.models import Role, User
from timetracker.models.users import normalize_email
from timetracker.webhooks.cli import webhooks_group


def _create_app() -> Flask:
    from timetracker import create_app

    return create_app()


class TimeTrackerGroup(FlaskGroup):
    """Flask's group with the project's commands registered on it, so that ``--help`` lists
    them without building the app (no configuration needed), and with configuration and
    database errors shown as one line and a non-zero exit instead of a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as error:
            raise click.ClickException(str(error)) from None
        except OperationalError as error:
            # A database failure no command check caught (e.g. the server went away mid-run).
            reason = (str(error.orig).strip().splitlines() or ["unknown error"])[0]
            raise click.ClickException(f"Database error: {reason}") from None


@click.group(cls=TimeTrackerGroup, create_app=_create_app)
def main() -> None:
    """TimeTracker: time tracking, invoicing and a client portal."""


def register_commands(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _require_schema() -> None:
    """Stop with one line unless the app's database answers and is migrated to head."""
    from timetracker.migrate import DatabaseProblem, check_engine

    try:
        check_engine(db.database.engine, current_app.config["DATABASE_URL"])
    except DatabaseProblem as problem:
        raise click.ClickException(str(problem)) from None


@click.group("db", help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply all migrations (creates the database if needed).")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    from timetracker import migrate

    try:
        result = migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    except migrate.DatabaseProblem as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(result.message())


@db_group.command("downgrade", help="Revert migrations down to REVISION.")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    from timetracker import migrate

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(_("Database is at %(revision)s.", revision=revision))


@click.group("users", help="User accounts.")
def users_group() -> None:
    pass


@users_group.command("create", help="Create a staff user (an administrator with --admin).")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--admin", "is_admin", is_flag=True, help="Make the user an administrator.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(email: str, name: str, is_admin: bool, password_stdin: bool) -> None:
    _require_schema()
    try:
        email = normalize_email(check_email(email))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--email") from None
    if not name.strip():
        raise click.BadParameter(_("must not be empty"), param_hint="--name")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(
            _("A user with the email %(email)s already exists.", email=email)
        )
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=Role.ADMIN if is_admin else Role.STAFF,
    )
    db.session.add(user)
    db.session.commit()
    if is_admin:
        click.echo(_("Created administrator %(email)s (id %(id)s).", email=email, id=user.id))
    else:
        click.echo(_("Created staff user %(email)s (id %(id)s).", email=email, id=user.id))


@users_group.command(
    "reset-two-factor",
    help="Turn off two-factor sign-in of the user with EMAIL, for someone who lost both their "
    "authenticator and their recovery codes when no other administrator can reset it.",
)
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def users_reset_two_factor(email: str, yes: bool) -> None:
    from timetracker.auth import second_factor

    _require_schema()
    user = db.session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise click.ClickException(_("No user has the email %(email)s.", email=email.strip()))
    if not user.has_two_factor:
        click.echo(
            _("Two-factor sign-in is not on for %(email)s: nothing to reset.", email=user.email)
        )
        return
    if not yes:
        click.confirm(
            _(
                "Turn off two-factor sign-in of %(name)s <%(email)s>? Their password alone will "
                "sign them in until they set it up again",
                name=user.name,
                email=user.email,
            ),
            abort=True,
        )
    second_factor.remove(db.session, user, on_server=True)
    db.session.commit()
    click.echo(
        _(
            "Two-factor sign-in of %(email)s was reset (recorded in the audit trail); they set it "
            "up again after signing in with their password.",
            email=user.email,
        )
    )


@click.command("demo-data", help="Load deterministic demo data (with --reset: replace all data).")
@click.option("--reset", is_flag=True, help="Delete all existing data first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users already.")
@with_appcontext
def demo_data(reset: bool, if_empty: bool) -> None:
    from timetracker.demo import DEMO_LOGINS, has_data, load_demo_data, wipe

    _require_schema()
    if has_data(db.session):
        if if_empty:
            click.echo(_("The database has data already; demo data not loaded."))
            _print_logins(DEMO_LOGINS)
            return
        if not reset:
            raise click.ClickException(
                _("The database already has data. Use --reset to replace it with demo data.")
            )
        wipe(db.session)
    load_demo_data(db.session)
    db.session.commit()
    click.echo(_("Demo data loaded."))
    _print_logins(DEMO_LOGINS)


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    click.echo(_("Demo logins (email / password):"))
    for role, email, password in logins:
        click.echo(f"  {role:<28} {email} / {password}")


@click.command("serve", help="Serve the application with gunicorn.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 256))
def serve(host: str, port: int, workers: int) -> None:
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise click.BadParameter(
            f"{host!r} is not an address to listen on ({error})", param_hint="'--host'"
        ) from None
    # Build the app once here, so that a configuration or database problem is one line now,
    # before gunicorn binds, rather than a 500 on every request.
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context():
        _require_schema()
        address = f"http://{host}:{port}"
        click.echo(_("Serving on %(address)s", address=address))
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "python:timetracker.gunicorn_conf",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "timetracker.wsgi:app",
    ]
    os.execv(sys.executable, args)  # noqa: S606 - replaces this process with gunicorn


@click.command("worker", help="Run the background job worker (needs REDIS_URL).")
@with_appcontext
def worker() -> None:
    url = current_app.config["REDIS_URL"]
    if not url:
        raise click.ClickException(_("REDIS_URL is not set; without it jobs run inline."))
    _require_schema()
    from timetracker.notifications.jobs import run_worker

    run_worker(url)


@click.command("backup", help="Write a backup of the database to a file.")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file (replaced if it exists).",
)
@with_appcontext
def backup_command(output: Path) -> None:
    from timetracker import backup, migrate

    url = current_app.config["DATABASE_URL"]
    try:
        result = backup.backup(url, output)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        _(
            "Backed up %(database)s (revision %(revision)s) to %(path)s.",
            database=migrate.database_label(url),
            revision=result.revision,
            path=result.path,
        )
    )


@click.command("restore", help="Replace the database's contents with a backup file.")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(backup_file: Path, yes: bool) -> None:
    from timetracker import backup, migrate

    url = current_app.config["DATABASE_URL"]
    try:
        found = backup.inspect_backup(backup_file)
        backup.check_target(url, found)
        label = migrate.database_label(url)
        if not yes:
            click.confirm(
                _(
                    "Replace everything in the database (%(database)s) with the backup %(path)s "
                    "(revision %(revision)s)?",
                    database=label,
                    path=backup_file,
                    revision=found.revision,
                ),
                abort=True,
            )
        # This process must not keep the database open while it is replaced.
        db.database.engine.dispose()
        backup.restore(url, found)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        _(
            "Restored %(database)s from %(path)s (revision %(revision)s).",
            database=label,
            path=backup_file,
            revision=found.revision,
        )
    )
    if found.is_behind:
        # The advice is migrate.UPGRADE_HINT's, written out so that it is translated whole.
        click.echo(
            _(
                "The backup is at revision %(revision)s, behind %(head)s: run `timetracker db "
                "upgrade` before serving.",
                revision=found.revision,
                head=migrate.head_revision(),
            )
        )


COMMANDS = [
    db_group,
    users_group,
    demo_data,
    serve,
    worker,
    backup_command,
    restore_command,
    audit_group,
    webhooks_group,
]
for _command in COMMANDS:
    main.add_command(_command)
