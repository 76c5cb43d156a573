"""Which language a page, an email or a document speaks, and the locale its numbers follow.

The product is written in English and translated into German and French (catalogs under
``timetracker/translations``; ``make catalogs`` extracts and compiles them, ``docs/glossary.md``
keeps the terms consistent). A page speaks, in this order:

1. the signed-in person's own choice (``User.language``, on the account page);
2. else the browser's ``Accept-Language``, for anonymous pages (sign-in, reset) too;
3. else English.

The JSON API (``/api/v1``) always answers in English: its messages are read by programs.

Outside a request (the command line, the worker) the environment's ``LANG`` is the choice.
Emails and PDFs say in which language they are written with :func:`speaking`: what goes to a
person follows :func:`language_of` that person, what goes to a client's address or is
attached to a client's document follows :func:`document_language` of the client.

Numbers, dates and money follow the firm's locale (``Settings.locale``) when it is of the
language being spoken, English included (English is read as the firm's working language,
so an en_GB or a de_DE firm keeps its formats for its English readers); German and French
readers of a firm in another language get their language's own locale (de_DE, fr_FR).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from flask import Flask, has_request_context, request
from flask.globals import _cv_app
from flask_babel import Babel, force_locale, get_locale, get_translations, gettext, pgettext
from flask_babel.speaklater import LazyString
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from timetracker.models import Client, User

#: The languages the product speaks, in the order a choice lists them, with their own names.
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "fr": "Français"}
SOURCE_LANGUAGE = "en"
#: The locale of each language where the firm's locale is of another language.
_OWN_LOCALE = {"en": "en_US", "de": "de_DE", "fr": "fr_FR"}
_API = "/api/v1/"

babel = Babel()


class LazyText(LazyString):
    """A text translated when it is used. Flask-Babel's own lazy string hands Jinja its text as
    markup, unescaped (its ``__html__``); this one is escaped like any other text."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(message: str, **variables: Any) -> LazyText:
    """``message`` in the language spoken when it is shown: for texts fixed when a module is
    imported (form labels, validator messages, choices, constants)."""
    return LazyText(gettext, message, **variables)


_l = lazy_gettext


def lazy_pgettext(context: str, message: str) -> LazyText:
    """:func:`lazy_gettext` of ``message`` in ``context`` (one English word, two translations:
    "All" invoices are *toutes* in French, "All" projects *tous*)."""
    return LazyText(pgettext, context, message)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for it
    """Mark ``message`` for translation without translating it: it is kept or recorded as it
    is (the audit trail, a job's arguments, a value tests and code compare) and translated
    with ``gettext`` where people read it."""
    return message


def init_app(app: Flask) -> None:
    babel.init_app(app, default_locale=SOURCE_LANGUAGE, locale_selector=select_language)
    # A page calls gettext hundreds of times; Flask-Babel finds the catalog anew on each call.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = _template_gettext
    # ``<html lang>`` and anything else a template needs to know of the language spoken.
    app.context_processor(lambda: {"html_lang": current_language(), "languages": LANGUAGES})


def translations() -> Any:
    """The catalog of the language being spoken: Flask-Babel's, remembered beside the locale
    it was found for (``speaking`` sets another locale object, which finds its own)."""
    context = _cv_app.get(None)
    state = context.g.__dict__.get("_flask_babel") if context is not None else None
    locale = getattr(state, "babel_locale", None)
    if state is None or locale is None:
        return get_translations()
    remembered = state.__dict__.get("timetracker_translations")
    if remembered is not None and remembered[0] is locale:
        return remembered[1]
    found = get_translations()
    state.timetracker_translations = (locale, found)
    return found


@pass_eval_context
def _template_gettext(eval_context: EvalContext, string: str, **variables: Any) -> str:
    """``_()`` in templates, as Jinja's own newstyle gettext does it (the text escaped where
    the template escapes, then formatted) with one call less per string."""
    catalog = translations()
    if variables or not eval_context.autoescape:
        text = catalog.ugettext(string)
        if eval_context.autoescape:
            text = Markup(text)
        return text % variables
    # A label without values reads the same every time: kept beside its catalog.
    labels = catalog.__dict__.setdefault("timetracker_labels", {})
    label = labels.get(string)
    if label is None:
        label = labels[string] = Markup(catalog.ugettext(string)) % {}
    return label


def known(language: str | None) -> str | None:
    """``language`` if the product speaks it, else None."""
    return language if language in LANGUAGES else None


def select_language() -> str:
    """The language of the current request (see the module's docstring)."""
    if not has_request_context():
        return _environment_language()
    if request.path.startswith(_API) and request.blueprint != "api_reference":
        return SOURCE_LANGUAGE  # the JSON API's messages are for programs: always English
    from flask_login import current_user

    own = known(getattr(current_user, "language", None))
    if own is not None:
        return own
    return request.accept_languages.best_match(tuple(LANGUAGES)) or SOURCE_LANGUAGE


def _environment_language() -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return known(value.split("_")[0].split(".")[0].lower()) or SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def current_language() -> str:
    context = _cv_app.get(None)  # read directly: every amount and date on a page asks
    state = context.g.__dict__.get("_flask_babel") if context is not None else None
    locale = getattr(state, "babel_locale", None) or get_locale()
    return known(locale.language if locale is not None else None) or SOURCE_LANGUAGE


def language_of(person: User) -> str:
    """What an email to ``person`` is written in: their choice, else their client's document
    language for a contact, else the firm's language."""
    own = known(person.language)
    if own is not None:
        return own
    client = person.__dict__.get("client")  # loaded by the caller or not at all
    if client is not None:
        return document_language(client)
    return firm_language()


def document_language(client: Client) -> str:
    """What PDFs and emails to ``client``'s own address are written in."""
    return known(client.document_language) or firm_language()


def firm_language() -> str:
    from timetracker import firm

    name = firm.get_settings().locale or ""
    return known(name.split("_")[0]) or SOURCE_LANGUAGE


def format_locale(firm_locale: str) -> str:
    """The locale numbers and dates follow for the language being spoken (module docstring)."""
    language = current_language()
    if firm_locale.split("_")[0] == language or language == SOURCE_LANGUAGE:
        return firm_locale
    return _OWN_LOCALE[language]


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Write what is rendered inside in ``language`` (an email, a PDF)."""
    with force_locale(known(language) or SOURCE_LANGUAGE):
        yield
