"""Which language a page speaks and which locale its numbers follow (``timetracker.i18n``), and
the catalog check CI runs (``timetracker.catalogs``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from flask import Flask, g
from flask_babel import gettext
from sqlalchemy.orm import Session

from tests.factories import make_client, make_portal_user
from timetracker import catalogs, formatting, i18n
from timetracker.models import Settings


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("fr-CH, fr;q=0.9", "fr"),
        ("en-GB", "en"),
        ("es-ES,de;q=0.5", "de"),  # the best the app speaks
        ("ja, zh", "en"),  # none it speaks: English
        ("", "en"),
        (";;,q=x,\x7f", "en"),  # nonsense is not an error
    ],
)
def test_an_anonymous_page_follows_the_browser(app: Flask, header: str, expected: str) -> None:
    with app.test_request_context("/login", headers={"Accept-Language": header}):
        assert i18n.select_language() == expected


def test_a_persons_choice_comes_before_the_browser(app: Flask, ctx: Session) -> None:
    person = make_portal_user(ctx, make_client(ctx))
    person.language = "fr"
    ctx.flush()
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        from flask_login import login_user

        login_user(person)
        assert i18n.select_language() == "fr"
        person.language = None  # no choice: the browser's
        assert i18n.select_language() == "de"
        person.language = "xx"  # a language the app does not speak: as no choice
        assert i18n.select_language() == "de"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [("LANG", "de_DE.UTF-8", "de"), ("LC_ALL", "fr_FR.UTF-8", "fr"), ("LANG", "C.UTF-8", "en")],
)
def test_the_command_line_follows_the_environment(
    app: Flask, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, value)
    with app.app_context():
        assert i18n.select_language() == expected


@pytest.mark.parametrize(
    ("firm_locale", "language", "expected"),
    [
        ("en_US", "en", "en_US"),
        ("en_GB", "en", "en_GB"),
        ("de_DE", "en", "de_DE"),  # English readers keep the firm's formats
        ("en_US", "de", "de_DE"),  # German readers of an American firm get German formats
        ("de_AT", "de", "de_AT"),  # ...and of an Austrian firm the firm's own
        ("fr_CH", "fr", "fr_CH"),
        ("de_DE", "fr", "fr_FR"),
    ],
)
def test_numbers_follow_the_language_spoken(
    app: Flask, ctx: Session, firm_locale: str, language: str, expected: str
) -> None:
    ctx.merge(Settings(id=1, locale=firm_locale))
    ctx.flush()
    g.pop("firm_settings", None)
    with app.test_request_context("/"), i18n.speaking(language):
        assert formatting.current_locale() == expected


def test_speaking_renders_money_dates_and_words_in_that_language(app: Flask, ctx: Session) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        with i18n.speaking("de"):
            assert formatting.money(Decimal("1234.5"), "EUR") == "1.234,50\xa0€"
            assert gettext("Invoice") == "Rechnung"
        with i18n.speaking("fr"):
            assert gettext("Invoice") == "Facture"
        assert gettext("Invoice") == "Invoice"  # back to the request's language


def test_templates_translate_in_the_language_spoken_each_time(app: Flask, ctx: Session) -> None:
    """Templates' ``_()`` remembers labels per catalog: a language switched inside a request
    (an email, a PDF) reads its own words, and the request's come back after it."""
    page = app.jinja_env.from_string(
        '{{ _("Invoice") }}|{{ _("Hours") }}|{{ _("%(percent)s %%", percent="<b>") }}'
    )
    text = app.jinja_env.from_string(
        "{% autoescape false %}"
        '{{ _("Invoice") }} {{ _("%(percent)s %%", percent="<b>") }}'
        "{% endautoescape %}"
    )
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        for _round in range(2):  # the second time from what was remembered
            assert page.render() == "Invoice|Hours|&lt;b&gt; %"
            with i18n.speaking("de"):
                assert page.render() == "Rechnung|Stunden|&lt;b&gt; %"
                assert text.render() == "Rechnung <b> %"
            with i18n.speaking("fr"):
                assert page.render().startswith("Facture|Heures|")
            assert page.render() == "Invoice|Hours|&lt;b&gt; %"
    g.pop("_flask_babel", None)  # the test's application context outlives the request
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert page.render().startswith("Rechnung|Stunden|")


def test_amounts_read_alike_however_they_were_computed(app: Flask, ctx: Session) -> None:
    """Amounts are remembered once formatted: equal amounts of another scale read the same,
    and the same amount reads in each locale's own way."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert formatting.money(Decimal("1234.5"), "EUR") == formatting.money(
            Decimal("1234.500"), "EUR"
        )
        english = formatting.money(Decimal("1234.5"), "EUR")
        with i18n.speaking("de"):
            assert formatting.money(Decimal("1234.5"), "EUR") == "1.234,50\xa0€"
        assert formatting.money(Decimal("1234.5"), "EUR") == english
        assert formatting.money(Decimal(1000), "JPY").endswith("1,000")


def test_a_contacts_emails_follow_them_else_their_clients_document_language(
    app: Flask, ctx: Session
) -> None:
    client = make_client(ctx)
    contact = make_portal_user(ctx, client)
    with app.test_request_context("/"):
        assert i18n.language_of(contact) == "en"  # nothing chosen: the firm's (en_US)
        client.document_language = "fr"
        ctx.flush()
        ctx.refresh(contact)
        contact.client = client
        assert i18n.document_language(client) == "fr"
        assert i18n.language_of(contact) == "fr"
        contact.language = "de"
        assert i18n.language_of(contact) == "de"


def test_the_catalog_check_finds_what_is_missing_fuzzy_empty_or_not_compiled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = Catalog()
    for text in ("Save", "Delete", "Cancel", "Hello %(name)s"):
        template.add(text)
    monkeypatch.setattr(catalogs, "extract", lambda: template)
    monkeypatch.setattr(catalogs, "TRANSLATIONS", tmp_path)
    monkeypatch.setattr(catalogs, "TRANSLATED", ("de",))
    german = Catalog(locale="de")
    german.add("Save", "Speichern")
    german.add("Delete", "Löschen", flags=["fuzzy"])
    german.add("Cancel", "")
    german.add("Hello %(name)s", "Hallo %(nom)s")
    german.add("Gone", "Weg")
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.po").open("wb") as stream:
        write_po(stream, german)
    found = "\n".join(catalogs.problems())
    assert "fuzzy: 'Delete'" in found
    assert "not translated: 'Cancel'" in found
    assert "Hello %(name)s" in found and "placeholder" in found
    assert "no longer in the code" in found and "'Gone'" in found
    assert "messages.mo is not compiled" in found
    german.add("Later", "Später")
    template.add("Later")
    template.add("New")
    assert "de: not in the catalog: 'New'" in "\n".join(catalogs.problems())


def test_the_json_api_answers_in_english_whatever_the_browser_asks(app: Flask) -> None:
    with app.test_request_context("/api/v1/portal/invoices", headers={"Accept-Language": "de"}):
        assert i18n.select_language() == "en"
