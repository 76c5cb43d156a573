"""The mention email is written in the recipient's language (their own choice, else for a
contact their client's document language), whatever the language of the person who wrote the
comment; the comment thread and its refusals read in the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.comments.conftest import (
    World,
    form_fields,
    portal_page,
    send,
    signed_in,
    workspace_page,
)
from tests.smtp import SmtpServer


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def test_staff_who_chose_french_get_a_french_mention_email(
    app: Flask,
    connection: Any,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    world.staff.language = "fr"
    session.commit()
    browser = signed_in(app, world.a.contact)
    page = portal_page(world.a.project)
    response = browser.post(
        f"{page}/comments",
        data={**form_fields(browser, page), "body": "@Sam Staff bitte prüfen"},
        headers={"Accept-Language": "de"},
    )
    assert response.status_code == 303
    [message] = smtp_server.messages
    assert message["Subject"] == f"Alpha Contact vous a mentionné sur {world.a.project.name}"
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour Sam Staff," in text
    assert "Lire la discussion et répondre" in text
    html = message.get_body(("html",)).get_content()
    assert 'lang="fr"' in html and "vous a mentionné dans un commentaire" in html


def test_a_contact_reads_the_mention_in_the_clients_document_language(
    app: Flask,
    connection: Any,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    world.a.client.document_language = "de"
    session.commit()
    browser = signed_in(app, world.staff)
    page = workspace_page(world.a.project)
    assert send(browser, page, f"{page}/comments", body="@Alpha Contact done").status_code == 303
    [message] = smtp_server.messages
    assert message["Subject"] == f"Sam Staff hat Sie bei {world.a.project.name} erwähnt"
    text = message.get_body(("plain",)).get_content()
    assert "Guten Tag Alpha Contact," in text and "Unterhaltung lesen und antworten:" in text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Schreiben Sie einen Kommentar, bevor Sie ihn senden."),
        ("fr", "Écrivez un commentaire avant de le publier."),
    ],
)
def test_an_empty_comment_is_refused_in_the_pages_language(
    app: Flask, connection: Any, world: World, language: str, expected: str
) -> None:
    browser = signed_in(app, world.a.contact)
    page = portal_page(world.a.project)
    response = browser.post(
        f"{page}/comments",
        data={**form_fields(browser, page), "body": "   "},
        headers={"Accept-Language": language},
    )
    assert response.status_code == 400
    assert expected in response.get_data(as_text=True)
