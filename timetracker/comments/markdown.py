"""The one Markdown renderer of comments: a small subset, rendered by markdown-it-py and then
sanitised by nh3 (ammonia), for the portal, the workspace and the HTML emails alike.

The subset: paragraphs and line breaks, **strong**, *emphasis*, ~~strikethrough~~, `code`,
fenced code blocks, bulleted and numbered lists, block quotes, and links (``[text](url)`` and
``<https://…>``). Raw HTML is not a rule of the subset, so markdown-it escapes it as text;
images are not one either (``![x](y)`` stays a link). Sanitising after rendering is the second
wall: only the tags below survive, links keep ``href`` (http, https, mailto) and ``title`` and
get ``rel="nofollow noopener noreferrer"``; every other attribute and scheme is dropped.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

#: markdown-it rules switched on over the "zero" preset (which has only paragraphs and text).
RULES = [
    "emphasis",
    "strikethrough",
    "backticks",
    "fence",
    "list",
    "blockquote",
    "link",
    "autolink",
    "newline",
    "escape",
    "entity",
]
#: What the sanitiser lets through.
TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "s",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow noopener noreferrer"

_parser = MarkdownIt("zero", {"breaks": True, "html": False, "typographer": False}).enable(RULES)


def render(source: str) -> Markup:
    """``source`` (Markdown as typed) as sanitised HTML, safe to put in a page or an email."""
    html = _parser.render(source or "")
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


#: An http(s) URL in plain text: the scheme, then anything up to whitespace, quotes or angle
#: brackets. Only these two schemes are ever linked (never ``javascript:`` or ``data:``).
_URL = re.compile(r"(?<![\w@.])https?://[^\s<>\"'`]+", re.IGNORECASE)
#: Punctuation that ends a sentence rather than the URL (``see https://a.example/x.``).
_TRAILING = ".,;:!?*_~"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def _split_url(found: str) -> tuple[str, str]:
    """The URL and the text that follows it: trailing punctuation, and closing brackets that
    the URL did not open (``(see https://a.example/x)``)."""
    end = len(found)
    while end:
        last = found[end - 1]
        opener = _CLOSERS.get(last)
        if last in _TRAILING or (
            opener and found.count(opener, 0, end) < found.count(last, 0, end)
        ):
            end -= 1
            continue
        break
    return found[:end], found[end:]


def linkify(text: str | None) -> Markup:
    """Plain text (a project note, a status update) as HTML: everything escaped, and each
    ``http://`` or ``https://`` URL made a link with ``rel="nofollow noopener noreferrer"``.
    Line breaks are kept as they are (the pages show the text with ``white-space: pre-line``)."""
    source = text or ""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(source):
        url, rest = _split_url(match.group())
        if url.endswith("://"):  # a scheme alone is no link
            continue
        parts.append(str(escape(source[position : match.start()])))
        href = escape(url)
        parts.append(f'<a href="{href}" rel="{LINK_REL}">{href}</a>{escape(rest)}')
        position = match.end()
    parts.append(str(escape(source[position:])))
    return Markup("".join(parts))  # noqa: S704 - every piece of text is escaped above
