"""Quotes speak German and French: the staff pages in the browser's language, the emails in
their reader's (a contact's own choice, else their client's document language; a member of
staff's own choice). They read the compiled catalogs (``make catalogs``)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import post
from tests.quotes.conftest import World
from tests.smtp import SmtpServer


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def _text(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ['<h1 class="h3 mb-0">Angebote</h1>', "Neues Angebot", "Abgelaufen", "Gültig bis"]),
        ("fr", ['<h1 class="h3 mb-0">Devis</h1>', "Nouveau devis", "Expiré", "Valable jusqu"]),
    ],
)
def test_the_quote_list_speaks_the_browsers_language(
    as_admin: FlaskClient, language: str, expected: list[str]
) -> None:
    html = as_admin.get("/quotes", headers={"Accept-Language": language}).get_data(as_text=True)
    for text in expected:
        assert text in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Vom Kunden angenommen", "Unterzeichnet als", "Zwischensumme", "Positionen"]),
        ("fr", ["Accepté par le client", "Signé par", "Sous-total", "Lignes"]),
    ],
)
def test_a_quotes_page_speaks_the_browsers_language(
    as_admin: FlaskClient, world: World, language: str, expected: list[str]
) -> None:
    quote = world.a.quotes["accepted"]
    html = as_admin.get(f"/quotes/{quote.id}", headers={"Accept-Language": language}).get_data(
        as_text=True
    )
    for text in expected:
        assert text in html


@pytest.mark.parametrize(
    ("own", "documents", "subject", "greeting"),
    [
        ("de", None, "Angebot {number} von ", "Guten Tag Alpha Contact,"),
        ("fr", None, "Devis {number} de ", "Bonjour Alpha Contact,"),
        # No choice of their own: the contact reads their client's document language.
        (None, "fr", "Devis {number} de ", "Bonjour Alpha Contact,"),
    ],
)
def test_a_sent_quote_is_emailed_in_the_contacts_language(
    as_admin: FlaskClient,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
    own: str | None,
    documents: str | None,
    subject: str,
    greeting: str,
) -> None:
    world.a.contact.language = own
    world.a.client.document_language = documents
    session.commit()
    draft = world.a.quotes["draft"]
    path = f"/quotes/{draft.id}"

    assert post(as_admin, f"{path}/send", token_from=path).status_code == 302

    [message] = smtp_server.messages
    assert message["Subject"].startswith(subject.format(number=draft.number))
    assert greeting in _text(message)


@pytest.mark.parametrize(
    ("language", "subject", "line"),
    [
        ("de", "Alpha Corp hat Angebot {number} angenommen", "Unterzeichnet als:"),
        ("fr", "Alpha Corp a accepté le devis {number}", "Signé par\u00a0:"),
    ],
)
def test_an_answer_is_emailed_in_the_creators_language(
    as_alpha: FlaskClient,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
    language: str,
    subject: str,
    line: str,
) -> None:
    world.admin.language = language
    session.commit()
    quote = world.a.open

    response = post(
        as_alpha,
        f"/client-portal/quotes/{quote.id}/accept",
        {"accept-full_name": "Alpha Signer", "accept-accept_terms": "y"},
        token_from="/client-portal/quotes",
    )

    assert response.status_code == 303
    [message] = smtp_server.messages
    assert message["Subject"] == subject.format(number=quote.number)
    assert line in _text(message)
