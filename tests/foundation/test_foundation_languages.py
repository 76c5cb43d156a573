"""The foundation speaks the reader's language: the error pages (and their ``<html lang>``), a
refused amount on a form, the messages of the parsers and of a refused logo, and the command
line, which follows the environment's ``LANG``. JSON error answers stay in English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.factories import make_admin, make_client
from timetracker import create_app, errors, i18n
from timetracker.logos.validation import LogoRefused, inspect_logo
from timetracker.models import Settings
from timetracker.parsing import MAX_MONEY, parse_amount


@pytest.mark.parametrize(
    ("language", "title", "message"),
    [
        ("de", "Nicht gefunden", "Die angeforderte Seite existiert nicht."),
        ("fr", "Introuvable", "La page demandée n’existe pas."),
    ],
)
def test_the_error_page_speaks_the_browsers_language(
    client, language: str, title: str, message: str
) -> None:
    response = client.get("/no-such-page", headers={"Accept-Language": language})
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert f'<html lang="{language}">' in html
    assert title in html and message in html


def test_a_json_error_stays_in_english(client) -> None:
    response = client.get(
        "/no-such-page", headers={"Accept-Language": "de", "Accept": "application/json"}
    )
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "Not found",
        "message": "The page you asked for does not exist.",
    }


def test_the_page_while_the_database_is_away_speaks_the_browsers_language(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A logger of its own: the shared one logs one traceback a minute, which other tests read.
    monkeypatch.setattr(errors, "unavailable_log", errors.RateLimitedLogger(errors.log))
    failure = sa_exc.OperationalError("SELECT 1", {}, Exception("unable to open database file"))
    with app.test_request_context("/invoices", headers={"Accept-Language": "fr-FR,fr;q=0.9"}):
        response = errors.database_unavailable(failure)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert '<html lang="fr">' in html and "Service indisponible" in html
    assert "Réessayer" in html


def test_a_refused_amount_on_a_form_reads_in_german(app: Flask, session: Session) -> None:
    """A USD firm's German-speaking admin types a EUR client's rate with a dollar sign."""
    session.merge(Settings(id=1, locale="en_US", currency="USD"))
    admin = make_admin(session)
    customer = make_client(session, currency="EUR")
    browser = app.test_client()
    browser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de-DE,de;q=0.9"
    assert login(browser, admin.email).status_code == 302
    project = {"client": customer.id, "name": "Dollars", "hourly_rate": "$149"}
    refused = post(browser, "/projects/new", project)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Dieser Betrag ist in EUR, nicht in $" in html
    assert "Bitte korrigieren Sie die markierten Felder." in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "höchstens 2 Nachkommastellen"), ("fr", "au plus 2 décimales")],
)
def test_the_parsers_refuse_in_the_language_spoken(
    app: Flask, language: str, expected: str
) -> None:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        with pytest.raises(ValueError, match=expected):
            parse_amount("1.234", maximum=MAX_MONEY)
        assert parse_amount("1.23", maximum=MAX_MONEY) == Decimal("1.23")


def test_a_refused_logo_says_why_in_french(app: Flask) -> None:
    with (
        app.test_request_context("/"),
        i18n.speaking("fr"),
        pytest.raises(LogoRefused, match="Le fichier est vide"),
    ):
        inspect_logo(b"")


@pytest.fixture
def cli_app(tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
    yield app
    app.extensions["timetracker.engine"].dispose()


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de_DE.UTF-8", "Konto für Mitarbeitende c@example.com angelegt"),
        ("fr_FR.UTF-8", "Membre de l’équipe c@example.com créé"),
    ],
)
def test_the_command_line_speaks_the_environments_language(
    cli_app: Flask, lang: str, expected: str
) -> None:
    runner = cli_app.test_cli_runner()
    env = {"LANG": lang, "LC_ALL": None, "LC_MESSAGES": None}
    assert runner.invoke(args=["db", "upgrade"], env=env).exit_code == 0
    args = ["users", "create", "--email", "c@example.com", "--name", "C", "--password-stdin"]
    created = runner.invoke(args=args, input="long-enough-1\n", env=env)
    assert created.exit_code == 0, created.output
    assert expected in created.output
