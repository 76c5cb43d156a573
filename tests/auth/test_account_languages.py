"""A person's language (``User.language``), chosen on the account page by staff and client
contacts alike: the pages and the flash message speak it at once, "Browser's language" goes
back to ``Accept-Language``, an unknown value is refused; account emails are written in the
person's language, whoever's request sends them."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login, post
from tests.factories import make_client, make_portal_user, make_user
from tests.smtp import SmtpServer
from timetracker import firm
from timetracker.auth.second_factor import TURNED_ON
from timetracker.models import User
from timetracker.notifications.accounts import AccountEmail, send_account_email

LINK = "https://tt.example.com/reset-password/abc"


def signed_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def choose(client: FlaskClient, language: str) -> object:
    return post(client, "/account", {"lang-language": language, "lang-submit": "y"})


def options(page: str) -> list[tuple[str, str, bool]]:
    """The language select's options: (value, label, selected)."""
    select = page.split('name="lang-language"', 1)[1].split("</select>", 1)[0]
    return [
        (re.search(r'value="([^"]*)"', attrs).group(1), html.unescape(label), "selected" in attrs)  # type: ignore[union-attr]
        for attrs, label in re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    ]


def language_of(session: Session, user: User) -> str | None:
    session.expire_all()
    return session.get(User, user.id).language  # type: ignore[union-attr]


@pytest.fixture
def staff(session: Session) -> User:
    person = make_user(session)
    session.commit()
    return person


def test_the_choice_offers_the_browsers_language_first_then_each_language_in_its_own_name(
    app: Flask, staff: User
) -> None:
    page = signed_in(app, staff).get("/account").get_data(as_text=True)
    assert options(page) == [
        ("", "Browser's language", True),
        ("en", "English", False),
        ("de", "Deutsch", False),
        ("fr", "Français", False),
    ]


def test_choosing_german_speaks_german_at_once_and_back_to_the_browsers_language(
    app: Flask, session: Session, staff: User
) -> None:
    client = signed_in(app, staff)
    response = choose(client, "de")
    assert response.status_code == 302
    assert language_of(session, staff) == "de"
    page = client.get("/account").get_data(as_text=True)
    assert "Ihre Sprache wurde gespeichert." in page  # the flash is already in German
    assert '<h1 class="h3 mb-4">Ihr Konto</h1>' in page
    assert "Passwort ändern" in page and ("de", "Deutsch", True) in options(page)
    # The person's choice wins over the browser's.
    french_browser = client.get("/account", headers={"Accept-Language": "fr"})
    assert "Ihr Konto" in french_browser.get_data(as_text=True)

    assert choose(client, "").status_code == 302
    assert language_of(session, staff) is None
    page = client.get("/account").get_data(as_text=True)  # no Accept-Language: English
    assert "Your language was saved." in page
    assert '<h1 class="h3 mb-4">Your account</h1>' in page


def test_an_unknown_language_is_refused_and_nothing_is_written(
    app: Flask, session: Session, staff: User
) -> None:
    client = signed_in(app, staff)
    assert choose(client, "de").status_code == 302
    response = choose(client, "xx")
    assert response.status_code == 400
    assert "invalid-feedback" in response.get_data(as_text=True)
    assert language_of(session, staff) == "de"


def test_a_client_contact_chooses_french(app: Flask, session: Session) -> None:
    contact = make_portal_user(session, make_client(session))
    session.commit()
    client = signed_in(app, contact)
    assert choose(client, "fr").status_code == 302
    assert language_of(session, contact) == "fr"
    page = client.get("/account").get_data(as_text=True)
    assert "Votre langue a été enregistrée." in page
    assert '<h1 class="h3 mb-4">Votre compte</h1>' in page and "Portail client" in page


def test_admin_pages_speak_the_browsers_language(app: Flask, session: Session) -> None:
    admin = make_user(session, role="admin")
    session.commit()
    page = (
        signed_in(app, admin)
        .get("/admin/users", headers={"Accept-Language": "de"})
        .get_data(as_text=True)
    )
    assert '<h2 class="h5 mb-0">Benutzer</h2>' in page and "Neuer Benutzer" in page


@pytest.fixture
def outbox(app: Flask, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> SmtpServer:
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # sent inline
    return smtp_server


def test_an_account_email_is_written_in_the_persons_own_language(
    ctx: Session, outbox: SmtpServer
) -> None:
    firm.get_settings().company_name = "Acme"
    person = make_user(ctx, name="Sam", language="fr")
    assert send_account_email(AccountEmail.PASSWORD_RESET, person, link=LINK)
    [message] = outbox.messages
    assert message["Subject"] == "Réinitialisez votre mot de passe Acme"
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour Sam," in text and LINK in text


def test_a_contact_without_a_choice_reads_their_clients_document_language(
    ctx: Session, outbox: SmtpServer
) -> None:
    firm.get_settings().company_name = "Acme"
    customer = make_client(ctx, name="Müller", document_language="de")
    person = make_portal_user(ctx, customer, name="Anna")
    assert send_account_email(AccountEmail.TWO_FACTOR_CHANGED, person, change=TURNED_ON)
    [message] = outbox.messages
    assert message["Subject"] == "Zwei-Faktor-Authentifizierung Ihres Kontos bei Acme geändert"
    html = message.get_body(("html",)).get_content()
    assert "Guten Tag Anna," in html and "Kundenportal von Müller" in html
    assert "Für Ihr Konto wurde die Zwei-Faktor-Authentifizierung eingeschaltet." in html
