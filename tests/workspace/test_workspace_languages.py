"""The workspace in German and French: pages follow the reader's language, the CSV exports'
headings too, a client keeps a document language, and budget alerts are written in the
recipient's language (a contact's: their client's document language)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import post
from tests.factories import make_client, make_entry, make_portal_user, make_project, make_user
from tests.smtp import SmtpServer
from timetracker import firm
from timetracker.models import Client, User
from timetracker.workspace.time.timekeeping import create_entry

GERMAN = {"Accept-Language": "de"}
FRENCH = {"Accept-Language": "fr"}
CLIENT = {"name": "Globex", "currency": "EUR", "default_hourly_rate": "100"}


def _page(browser: FlaskClient, path: str, headers: dict[str, str]) -> str:
    response = browser.get(path, headers=headers)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# Pages -------------------------------------------------------------------------------------
def test_the_client_list_reads_in_german_and_in_french(as_admin: FlaskClient) -> None:
    german = _page(as_admin, "/clients", GERMAN)
    assert "Neuer Kunde" in german and "Kunden filtern" in german
    french = _page(as_admin, "/clients", FRENCH)
    assert "Nouveau client" in french and "Filtrer les clients" in french
    assert "New client" in _page(as_admin, "/clients", {})


def test_the_week_grid_names_its_days_and_its_messages_in_the_readers_language(
    as_staff: FlaskClient,
) -> None:
    german = _page(as_staff, "/time/week", GERMAN)
    assert "Tagessumme" in german and "Woche vom" in german
    assert ">Mo.<br>" in german  # the day's name from the locale, not strftime's English
    assert 'data-msg-not-saved="Nicht gespeichert."' in german
    french = _page(as_staff, "/time/week", FRENCH)
    assert "Total du jour" in french and ">lun.<br>" in french
    assert ">Mon<br>" in _page(as_staff, "/time/week", {})


def test_a_project_page_and_its_forms_read_in_french(
    as_admin: FlaskClient, session: Session
) -> None:
    project = make_project(session, make_client(session, name="Acme"), name="Relaunch")
    french = _page(as_admin, f"/projects/{project.id}", FRENCH)
    assert "Points d’avancement" in french
    assert "Ajouter une note" in french and "Consommation du budget" not in french
    form = _page(as_admin, "/projects/new", FRENCH)
    assert "Enregistrer le projet" in form and "Choisir un client…" in form


# CSV exports ---------------------------------------------------------------------------------
def test_the_time_export_has_german_headings(
    as_staff: FlaskClient, session: Session, staff: User
) -> None:
    make_entry(session, make_project(session, make_client(session)), staff)
    body = as_staff.get("/time/export.csv", headers=GERMAN).get_data(as_text=True)
    header = body.lstrip("\ufeff").splitlines()[0]
    assert header == (
        "Datum,Projekt,Notizen,Benutzer,Stunden,Sekunden,Abrechenbar,Betrag,Währung,Rechnung"
    )
    english = as_staff.get("/time/export.csv").get_data(as_text=True)
    assert english.lstrip("\ufeff").startswith("Date,Project,Notes,User,Hours,Seconds,")


def test_the_report_export_has_french_headings(as_staff: FlaskClient) -> None:
    body = as_staff.get("/reports?format=csv&group=project", headers=FRENCH).get_data(as_text=True)
    header = body.lstrip("\ufeff").splitlines()[0]
    assert header == "Projet,Client,Devise,Heures,Heures facturables,Montant facturable"


# The client's document language --------------------------------------------------------------
def _client_count(session: Session) -> int:
    return session.scalar(select(func.count(Client.id))) or 0


def test_the_client_form_offers_the_firms_language_then_each_language_in_its_own_name(
    as_admin: FlaskClient,
) -> None:
    page = _page(as_admin, "/clients/new", {})
    assert 'name="document_language"' in page
    options = page.split('name="document_language"', 1)[1].split("</select>", 1)[0]
    assert options.index("Firm&#39;s language") < options.index("English")
    assert options.index("Deutsch") < options.index("Français")
    assert "Sprache der Firma" in _page(as_admin, "/clients/new", GERMAN)


def test_a_document_language_is_saved_with_the_client_and_shown_on_its_page(
    as_admin: FlaskClient, session: Session
) -> None:
    response = post(as_admin, "/clients/new", {**CLIENT, "document_language": "fr"})
    assert response.status_code == 302, response.get_data(as_text=True)
    client = session.scalars(select(Client)).one()
    assert client.document_language == "fr"
    page = _page(as_admin, f"/clients/{client.id}", {})
    assert '<dd class="col-sm-9" data-testid="document-language">Français</dd>' in page
    assert '<option selected value="fr">' in _page(as_admin, f"/clients/{client.id}/edit", {})
    # The firm's language is stored as none.
    data = {**CLIENT, "document_language": ""}
    assert post(as_admin, f"/clients/{client.id}/edit", data).status_code == 302
    session.refresh(client)
    assert client.document_language is None
    page = _page(as_admin, f"/clients/{client.id}", {})
    assert 'data-testid="document-language">Firm\'s language</dd>' in page


def test_an_edit_without_the_field_keeps_the_document_language(
    as_admin: FlaskClient, session: Session
) -> None:
    client = make_client(session, name="Globex", document_language="de")
    assert post(as_admin, f"/clients/{client.id}/edit", CLIENT).status_code == 302
    session.refresh(client)
    assert client.document_language == "de"


def test_an_unknown_document_language_is_refused_and_nothing_is_written(
    as_admin: FlaskClient, session: Session
) -> None:
    response = post(as_admin, "/clients/new", {**CLIENT, "document_language": "es"})
    assert response.status_code == 400
    assert "Choose one of the languages in the list." in response.get_data(as_text=True)
    assert _client_count(session) == 0
    client = make_client(session, name="Acme", document_language="de")
    data = {**CLIENT, "name": "Acme", "document_language": "xx"}
    response = post(as_admin, f"/clients/{client.id}/edit", data, headers=GERMAN)
    assert response.status_code == 400
    assert "Wählen Sie eine der Sprachen aus der Liste." in response.get_data(as_text=True)
    session.refresh(client)
    assert client.document_language == "de"


# Budget alerts -----------------------------------------------------------------------------
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def test_budget_alerts_are_written_in_each_recipients_language(
    app: Flask, ctx: Session, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff read their own language; a contact without one reads their client's document
    language."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # sent here and now
    firm.get_settings().budget_alerts_to_clients = True
    client = make_client(ctx, name="Acme", document_language="fr")
    project = make_project(ctx, client, name="Relaunch", budget_hours=Decimal("10"))
    staff = make_user(ctx, name="Sam Staff", email="sam@firm.example", language="de")
    make_portal_user(ctx, client, name="Carl Contact", email="carl@acme.example")
    ctx.flush()
    create_entry(ctx, staff, project, START, START + dt.timedelta(hours=8), None, True)
    by_to = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    german, french = by_to["sam@firm.example"], by_to["carl@acme.example"]
    # A header is one line of plain spaces (``mail.one_line``).
    assert german["Subject"] == "Relaunch: 75 % des Stundenbudgets verbraucht"
    assert "Guten Tag Sam Staff," in german.get_body(("plain",)).get_content()
    assert french["Subject"] == "Relaunch : 75 % du budget en heures consommés"
    text = french.get_body(("plain",)).get_content()
    assert "Bonjour Carl Contact," in text and "8,00 sur 10,00 heures" in text
