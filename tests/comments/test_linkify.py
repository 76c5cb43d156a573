"""``linkify``: plain text escaped, its http(s) URLs made links, nothing else ever a link."""

from __future__ import annotations

import jinja2
import pytest
from markupsafe import Markup

from timetracker.comments.markdown import LINK_REL, linkify


def _a(url: str) -> str:
    return f'<a href="{url}" rel="{LINK_REL}">{url}</a>'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("", ""),
        (None, ""),
        ("no links here", "no links here"),
        ("See https://example.com/a?b=1&c=2", "See " + _a("https://example.com/a?b=1&amp;c=2")),
        ("http://example.com", _a("http://example.com")),
        ("HTTPS://EXAMPLE.COM/X", _a("HTTPS://EXAMPLE.COM/X")),
        # Sentence punctuation and unopened brackets end the URL.
        (
            "Staging: https://staging.example/app.",
            "Staging: " + _a("https://staging.example/app") + ".",
        ),
        ("(see https://a.example/x)", "(see " + _a("https://a.example/x") + ")"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", _a("https://en.wikipedia.org/wiki/Foo_(bar)")),
        (
            "two: https://a.example, https://b.example!",
            f"two: {_a('https://a.example')}, {_a('https://b.example')}!",
        ),
        # Line breaks stay (the page shows the text with white-space: pre-line).
        ("one\nhttps://a.example\ntwo", "one\n" + _a("https://a.example") + "\ntwo"),
    ],
)
def test_urls_become_links(text, html):
    result = linkify(text)
    assert isinstance(result, Markup)
    assert str(result) == html


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://files.example/x",
        "mailto:someone@example.com",
        "http://",
        "https:// spaced.example",
        "xhttps://glued.example",
    ],
)
def test_other_schemes_and_non_urls_are_never_links(text):
    assert "<a" not in str(linkify(text))


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script> https://a.example",
        'https://a.example/"onmouseover="alert(1)',
        "https://a.example/'><img src=x onerror=alert(1)>",
        "https://a.example/<b>bold</b>",
        "&lt;already escaped&gt; https://a.example/?q=&amp;",
    ],
)
def test_everything_is_escaped(text):
    html = str(linkify(text))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert 'onmouseover="' not in html
    # Only the anchors we made are tags.
    stripped = html.replace(f' rel="{LINK_REL}"', "")
    for tag in ("<a href=", "</a>"):
        stripped = stripped.replace(tag, "")
    assert "<" not in stripped.replace("&lt;", "")


def test_as_a_jinja_filter_under_autoescape():
    env = jinja2.Environment(autoescape=True)
    env.filters["linkify"] = linkify
    page = env.from_string("<p>{{ body|linkify }}</p>").render(body="<i>x</i> https://a.example")
    assert page == f"<p>&lt;i&gt;x&lt;/i&gt; {_a('https://a.example')}</p>"
