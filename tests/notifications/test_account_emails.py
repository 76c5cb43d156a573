"""Account emails (notifications/accounts.py): composed in the job from the person's record,
in text and HTML with the firm's and the client's branding, delivered to a real SMTP server
inline or through RQ, retried on failure, and never sent when mail is off."""

from __future__ import annotations

import pytest
from flask import Flask
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy.orm import Session

from tests.factories import make_client, make_portal_user, make_user
from tests.smtp import SmtpServer
from timetracker import firm
from timetracker.notifications.accounts import AccountEmail, send_account_email
from timetracker.notifications.jobs import queue_name

LINK = "https://tt.example.com/reset-password/abc"


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def test_a_contact_gets_text_and_html_with_the_firm_and_client(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    firm.get_settings().company_name = "Acme Agency"
    customer = make_client(ctx, name="Müller & Søn", portal_accent_color="#7b2d8e")
    person = make_portal_user(ctx, customer, name="Anna Müller", email="anna@mueller.example")
    assert send_account_email(AccountEmail.PASSWORD_RESET, person, link=LINK) is True
    [message] = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == "anna@mueller.example"
    assert message["Subject"] == "Reset your Acme Agency password"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "Anna Müller" in part and LINK in part and "Acme Agency" in part
    assert "Müller &amp; Søn" in html and "#7b2d8e" in html


@pytest.mark.parametrize(
    ("kind", "context", "expected"),
    [
        (AccountEmail.INVITATION, {"link": LINK, "expires": "8 March 2026"}, "8 March 2026"),
        (AccountEmail.TWO_FACTOR_CHANGED, {"change": "Two-factor was turned on."}, "turned on"),
        (
            AccountEmail.NEW_SIGN_IN,
            {"when": "1 March 2026, 12:00", "browser": "Firefox on Linux", "address": "192.0.2.7"},
            "Firefox on Linux",
        ),
    ],
)
def test_every_account_email_renders_its_context(
    ctx: Session,
    smtp_server: SmtpServer,
    inline: None,
    kind: AccountEmail,
    context: dict[str, str],
    expected: str,
) -> None:
    person = make_user(ctx, name="Sam")
    assert send_account_email(kind, person, **context)
    [message] = smtp_server.messages
    assert expected in message.get_body(("plain",)).get_content()
    assert expected in message.get_body(("html",)).get_content()


def test_user_text_is_escaped_in_html_and_cannot_add_recipients(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    person = make_user(ctx, name='Eve <script>x</script>, "x@evil.example"')
    assert send_account_email(AccountEmail.TWO_FACTOR_CHANGED, person, change="<b>on</b>")
    [message] = smtp_server.messages
    assert [a.addr_spec for a in message["To"].addresses] == [person.email]
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;b&gt;on&lt;/b&gt;" in html
    assert smtp_server.envelopes[0][1] == [person.email]


def test_nothing_is_sent_when_mail_is_off(
    app: Flask, ctx: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_ENABLED", False)
    person = make_user(ctx)
    # (an SMTP connection here would fail the test: see _no_unexpected_smtp)
    assert send_account_email(AccountEmail.PASSWORD_RESET, person, link=LINK) is False


def test_a_failing_server_is_retried_inline(
    ctx: Session, smtp_server: SmtpServer, inline: None
) -> None:
    smtp_server.reply = "451 4.3.2 Try again later"
    person = make_user(ctx)
    send_account_email(AccountEmail.PASSWORD_RESET, person, link=LINK)  # never raises
    assert smtp_server.refused == 3  # MAIL_MAX_ATTEMPTS of the fixture
    assert smtp_server.messages == []


@pytest.mark.redis
def test_through_rq_the_job_sends_it(app: Flask, ctx: Session, smtp_server: SmtpServer) -> None:
    url = app.config.get("REDIS_URL")
    assert url, "the redis marker lets this run with Redis only"
    connection = Redis.from_url(url)
    queue = Queue(queue_name(), connection=connection)
    queue.empty()
    person = make_user(ctx, email="queued@example.com")
    ctx.commit()  # the worker's job reads the person in the worker's own session
    try:
        send_account_email(AccountEmail.PASSWORD_RESET, person, link=LINK)
        assert smtp_server.messages == [] and queue.count == 1
        SimpleWorker([queue], connection=connection).work(burst=True)
    finally:
        queue.empty()
        connection.close()
    [message] = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == "queued@example.com"
