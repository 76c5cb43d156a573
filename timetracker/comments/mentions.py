"""Mentions in comments: ``@`` followed by a person's name as listed under the form ("People on
this project") or by their email address, matched case-insensitively against the people on the
project only (:func:`timetracker.comments.queries.people_on_project`). Where two names start
alike ("@Ana" and "@Ana Lima") the longest that fits wins. An ``@`` inside a word (an email
address typed as such, ``ana@example.com``) starts no mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from timetracker.comments.queries import Person

#: An ``@`` at the start, or after anything but a letter, a digit, ``_``, ``.`` or ``@``.
_AT = re.compile(r"(?<![\w.@])@")


def _ends_word(text: str, at: int) -> bool:
    """Whether position ``at`` of ``text`` is the end of a name (not inside a longer word)."""
    return at >= len(text) or not (text[at].isalnum() or text[at] in "_@")


def mentioned(body: str, people: Iterable[Person], *, author_id: int | None) -> list[Person]:
    """The people ``body`` mentions, each once, in the order they first appear; never the
    author."""
    tokens: list[tuple[str, Person]] = []
    for person in people:
        for token in (person.name.strip(), person.email.strip()):
            if token:
                tokens.append((token.casefold(), person))
    tokens.sort(key=lambda pair: len(pair[0]), reverse=True)
    text = (body or "").casefold()
    found: dict[int, Person] = {}
    for match in _AT.finditer(text):
        start = match.end()
        for token, person in tokens:
            if text.startswith(token, start) and _ends_word(text, start + len(token)):
                if person.id != author_id:
                    found.setdefault(person.id, person)
                break
    return list(found.values())
