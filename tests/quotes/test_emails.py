"""Quote emails to a real SMTP server: the client's portal contacts get a link when a quote is
sent; staff (the quote's creator and the firm's address) hear when the client answers."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session

from tests.conftest import post
from tests.factories import make_client, make_portal_user, make_user
from tests.quotes.conftest import World, make_quote
from tests.smtp import SmtpServer
from timetracker.models import QuoteStatus, Settings
from timetracker.notifications.jobs import queue_name


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def _body(message: Any, kind: str = "plain") -> str:
    return message.get_body((kind,)).get_content()


def _company_email(session: Session, address: str | None) -> None:
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.company_email = address
    settings.company_name = "Northwind Studio"
    session.add(settings)


def test_sending_emails_each_active_contact_a_link_and_the_pdf(
    as_admin: FlaskClient,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    make_portal_user(session, world.a.client, name="Gone Gina", is_active=False)
    second = make_portal_user(session, world.a.client, name="Ben Alpha", email="ben@alpha.example")
    session.commit()
    draft = world.a.quotes["draft"]
    path = f"/quotes/{draft.id}"

    response = post(as_admin, f"{path}/send", token_from=path)

    assert response.status_code == 302
    recipients = sorted(to for _sender, tos in smtp_server.envelopes for to in tos)
    assert recipients == sorted([world.a.contact.email, second.email])
    message = smtp_server.messages[0]
    assert message["Subject"].startswith(f"Quote {draft.number} from ")
    link = f"https://tt.example.com/client-portal/quotes/{draft.id}"
    assert link in _body(message) and f'href="{link}"' in _body(message, "html")
    assert "€360.00" in _body(message)
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == f"quote-{draft.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    html = as_admin.get(path).get_data(as_text=True)
    assert "A link to it is on its way to" in html and "ben@alpha.example" in html


def test_sending_for_a_client_without_contacts_says_nobody_was_emailed(
    as_admin: FlaskClient, session: Session, smtp_server: SmtpServer, inline: None, world: World
) -> None:
    lonely = make_client(session, name="Lonely Ltd")
    draft = make_quote(session, lonely, status=QuoteStatus.DRAFT)
    session.commit()
    path = f"/quotes/{draft.id}"
    assert post(as_admin, f"{path}/send", token_from=path).status_code == 302
    assert smtp_server.messages == []
    assert "has no active portal contacts, so nobody was emailed" in as_admin.get(path).get_data(
        as_text=True
    )


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_an_answer_is_emailed_to_the_creator_and_the_firm(
    as_alpha: FlaskClient,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
    action: str,
) -> None:
    _company_email(session, "office@northwind.example")
    session.commit()
    quote = world.a.open
    data = (
        {"accept-full_name": "Alpha Signer", "accept-accept_terms": "y"}
        if action == "accept"
        else {"decline-reason": "Budget <cut> & moved"}
    )
    response = post(
        as_alpha,
        f"/client-portal/quotes/{quote.id}/{action}",
        data,
        token_from="/client-portal/quotes",
    )
    assert response.status_code == 303
    recipients = sorted(to for _sender, tos in smtp_server.envelopes for to in tos)
    assert recipients == sorted([world.admin.email, "office@northwind.example"])
    message = smtp_server.messages[0]
    word = "accepted" if action == "accept" else "declined"
    assert message["Subject"] == f"Alpha Corp {word} quote {quote.number}"
    text, html = _body(message), _body(message, "html")
    assert f"https://tt.example.com/quotes/{quote.id}" in text
    assert "Alpha Contact <contact@alpha.example>" in text
    if action == "accept":
        assert "Alpha Signer" in text and "turn it into a project" in text
    else:
        assert "Budget <cut> & moved" in text
        assert "Budget &lt;cut&gt; &amp; moved" in html


def test_the_answer_email_goes_to_each_address_once_and_not_to_former_staff(
    as_alpha: FlaskClient,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    former = make_user(session, name="Former Fred", email="fred@firm.example", is_active=False)
    mine = make_quote(session, world.a.client, created_by=former, number="ALPHA-FRED")
    _company_email(session, "ADA@firm.example")  # the admin's address, in other case
    session.commit()
    for quote, expected in ((mine, ["ADA@firm.example"]), (world.a.open, [world.admin.email])):
        smtp_server.envelopes.clear()
        response = post(
            as_alpha,
            f"/client-portal/quotes/{quote.id}/decline",
            {"decline-reason": "No"},
            token_from="/client-portal/quotes",
        )
        assert response.status_code == 303
        assert [to for _sender, tos in smtp_server.envelopes for to in tos] == expected


def test_with_mail_off_nobody_is_emailed_about_an_answer(
    as_alpha: FlaskClient, session: Session, world: World
) -> None:
    # Without smtp_server, any SMTP connection fails the test (tests/conftest.py).
    _company_email(session, "office@northwind.example")
    session.commit()
    response = post(
        as_alpha,
        f"/client-portal/quotes/{world.a.open.id}/accept",
        {"accept-full_name": "Alpha Signer", "accept-accept_terms": "y"},
        token_from="/client-portal/quotes",
    )
    assert response.status_code == 303


@pytest.mark.redis
def test_sending_through_rq(
    app: Flask, as_admin: FlaskClient, session: Session, world: World, smtp_server: SmtpServer
) -> None:
    url = app.config.get("REDIS_URL")
    assert url, "the redis marker lets this run with Redis only"
    connection = Redis.from_url(url)
    with app.app_context():
        queue = Queue(queue_name(), connection=connection)
    queue.empty()
    draft = world.a.quotes["draft"]
    try:
        path = f"/quotes/{draft.id}"
        assert post(as_admin, f"{path}/send", token_from=path).status_code == 302
        assert smtp_server.messages == [] and queue.count == 1
        with app.app_context():
            SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.empty()
        connection.close()
    [message] = smtp_server.messages
    assert f"/client-portal/quotes/{draft.id}" in _body(message)
