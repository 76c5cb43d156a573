"""The client portal reads in German and in French: the browser's language chooses it for a
contact who has not chosen one, a contact's own choice wins, and the portal's 400 pages and
the documents page speak it too."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.portal.conftest import World, signed_in


def _page(browser: FlaskClient, path: str, language: str, status: int = 200) -> str:
    response = browser.get(path, headers={"Accept-Language": language})
    assert response.status_code == status, path
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Übersicht", "Aktive Projekte", "Stunden in diesem Monat", "Neueste Rechnungen"]),
        ("fr", ["Tableau de bord", "Projets actifs", "Heures ce mois-ci", "Factures récentes"]),
    ],
)
def test_the_dashboard_speaks_the_browsers_language(
    as_alpha: FlaskClient, language: str, expected: list[str]
) -> None:
    html = _page(as_alpha, "/client-portal", language)
    for text in expected:
        assert text in html, text
    assert "Active projects" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Rechnungen", "Ihnen wurden noch keine Rechnungen ausgestellt."]),
        ("fr", ["Factures", "Aucune facture ne vous a encore été émise."]),
    ],
)
def test_the_invoice_list_and_its_empty_state_are_translated(
    as_alpha: FlaskClient, language: str, expected: list[str]
) -> None:
    html = _page(as_alpha, "/client-portal/invoices", language)
    for text in expected:
        assert text in html, text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", ["Statusmeldungen", "Notizen", "Kommentare", "Kommentar senden"]),
        ("fr", ["Points d’avancement", "Notes", "Commentaires", "Publier"]),
    ],
)
def test_the_project_page_and_its_comment_thread_are_translated(
    as_alpha: FlaskClient, world: World, language: str, expected: list[str]
) -> None:
    html = _page(as_alpha, f"/client-portal/projects/{world.a.project.id}", language)
    for text in expected:
        assert text in html, text
    assert "Post comment" not in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Unbekannter Statusfilter für Rechnungen. Erlaubte Werte: all, paid, unpaid"),
        ("fr", "Filtre de statut de facture inconnu. Valeurs autorisées\u00a0: all, paid, unpaid"),
    ],
)
def test_a_bad_filter_is_explained_in_the_contacts_language(
    as_alpha: FlaskClient, language: str, expected: str
) -> None:
    html = _page(as_alpha, "/client-portal/invoices?status=bogus", language, status=400)
    assert expected in html


def test_a_parameter_error_is_english_as_a_string_and_translated_as_text(app: Flask) -> None:
    """``str()`` is the API's problem text (English); ``text`` is what a 400 page shows."""
    from timetracker import i18n
    from timetracker.portal import params

    with app.test_request_context():
        params_error = params.ParamError(
            params.N_("Unknown invoice status filter. Allowed values: %(values)s."), values="a, b"
        )
        with i18n.speaking("de"):
            assert str(params_error) == "Unknown invoice status filter. Allowed values: a, b."
            assert params_error.text == (
                "Unbekannter Statusfilter für Rechnungen. Erlaubte Werte: a, b."
            )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Mit Ihnen wurden noch keine Dokumente geteilt."),
        ("fr", "Aucun document n’a encore été partagé avec vous."),
    ],
)
def test_the_documents_page_is_translated(
    as_alpha: FlaskClient, language: str, expected: str
) -> None:
    assert expected in _page(as_alpha, "/client-portal/documents", language)


def test_a_contacts_own_language_wins_over_the_browsers(
    app: Flask, session: Session, world: World
) -> None:
    world.a.portal_user.language = "fr"
    session.commit()
    html = _page(signed_in(app, world.a.portal_user), "/client-portal/projects", "de")
    assert "Projets" in html and "Projekte" not in html
