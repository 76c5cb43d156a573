"""Every quote page is valid HTML by the Nu HTML Checker (vnu): the staff pages of a quote in
each state, the portal's list and quote pages, and the forms sent back with their errors.
(The browser test checks what it visits; this covers every state without a browser.)"""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import post
from tests.e2e.htmlcheck import HtmlPages
from tests.e2e.test_html_valid import _require_validator
from tests.quotes.conftest import World, make_quote


def test_every_quote_page_is_valid_html(
    as_admin: FlaskClient, as_alpha: FlaskClient, world: World, session: Session, tmp_path: Path
) -> None:
    _require_validator()
    pages = HtmlPages(tmp_path)

    def keep(visitor: FlaskClient, path: str, data: dict[str, str] | None = None) -> None:
        if data is None:
            response = visitor.get(path)
        else:
            response = post(
                visitor,
                path,
                data,
                token_from="/client-portal/quotes"
                if path.startswith("/client-portal")
                else "/quotes/new",
            )
        assert response.mimetype == "text/html", path
        pages.add(f"{'POST' if data is not None else 'GET'} {path} ({response.status_code})",
                  response.data)  # fmt: skip

    # A real answer and a real visit: their times have microseconds, which a <time> element
    # must not show.
    accepted = post(
        as_alpha,
        f"/client-portal/quotes/{world.a.open.id}/accept",
        {"accept-full_name": "Alpha Signer", "accept-accept_terms": "y"},
        token_from="/client-portal/quotes",
    )
    assert accepted.status_code == 303
    draft = world.a.quotes["draft"]
    for path in ("/quotes", "/quotes?status=open", "/quotes/new", f"/quotes/{draft.id}/edit",
                 f"/quotes/{draft.id}/items/{draft.items[0].id}/edit"):  # fmt: skip
        keep(as_admin, path)
    for quote in world.a.quotes.values():
        keep(as_admin, f"/quotes/{quote.id}")
    keep(as_admin, "/quotes/new", {"title": ""})
    keep(as_admin, f"/quotes/{draft.id}/items", {"item-quantity": "x"})
    keep(as_admin, f"/quotes/{world.a.open.id}/send", {})

    for status in ("open", "accepted", "declined", "expired", "all"):
        keep(as_alpha, f"/client-portal/quotes?status={status}")
    for state, quote in world.a.quotes.items():
        if state != "draft":
            keep(as_alpha, f"/client-portal/quotes/{quote.id}")
    open_b = make_quote(session, world.a.client, number="ALPHA-OPEN2")
    session.commit()
    keep(as_alpha, f"/client-portal/quotes/{open_b.id}/accept", {"accept-full_name": "A"})
    keep(as_alpha, f"/client-portal/quotes/{open_b.id}/decline", {"decline-reason": ""})

    keep(as_admin, f"/quotes/{world.a.open.id}")  # with the answer and who viewed it
    assert len(pages.pages) >= 18
    errors, warnings = pages.problems()
    assert not errors, f"{len(errors)} errors in {len(pages.pages)} pages:\n  " + "\n  ".join(
        errors + warnings
    )
