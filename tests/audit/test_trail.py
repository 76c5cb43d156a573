"""Admin → Audit: who may open it, what each row shows, the filters (each and combined select
exactly the matching events), keyset pages at their edges, and bad filters answer 400."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tests.audit.conftest import add_event, page_ids, set_timezone, signed_in
from timetracker.audit import LABELS, Kind
from timetracker.models import AuditEvent

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# Who may open it ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
@pytest.mark.parametrize("who", ["anonymous", "staff", "anna"])
def test_only_administrators_may_read_the_trail(app, firm, path, who):
    user = {"anonymous": None, "staff": firm.staff, "anna": firm.anna}[who]
    response = signed_in(app, user).get(path)
    if who == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    else:
        assert response.status_code == 403
        assert "Audit trail" not in response.get_data(as_text=True)


# What a row shows ------------------------------------------------------------------------------


def test_a_row_shows_when_who_what_whom_client_invoice_address_browser_and_detail(
    session, firm, as_admin
):
    set_timezone(session, "Europe/Berlin")
    event = add_event(
        session,
        Kind.INVOICE_VIEWED,
        utc(2026, 3, 3, 13, 5, 9),  # 14:05 in Berlin
        actor=firm.anna,
        subject=firm.bruno,
        client=firm.alpha,
        invoice=firm.alpha_invoice,
        ip_address="203.0.113.9",
        user_agent="Mozilla/5.0 (X11; Linux) <script>",
        detail="from the e-mail link",
    )
    session.commit()
    html = as_admin.get("/admin/audit").get_data(as_text=True)
    row = html.split(f'data-event-id="{event.id}"')[1].split("</tr>")[0]
    assert "03/03/2026 14:05" in row
    assert "Anna Müller" in row and "anna@alpha.example" in row
    assert "Invoice viewed" in row
    assert "bruno@bravo.example" in row
    assert "Alpha GmbH" in row
    assert f'href="/invoices/{firm.alpha_invoice.id}">A-0001</a>' in row
    assert "203.0.113.9" in row
    assert "Mozilla/5.0 (X11; Linux) &lt;script&gt;" in row  # escaped
    assert "from the e-mail link" in row


def test_a_failed_sign_in_shows_the_address_typed_and_the_account_it_named(session, firm, as_admin):
    event = add_event(
        session,
        Kind.SIGN_IN_FAILED,
        utc(2026, 3, 3, 9),
        actor_email="ANNA@alpha.example",
        subject=firm.anna,
        detail="wrong password",
    )
    session.commit()
    html = as_admin.get("/admin/audit").get_data(as_text=True)
    row = html.split(f'data-event-id="{event.id}"')[1].split("</tr>")[0]
    assert "ANNA@alpha.example" in row and "Sign-in failed" in row
    assert "anna@alpha.example" in row and "wrong password" in row


# Filters --------------------------------------------------------------------------------------


@pytest.fixture
def trail(app, session, firm, monkeypatch):
    """Events of several kinds, people, clients and days, some on either side of local
    midnight in Berlin (UTC+1 in early March)."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 500)
    set_timezone(session, "Europe/Berlin")
    f = firm
    specs = [
        (Kind.SIGN_IN, utc(2026, 3, 1, 8), {"actor": f.anna, "client": f.alpha}),
        (Kind.INVOICE_VIEWED, utc(2026, 3, 1, 22, 59), {"actor": f.anna, "client": f.alpha,
                                                        "invoice": f.alpha_invoice}),
        # 00:00 on 2 March in Berlin:
        (Kind.INVOICE_VIEWED, utc(2026, 3, 1, 23, 0), {"actor": f.bruno, "client": f.bravo,
                                                       "invoice": f.bravo_invoice}),
        (Kind.PORTAL_ACCESS_GRANTED, utc(2026, 3, 2, 10), {"actor": f.admin, "subject": f.anna,
                                                           "client": f.alpha}),
        (Kind.CSV_EXPORTED, utc(2026, 3, 2, 22, 59, 59), {"actor": f.anna, "client": f.alpha}),
        (Kind.SIGN_IN_FAILED, utc(2026, 3, 3, 7), {"subject": f.bruno, "client": f.bravo,
                                                   "actor_email": "bruno@bravo.example"}),
        (Kind.USER_DEACTIVATED, utc(2026, 3, 3, 12), {"actor": f.admin, "subject": f.staff}),
        (Kind.CLIENT_DEACTIVATED, utc(2026, 3, 4, 9), {"actor": f.admin, "client": f.bravo}),
        (Kind.SIGN_IN, utc(2026, 3, 4, 9), {"actor": f.staff}),  # same instant: by id
        (Kind.INVOICE_PDF_DOWNLOADED, utc(2026, 3, 5, 23, 30), {"actor": f.anna,
                                                                "client": f.alpha,
                                                                "invoice": f.alpha_invoice}),
    ]  # fmt: skip
    for kind, at, fields in specs:
        add_event(session, kind, at, **fields)
    session.commit()


def _expected(session, person=None, client=None, kind=None, date_from=None, date_to=None):
    """The events the filters select, by reading every event in Python, newest first."""
    rows = session.scalars(select(AuditEvent)).all()

    def keep(e: AuditEvent) -> bool:
        day = e.at.astimezone(BERLIN).date()
        return (
            (person is None or person in (e.actor_id, e.subject_id))
            and (client is None or e.client_id == client)
            and (kind is None or e.kind == kind)
            and (date_from is None or day >= date_from)
            and (date_to is None or day <= date_to)
        )

    return [e.id for e in sorted(rows, key=lambda e: (e.at, e.id), reverse=True) if keep(e)]


FILTER_VALUES = {
    "person": lambda f: [f.anna.id, f.bruno.id, f.staff.id, f.admin.id],
    "client": lambda f: [f.alpha.id, f.bravo.id],
    "kind": lambda f: [Kind.INVOICE_VIEWED, Kind.SIGN_IN, Kind.PASSWORD_RESET],
    "date_from": lambda f: [dt.date(2026, 3, 2)],
    "date_to": lambda f: [dt.date(2026, 3, 2), dt.date(2026, 3, 4)],
}


@pytest.mark.parametrize(
    "names",
    [
        combo
        for n in range(1, len(FILTER_VALUES) + 1)
        for combo in itertools.combinations(FILTER_VALUES, n)
    ],
    ids=lambda names: "+".join(names),
)
def test_each_filter_and_every_combination_select_exactly_the_matching_events(
    session, firm, trail, as_admin, names
):
    choices = [FILTER_VALUES[name](firm) for name in names]
    checked = 0
    for values in itertools.product(*choices):
        chosen = dict(zip(names, values, strict=True))
        args = {k: v.isoformat() if isinstance(v, dt.date) else str(v) for k, v in chosen.items()}
        expected = _expected(session, **chosen)
        assert page_ids(as_admin.get("/admin/audit", query_string=args)) == expected, chosen
        checked += bool(expected)
    assert checked, "no combination matched anything: the test would not see a wrong filter"


def test_a_day_range_includes_both_local_days_and_nothing_beyond(session, firm, trail, as_admin):
    response = as_admin.get("/admin/audit?date_from=2026-03-02&date_to=2026-03-02")
    kinds = [
        session.get(AuditEvent, i).kind for i in page_ids(response)
    ]  # 00:00 ... 23:59:59 on 2 March in Berlin, newest first
    assert kinds == [Kind.CSV_EXPORTED, Kind.PORTAL_ACCESS_GRANTED, Kind.INVOICE_VIEWED]


def test_the_person_filter_matches_the_actor_or_the_account_an_event_is_about(
    session, firm, trail, as_admin
):
    ids = page_ids(as_admin.get(f"/admin/audit?person={firm.bruno.id}"))
    kinds = {session.get(AuditEvent, i).kind for i in ids}
    # His own view, and the failed sign-in that named his address (no actor).
    assert {Kind.INVOICE_VIEWED, Kind.SIGN_IN_FAILED} <= kinds


def test_the_selects_offer_every_person_client_and_kind(firm, as_admin):
    html = as_admin.get("/admin/audit").get_data(as_text=True)
    for user in (firm.admin, firm.staff, firm.anna, firm.bruno):
        assert f'<option value="{user.id}">{user.name} ({user.email})</option>' in html
    assert f'<option value="{firm.bravo.id}">Bravo Ltd</option>' in html
    for kind, text in LABELS.items():
        assert f'<option value="{kind}">{text}</option>' in html


def test_chosen_filters_are_kept_in_the_form_and_the_csv_link(firm, trail, as_admin):
    html = as_admin.get(
        f"/admin/audit?client={firm.alpha.id}&kind=sign_in&date_from=2026-03-01"
    ).get_data(as_text=True)
    assert f'<option selected value="{firm.alpha.id}">Alpha GmbH</option>' in html
    assert '<option selected value="sign_in">Signed in</option>' in html
    assert 'value="2026-03-01"' in html
    csv_link = html.split('href="/admin/audit.csv?')[1].split('"')[0]
    assert set(csv_link.replace("&amp;", "&").split("&")) == {
        f"client={firm.alpha.id}",
        "kind=sign_in",
        "date_from=2026-03-01",
    }


# Pages ----------------------------------------------------------------------------------------


def _links(response) -> dict[str, str]:
    """The page's Newest/Newer/Older links (name -> URL), only those that are links."""
    html = response.get_data(as_text=True)
    nav = html.split('<nav aria-label="Pages">')[1].split("</nav>")[0] if "Pages" in html else ""
    links = {}
    for name in ("Newest", "Newer", "Older"):
        marker = f">{name}</a>"
        if marker in nav:
            links[name] = nav.split(marker)[0].rsplit('href="', 1)[1].split('"')[0]
    return {k: v.replace("&amp;", "&") for k, v in links.items()}


@pytest.fixture
def numbered(app, session, firm, monkeypatch):
    """Seven events of client Alpha, one a minute, two at the same instant (ordered by id)."""
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    ids = []
    for minute in (0, 1, 2, 3, 3, 4, 5):
        event = add_event(
            session, Kind.SIGN_IN, utc(2026, 3, 2, 9, minute), actor=firm.anna, client=firm.alpha
        )
        ids.append(event.id)
    session.commit()
    return list(reversed(ids))  # newest first


def test_pages_walk_from_newest_to_oldest_and_back_without_gaps_or_repeats(
    firm, numbered, as_admin
):
    url = f"/admin/audit?client={firm.alpha.id}"
    seen, pages = [], []
    first = as_admin.get(url)
    assert "Newer" not in _links(first) and "Newest" not in _links(first)
    response = first
    while True:
        ids = page_ids(response)
        pages.append(ids)
        seen += ids
        links = _links(response)
        assert f"client={firm.alpha.id}" in links.get("Older", url)  # filters are kept
        if "Older" not in links:
            break
        response = as_admin.get(links["Older"])
        assert "Newer" in _links(response) and "Newest" in _links(response)
    assert seen == numbered
    assert [len(p) for p in pages] == [3, 3, 1]
    # And back: each Newer link shows the page before.
    for expected in reversed(pages[:-1]):
        response = as_admin.get(_links(response)["Newer"])
        assert page_ids(response) == expected
    assert "Newer" not in _links(response)


def test_a_trail_that_fills_its_last_page_exactly_offers_no_empty_older_page(
    app, session, firm, as_admin, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    ids = [
        add_event(session, Kind.SIGN_IN, utc(2026, 3, 2, 9, minute), client=firm.bravo).id
        for minute in range(6)
    ][::-1]
    session.commit()
    first = as_admin.get(f"/admin/audit?client={firm.bravo.id}")
    assert page_ids(first) == ids[:3] and set(_links(first)) == {"Older"}
    second = as_admin.get(_links(first)["Older"])
    assert page_ids(second) == ids[3:]
    assert set(_links(second)) == {"Newest", "Newer"}


def test_exactly_one_full_page_has_no_pages_around_it(app, session, firm, as_admin, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    for minute in (0, 1):
        add_event(session, Kind.SIGN_IN, utc(2026, 3, 2, 9, minute), client=firm.bravo)
    session.commit()
    response = as_admin.get(f"/admin/audit?client={firm.bravo.id}")
    assert len(page_ids(response)) == 2
    assert _links(response) == {}


def test_a_position_past_either_end_shows_an_empty_page_that_links_the_newest(
    firm, numbered, as_admin
):
    for position in ("before=0-1", "after=253402214400000000-2147483647"):
        response = as_admin.get(f"/admin/audit?client={firm.alpha.id}&{position}")
        assert page_ids(response) == []
        html = response.get_data(as_text=True)
        assert "No events on this page" in html
        assert f'href="/admin/audit?client={firm.alpha.id}">Show the newest events' in html


def test_an_empty_position_is_the_newest_page(firm, numbered, as_admin):
    response = as_admin.get(f"/admin/audit?client={firm.alpha.id}&before=&after=")
    assert page_ids(response) == numbered[:3]


def test_the_newest_page_costs_the_same_queries_whatever_the_trail_holds(
    app, session, firm, as_admin, count_queries, monkeypatch
):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 5)
    add_event(session, Kind.SIGN_IN, utc(2026, 3, 2, 9), client=firm.alpha)
    session.commit()

    def count(url):
        before = count_queries.count
        assert as_admin.get(url).status_code == 200
        return count_queries.count - before

    small = count("/admin/audit")
    for minute in range(40):
        add_event(session, Kind.SIGN_IN, utc(2026, 3, 2, 10, minute), client=firm.alpha)
    session.commit()
    assert count("/admin/audit") == small
    # A page deep in the trail asks for the rows past a position: no count, no rows skipped.
    count_queries.statements.clear()
    older = _links(as_admin.get("/admin/audit"))["Older"]
    count_queries.statements.clear()
    assert count(older) == small
    listing = [s for s in count_queries.statements if "FROM audit_events" in s and "LIMIT" in s]
    assert len(listing) == 1
    assert "(audit_events.at, audit_events.id) <" in listing[0]
    assert not any("count(" in s.lower() and "audit_events" in s for s in count_queries.statements)


# Bad filters ----------------------------------------------------------------------------------

BAD = [
    ("date_from=2026-02-30", "2026-02-30 is not a real calendar date"),
    ("date_from=03.01.2026", "Write the date as mm/dd/yyyy (or YYYY-MM-DD)"),
    ("date_to=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96-03-01", "YYYY-MM-DD"),  # fullwidth digits
    ("date_from=2026-03-05&date_to=2026-03-01", "must not be before its start"),
    ("date_from=0001-01-01", "The date must be from 1900-01-01"),
    ("kind=password_stolen", "Choose a kind of event from the list."),
    ("person=abc", "Choose a person from the list."),
    ("person=0", "Choose a person from the list."),
    ("person=99999999999", "Choose a person from the list."),
    ("person=2147483647", "Choose a person from the list."),  # in range, nobody
    ("client=-1", "Choose a client from the list."),
    ("client=2147483648", "Choose a client from the list."),
    ("before=yesterday", "This page link is not valid"),
    ("after=1-0", "This page link is not valid"),
    ("before=1-1&after=1-1", "This page link is not valid"),
]


@pytest.mark.parametrize(("query", "message"), BAD, ids=[q for q, _ in BAD])
def test_bad_filters_answer_400_with_what_was_wrong(firm, as_admin, query, message):
    response = as_admin.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), BAD[:12], ids=[q for q, _ in BAD[:12]])
def test_bad_filters_of_the_csv_answer_400_with_what_was_wrong(firm, as_admin, query, message):
    response = as_admin.get(f"/admin/audit.csv?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit.csv"])
@pytest.mark.parametrize("query", [b"kind=%ff", b"person=\xff", b"date_from=2026-03-01%c3%28"])
def test_a_query_that_is_not_utf8_answers_400(firm, as_admin, path, query):
    response = as_admin.get(path, environ_overrides={"QUERY_STRING": query.decode("latin-1")})
    assert response.status_code == 400
    assert "not valid UTF-8" in response.get_data(as_text=True)


# Every kind of event recorded where it happens shows on the page --------------------------------


def test_the_page_lists_the_events_of_every_flow_that_records_one(app, session, firm, as_admin):
    from tests.conftest import post
    from tests.factories import make_user

    anna = signed_in(app, firm.anna)
    invoice = firm.alpha_invoice.id
    assert anna.get(f"/client-portal/invoices/{invoice}").status_code == 200
    assert anna.get(f"/client-portal/invoices/{invoice}/pdf").status_code == 200
    assert anna.get("/client-portal/time-entries.csv?date_from=2026-03-01").status_code == 200
    person = make_user(session, name="Paula Person")
    session.commit()
    edit = f"/admin/users/{person.id}/edit"
    form = {"name": person.name, "email": person.email, "is_active": "y", "role": "staff"}
    portal = {"client_portal_enabled": "y", "client_id": str(firm.alpha.id)}
    assert post(as_admin, edit, {**form, **portal}, token_from=edit).status_code == 302
    form.pop("role")
    assert post(as_admin, edit, form, token_from=edit).status_code == 302
    for action in ("deactivate", "activate"):
        path = f"/admin/users/{person.id}/{action}"
        assert post(as_admin, path, token_from="/admin/users").status_code == 302
    client_page = f"/clients/{firm.bravo.id}"
    for action in ("deactivate", "reactivate"):
        path = f"{client_page}/{action}"
        assert post(as_admin, path, token_from=client_page).status_code == 302

    html = as_admin.get("/admin/audit").get_data(as_text=True)
    shown = dict(re.findall(r'data-event-id="\d+" data-kind="([a-z_]+)"()', html))
    hooked = {
        Kind.INVOICE_VIEWED,
        Kind.INVOICE_PDF_DOWNLOADED,
        Kind.CSV_EXPORTED,
        Kind.PORTAL_ACCESS_GRANTED,
        Kind.PORTAL_ACCESS_REMOVED,
        Kind.USER_DEACTIVATED,
        Kind.USER_ACTIVATED,
        Kind.CLIENT_DEACTIVATED,
        Kind.CLIENT_ACTIVATED,
        Kind.SIGN_IN,
    }
    assert hooked <= set(shown)
    for kind in hooked:
        assert LABELS[kind] in html
