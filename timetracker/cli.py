"""The ``timetracker`` command."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from timetracker import db
from timetracker.auth.passwords import hash_password, password_problem
from timetracker.models import Role, User
from timetracker.models.users import normalize_email


def _create_app() -> Flask:
    from timetracker import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """TimeTracker: time tracking, invoicing and a client portal."""


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(users_group)
    app.cli.add_command(demo_data)
    app.cli.add_command(serve)
    app.cli.add_command(worker)


@click.group("db", help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply all migrations (creates the database if needed).")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    from timetracker import migrate

    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo("Database is up to date.")


@db_group.command("downgrade", help="Revert migrations down to REVISION.")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    from timetracker import migrate

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}.")


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
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise click.BadParameter("not a valid email address", param_hint="--email")
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"A user with the email {email} already exists.")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=Role.ADMIN if is_admin else Role.STAFF,
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {'administrator' if is_admin else 'staff user'} {email} (id {user.id}).")


@click.command("demo-data", help="Load deterministic demo data (with --reset: replace all data).")
@click.option("--reset", is_flag=True, help="Delete all existing data first.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users already.")
@with_appcontext
def demo_data(reset: bool, if_empty: bool) -> None:
    from timetracker.demo import DEMO_LOGINS, has_data, load_demo_data, wipe

    if has_data(db.session):
        if if_empty:
            click.echo("The database has data already; demo data not loaded.")
            _print_logins(DEMO_LOGINS)
            return
        if not reset:
            raise click.ClickException(
                "The database already has data. Use --reset to replace it with demo data."
            )
        wipe(db.session)
    load_demo_data(db.session)
    db.session.commit()
    click.echo("Demo data loaded.")
    _print_logins(DEMO_LOGINS)


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    click.echo("Demo logins (email / password):")
    for role, email, password in logins:
        click.echo(f"  {role:<28} {email} / {password}")


@click.command("serve", help="Serve the application with gunicorn.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "timetracker.wsgi:app",
    ]
    click.echo(f"Serving on http://{host}:{port}")
    os.execv(sys.executable, args)  # noqa: S606 - replaces this process with gunicorn


@click.command("worker", help="Run the background job worker (needs REDIS_URL).")
@with_appcontext
def worker() -> None:
    url = current_app.config["REDIS_URL"]
    if not url:
        raise click.ClickException("REDIS_URL is not set; without it jobs run inline.")
    from timetracker.notifications.jobs import run_worker

    run_worker(url)
