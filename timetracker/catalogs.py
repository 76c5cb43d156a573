"""The message catalogs: extract the strings to translate, keep the German and French catalogs
in step with them, compile them, and check that they are complete.

``python -m timetracker.catalogs update`` (``make catalogs``) extracts every marked string of
the package into ``translations/messages.pot``, adds the new ones to each language's
``messages.po`` (untranslated, for a translator to fill), drops the ones no longer used and
compiles ``messages.mo``. ``python -m timetracker.catalogs check`` (``make check-catalogs``,
run by CI) changes nothing and fails when a string of the code is missing from a catalog, when
an entry is fuzzy, empty or has other placeholders than its English, or when a compiled
catalog is not the one its ``.po`` compiles to. ``docs/glossary.md`` keeps the terms.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PACKAGE = Path(__file__).resolve().parent
TRANSLATIONS = PACKAGE / "translations"
#: The languages translated from the English of the code.
TRANSLATED = ("de", "fr")
#: What marks a string in Python and in templates (``_l``, ``lazy_pgettext``: i18n's lazy ones).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_pgettext": DEFAULT_KEYWORDS["pgettext"],
}
METHODS = [
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
]
PROJECT = "TimeTracker"


def extract() -> Catalog:
    """Every marked string of the package, as a template catalog."""
    template = Catalog(project=PROJECT, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), METHODS, keywords=KEYWORDS, comment_tags=("Translators:",)
    ):
        template.add(
            message,
            locations=[(filename, lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def _po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str) -> Catalog:
    path = _po_path(language)
    if not path.exists():
        return Catalog(locale=language, project=PROJECT, fuzzy=False)
    with path.open("rb") as stream:
        return read_po(stream, locale=language)


def _po_bytes(catalog: Catalog) -> bytes:
    stream = io.BytesIO()
    write_po(stream, catalog, width=100, omit_header=False, ignore_obsolete=True, sort_output=True)
    return stream.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    stream = io.BytesIO()
    write_mo(stream, catalog, use_fuzzy=False)
    return stream.getvalue()


def _without_locations(catalog: Catalog) -> Catalog:
    """The catalog as written: sorted by message, no line numbers (they change with every
    edit of the code and would make every change of a file a change of the catalogs)."""
    for message in catalog:
        message.locations = []
    return catalog


def update() -> None:
    template = _without_locations(extract())
    TRANSLATIONS.mkdir(exist_ok=True)
    (TRANSLATIONS / "messages.pot").write_bytes(_po_bytes(template))
    for language in TRANSLATED:
        catalog = read_catalog(language)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        path = _po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_po_bytes(_without_locations(catalog)))
        path.with_suffix(".mo").write_bytes(_mo_bytes(read_catalog(language)))


def _key(message: Message) -> tuple[str, str | None]:
    """A message's identity: its English (the singular of a plural) and its context."""
    text = message.id if isinstance(message.id, str) else message.id[0]
    return text, message.context


def problems() -> list[str]:
    """What is wrong with the catalogs, one line each (empty: all is well)."""
    found: list[str] = []
    wanted = {_key(message) for message in extract() if message.id}
    for language in TRANSLATED:
        catalog = read_catalog(language)
        have = {_key(message): message for message in catalog if message.id}
        for missing in sorted(wanted - have.keys(), key=str):
            found.append(f"{language}: not in the catalog: {missing[0]!r}")
        for key, message in sorted(have.items(), key=lambda item: str(item[0])):
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{language}: fuzzy: {key[0]!r}")
            elif not all(strings):
                found.append(f"{language}: not translated: {key[0]!r}")
            if key not in wanted:
                found.append(f"{language}: no longer in the code (run make catalogs): {key[0]!r}")
        for message, errors in catalog.check():
            for error in errors:
                found.append(f"{language}: {message.id!r}: {error}")
        mo = _po_path(language).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != _mo_bytes(catalog):
            found.append(f"{language}: {mo.name} is not compiled from its .po (run make catalogs)")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "update":
        update()
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        print(f"catalogs: {len(found)} problem(s)" if found else "catalogs: complete and compiled")
        return 1 if found else 0
    print("usage: python -m timetracker.catalogs update|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
