"""The sign-in page speaks the browser's language: German for ``Accept-Language: de``, French
for ``fr``, English otherwise (the catalogs are in ``timetracker/translations``)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import CSRF_RE

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("accept", "heading", "texts"),
    [
        ("de", "Anmelden", ["Passwort", "Angemeldet bleiben", "Passwort vergessen?"]),
        ("de-DE,de;q=0.9,en;q=0.5", "Anmelden", ["Passwort", "Angemeldet bleiben"]),
        ("fr", "Se connecter", ["Mot de passe", "Rester connecté", f"Mot de passe oublié{NBSP}?"]),
        ("en-GB,en;q=0.8", "Log in", ["Password", "Keep me signed in", "Forgot password?"]),
    ],
)
def test_the_sign_in_page_speaks_the_browsers_language(
    app: Flask, accept: str, heading: str, texts: list[str]
) -> None:
    response = app.test_client().get("/login", headers={"Accept-Language": accept})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<h1 class="h3 mb-3">{heading}</h1>' in html
    assert f'<button type="submit" class="btn btn-primary w-100">{heading}</button>' in html
    for text in texts:
        assert text in html, text


def test_a_wrong_password_is_told_in_the_browsers_language(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    match = CSRF_RE.search(page)
    assert match is not None
    response = client.post(
        "/login",
        data={
            "email": "nobody@example.com",
            "password": "wrong-password",
            "csrf_token": match.group(1),
        },
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    assert "E-mail ou mot de passe incorrect, ou compte inactif." in response.get_data(as_text=True)


def test_without_accept_language_the_sign_in_page_is_english(app: Flask) -> None:
    html = app.test_client().get("/login").get_data(as_text=True)
    assert '<h1 class="h3 mb-3">Log in</h1>' in html and "Anmelden" not in html
