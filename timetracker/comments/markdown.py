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

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

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
