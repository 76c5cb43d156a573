"""Hostile comments are inert everywhere they are shown: the portal project page, the
workspace project page, and both parts of the mention emails. Script tags, attribute
breakouts, ``javascript:`` links, ``img onerror`` and raw HTML come out as text; the author's
name is escaped too."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.comments.conftest import World, portal_page, send, signed_in, workspace_page
from tests.factories import make_portal_user
from tests.smtp import SmtpServer
from timetracker.comments.markdown import render

PAYLOADS = [
    '<script>alert("pwned")</script>',
    '"><img src=x onerror=alert(1)>',
    "<img src=x onerror=alert(2)>",
    "[click me](javascript:alert(3))",
    "[again](JaVaScRiPt:alert(4))",
    '<a href="javascript:alert(5)">raw link</a>',
    '<b onmouseover="alert(6)">raw bold</b>',
    '[title](https://ok.example "x\\" onmouseover=\\"alert(7)")',
    "<iframe src=https://evil.example></iframe>",
    "![pic](https://evil.example/x.png)",
    "<style>body{display:none}</style>",
]
HOSTILE = "\n\n".join(PAYLOADS)


class Inspector(HTMLParser):
    """Every tag and attribute of a document, outside the page's own script and link tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        self._in_script = tag == "script" and "src" not in found

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def assert_inert(html: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    assert inspector.inline_scripts == 0
    for tag, attrs in inspector.tags:
        assert tag not in {"img", "iframe", "style", "svg", "object", "embed"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)
        if tag == "b":
            raise AssertionError("raw HTML <b> survived")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_renderer_leaves_every_payload_inert(payload: str) -> None:
    html = str(render(payload))
    assert_inert(html)
    assert "<script" not in html


def test_the_renderer_keeps_the_small_subset() -> None:
    html = str(render("**b** *i* ~~s~~ `c`\n\n- one\n- two\n\n> q\n\n[l](https://x.example)"))
    for tag in ("<strong>b</strong>", "<em>i</em>", "<s>s</s>", "<code>c</code>", "<li>one</li>"):
        assert tag in html
    assert '<a href="https://x.example" rel="nofollow noopener noreferrer">l</a>' in html
    assert "<blockquote>" in html


def test_hostile_comments_are_inert_on_both_project_pages(
    app: Flask, connection: Any, session: Session, world: World
) -> None:
    eve = make_portal_user(
        session, world.a.client, name='Eve "><script>alert(8)</script>', email="eve@alpha.example"
    )
    session.commit()
    as_eve, as_staff = signed_in(app, eve), signed_in(app, world.staff)
    page = portal_page(world.a.project)
    assert send(as_eve, page, f"{page}/comments", body=HOSTILE).status_code == 303
    staff_page = workspace_page(world.a.project)
    assert send(as_staff, staff_page, f"{staff_page}/comments", body=HOSTILE).status_code == 303
    for html in (
        as_eve.get(page).get_data(as_text=True),
        as_staff.get(staff_page).get_data(as_text=True),
    ):
        assert_inert(html)
        assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html or (
            "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in html
        )
        assert "Eve &#34;&gt;&lt;script&gt;" in html
    # The rejected form comes back with the hostile text escaped in its textarea.
    rejected = send(as_eve, page, f"{page}/comments", body=HOSTILE + "x" * 5000)
    assert rejected.status_code == 400
    assert_inert(rejected.get_data(as_text=True))


@pytest.fixture
def inline(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)


def test_hostile_comments_are_inert_in_the_mention_emails(
    app: Flask,
    connection: Any,
    session: Session,
    world: World,
    smtp_server: SmtpServer,
    inline: None,
) -> None:
    as_staff = signed_in(app, world.staff)
    staff_page = workspace_page(world.a.project)
    body = f"@{world.a.contact.name} please look:\n\n{HOSTILE}"
    assert send(as_staff, staff_page, f"{staff_page}/comments", body=body).status_code == 303
    as_alpha = signed_in(app, world.a.contact)
    page = portal_page(world.a.project)
    body = f"@{world.staff.email} and back:\n\n{HOSTILE}"
    assert send(as_alpha, page, f"{page}/comments", body=body).status_code == 303
    assert len(smtp_server.messages) == 2
    for message in smtp_server.messages:
        html_part = message.get_body(("html",))
        text_part = message.get_body(("plain",))
        assert html_part is not None and text_part is not None
        assert_inert(html_part.get_content())
        assert text_part.get_content_type() == "text/plain"
        assert '<script>alert("pwned")</script>' in text_part.get_content()  # text: inert
        assert "\n" not in message["Subject"]
