"""The workspace invoice page says who opened the invoice in the portal: each client contact
once, at their latest view, newest first, in the firm's timezone and date format."""

from __future__ import annotations

import datetime as dt
import re

from tests.audit.conftest import add_event, signed_in
from tests.factories import make_portal_user
from timetracker.audit import Kind
from timetracker.audit.queries import invoice_viewers
from timetracker.models import Settings


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def _viewed_by(html: str) -> list[str]:
    block = html.split('data-testid="viewed-by"')[1].split("</dd>")[0]
    return [re.sub(r"<[^>]+>", "", item).strip() for item in block.split("<li>")[1:]]


def test_each_person_is_shown_once_at_their_latest_view_newest_first(session, firm, as_admin):
    session.merge(Settings(id=1, timezone="Europe/Berlin", locale="en_GB"))
    carla = make_portal_user(session, firm.alpha, name="Carla Contact")
    invoice = firm.alpha_invoice
    add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 1, 9),
        actor=firm.anna,
        client=firm.alpha,
        invoice=invoice,
    )
    add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 3, 13, 5),
        actor=firm.anna,
        client=firm.alpha,
        invoice=invoice,
    )  # 14:05 in Berlin
    add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 2, 23, 30),
        actor=carla,
        client=firm.alpha,
        invoice=invoice,
    )  # 00:30 on 3 March in Berlin
    # Neither a download nor a view of another invoice counts as a view of this one.
    add_event(
        session,
        Kind.INVOICE_PDF_DOWNLOADED,
        utc(2026, 3, 4, 9),
        actor=carla,
        client=firm.alpha,
        invoice=invoice,
    )
    add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 5, 9),
        actor=carla,
        client=firm.alpha,
        invoice=firm.alpha_draft,
    )
    session.commit()  # fmt: skip
    html = as_admin.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert _viewed_by(html) == [
        "Viewed by Anna Müller on 03/03/2026, 14:05",
        "Viewed by Carla Contact on 03/03/2026, 00:30",
    ]


def test_the_name_recorded_at_the_latest_view_is_shown_and_a_deleted_account_by_email(
    session, firm, as_admin
):
    invoice = firm.alpha_invoice
    add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 1, 9),
        actor=firm.anna,
        client=firm.alpha,
        invoice=invoice,
    )
    firm.anna.name = "Anna Schmidt"
    add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 2, 9),
        actor=firm.anna,
        client=firm.alpha,
        invoice=invoice,
    )
    add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 3, 9),
        actor=None,
        actor_email="gone@alpha.example",
        client=firm.alpha,
        invoice=invoice,
    )
    session.commit()  # fmt: skip
    html = as_admin.get(f"/invoices/{invoice.id}").get_data(as_text=True)
    assert [line.split(" on ")[0] for line in _viewed_by(html)] == [
        "Viewed by gone@alpha.example",
        "Viewed by Anna Schmidt",
    ]


def test_a_portal_view_shows_on_the_staff_page(app, session, firm, as_admin, frozen_clock):
    assert signed_in(app, firm.anna).get(f"/client-portal/invoices/{firm.alpha_invoice.id}")
    html = as_admin.get(f"/invoices/{firm.alpha_invoice.id}").get_data(as_text=True)
    (line,) = _viewed_by(html)
    now = dt.datetime.now(dt.UTC)  # the firm's timezone is UTC here
    assert line.startswith("Viewed by Anna Müller on ")
    assert line.endswith(now.strftime(", %H:%M"))
    # Staff who are not administrators see it too.
    staff_html = signed_in(app, firm.staff).get(f"/invoices/{firm.alpha_invoice.id}")
    assert _viewed_by(staff_html.get_data(as_text=True)) == [line]


def test_an_invoice_nobody_opened_says_so_and_a_draft_says_nothing(firm, as_admin):
    html = as_admin.get(f"/invoices/{firm.alpha_invoice.id}").get_data(as_text=True)
    assert "Not viewed yet" in html
    draft = as_admin.get(f"/invoices/{firm.alpha_draft.id}").get_data(as_text=True)
    assert 'data-testid="viewed-by"' not in draft


def test_the_viewers_are_read_in_one_query(app, session, firm, count_queries):
    for day in range(1, 8):
        add_event(
            session,
            Kind.INVOICE_VIEWED,
            utc(2026, 3, day, 9),
            actor=firm.anna if day % 2 else firm.bruno,
            invoice=firm.alpha_invoice,
        )
    session.flush()  # fmt: skip
    before = count_queries.count
    with app.app_context():
        viewers = invoice_viewers(session, firm.alpha_invoice.id)
    assert count_queries.count - before == 1
    assert [(v.email, v.at) for v in viewers] == [
        ("anna@alpha.example", utc(2026, 3, 7, 9)),
        ("bruno@bravo.example", utc(2026, 3, 6, 9)),
    ]
