"""Mentions: ``@`` and a name (as listed under the form) or an email, matched case-insensitively
against the people on the project only; each mentioned person gets one email, to the page
they can open; a client that hides staff names reads the firm's name as the author."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.comments.conftest import World, portal_page, send, signed_in, workspace_page
from tests.factories import make_client, make_portal_user, make_user
from tests.smtp import SmtpServer
from timetracker.comments.mentions import mentioned
from timetracker.comments.queries import Person, people_on_project
from timetracker.models import Settings

ANA = Person(1, "Ana", "ana@x.example", True)
ANA_LIMA = Person(2, "Ana Lima", "lima@x.example", False)
BOB = Person(3, "Bob O'Neil", "bob@x.example", True)
PEOPLE = [ANA, ANA_LIMA, BOB]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("@ana please", [ANA]),
        ("@Ana Lima and @ANA", [ANA_LIMA, ANA]),
        ("thanks @bob o'neil!", [BOB]),
        ("mail LIMA@X.example or @lima@x.example.", [ANA_LIMA]),
        ("@Anabel is nobody", []),
        ("email ana@x.example is no mention", []),
        ("@ana @ana @Ana", [ANA]),
        ("no mention at all", []),
    ],
)
def test_mentions_match_names_and_emails_of_people_on_the_project(
    body: str, expected: list[Person]
) -> None:
    assert mentioned(body, PEOPLE, author_id=None) == expected


def test_the_author_never_mentions_themselves() -> None:
    assert mentioned("@Ana and @Bob O'Neil", PEOPLE, author_id=ANA.id) == [BOB]


def test_people_on_the_project_are_its_staff_admins_and_active_contacts(
    session: Session, world: World
) -> None:
    make_user(session, name="Idle Staff")  # no time, no comment: not on the project
    make_portal_user(session, world.a.client, name="Former", is_active=False)
    make_portal_user(session, make_client(session), name="Stranger")
    names = {p.name for p in people_on_project(session, world.a.project)}
    assert names == {"Ada Admin", "Sam Staff", "Alpha Contact"}


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def _firm(session: Session, name: str) -> None:
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.company_name = name
    session.add(settings)


def test_a_contacts_mention_emails_staff_a_workspace_link(
    app: Flask,
    connection: Any,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    browser = signed_in(app, world.a.contact)
    page = portal_page(world.a.project)
    body = "@sam staff can you check? Also @Bravo Contact and @nobody"
    assert send(browser, page, f"{page}/comments", body=body).status_code == 303
    [message] = smtp_server.messages
    assert message["To"].addresses[0].addr_spec == "sam@firm.example"
    assert message["Subject"] == f"Alpha Contact mentioned you on {world.a.project.name}"
    text = message.get_body(("plain",)).get_content()
    assert body in text
    assert f"https://tt.example.com/projects/{world.a.project.id}#comment-" in text


def test_staff_mentions_reach_contacts_with_the_firm_as_author_when_names_are_hidden(
    app: Flask,
    connection: Any,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    _firm(session, "Northwind Studio")
    world.a.client.portal_shows_staff_names = False
    session.commit()
    browser = signed_in(app, world.staff)
    page = workspace_page(world.a.project)
    body = f"@{world.a.contact.email} done, and @ada admin for the record"
    response = send(browser, page, f"{page}/comments", body=body)
    assert response.status_code == 303
    by_recipient = {m["To"].addresses[0].addr_spec: m for m in smtp_server.messages}
    assert set(by_recipient) == {world.a.contact.email, "ada@firm.example"}
    to_contact = by_recipient[world.a.contact.email]
    assert to_contact["Subject"].startswith("Northwind Studio mentioned you")
    contact_text = to_contact.get_body(("plain",)).get_content()
    assert "Northwind Studio mentioned you in a comment" in contact_text
    assert "Sam Staff" not in contact_text
    link = f"https://tt.example.com/client-portal/projects/{world.a.project.id}#comment-"
    assert link in contact_text
    assert by_recipient["ada@firm.example"]["Subject"].startswith("Sam Staff mentioned you")
    # The portal shows the firm's name too, and lists no staff under the form.
    portal = signed_in(app, world.a.contact).get(portal_page(world.a.project))
    html = portal.get_data(as_text=True)
    assert "Northwind Studio" in html and "Sam Staff" not in html and "Ada Admin" not in html
    # The staff page says who was emailed.
    assert "Emailed the people you mentioned" in browser.get(page).get_data(as_text=True)


def test_an_edit_emails_only_the_people_newly_mentioned(
    app: Flask,
    connection: Any,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    browser = signed_in(app, world.a.contact)
    page = portal_page(world.a.project)
    send(browser, page, f"{page}/comments", body="@Sam Staff hello")
    assert len(smtp_server.messages) == 1
    from tests.comments.conftest import comments_of

    comment = comments_of(session, world.a.project)[-1]
    edit = f"{page}/comments/{comment.id}/edit"
    assert send(browser, page, edit, body="@Sam Staff hello, and @Ada Admin").status_code == 303
    assert [m["To"].addresses[0].addr_spec for m in smtp_server.messages] == [
        "sam@firm.example",
        "ada@firm.example",
    ]


def test_a_comment_deleted_before_its_email_is_sent_sends_nothing(
    app: Flask, ctx: Session, world: World, smtp_server: SmtpServer
) -> None:
    from timetracker.notifications.comments import deliver

    world.a.comment.deleted_at = world.a.comment.created_at
    ctx.flush()
    deliver(world.a.comment.id, world.staff.id)
    assert smtp_server.messages == []
