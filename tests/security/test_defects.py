"""Regression tests of the defects found by the hardening review (issue 12), one per defect:
calendar edges, raw non-UTF-8 bytes, redirect targets, ids in URLs, email headers and the CSV
formula guard."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from email import message_from_bytes
from email import policy as email_policy
from email.utils import formataddr, getaddresses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import csrf_token, login, post
from tests.factories import (
    PASSWORD,
    make_admin,
    make_client,
    make_entry,
    make_invoice,
    make_portal_user,
    make_project,
    make_user,
)
from tests.security import harness
from timetracker import firm
from timetracker.billing import periods
from timetracker.documents.csv_export import FORMULA_STARTS, neutralise
from timetracker.models import Settings
from timetracker.notifications.mail import (
    AddressError,
    compose_invoice_email,
    mail_address,
    sender_address,
)
from timetracker.parsing import DATE_RANGE_TEXT, MAX_DATE, MIN_DATE, DateValueError, parse_date
from timetracker.redirects import safe_redirect_target


@pytest.fixture(autouse=True)
def no_rate_limits(monkeypatch):
    """These tests send many requests; the rate limits have their own tests."""
    harness.without_rate_limits(monkeypatch)


# 1. Calendar edges ------------------------------------------------------------------------------

EDGE_DATES = ["9999-12-31", "9999-12-30", "9999-12-25", "9999-01-01", "0001-01-01", "0001-01-02"]
TIMEZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]  # UTC+14, UTC-11


def _set_timezone(session, name: str) -> None:
    settings = session.get(Settings, 1) or Settings(id=1)
    settings.timezone = name
    session.add(settings)
    session.commit()


def test_the_date_parser_accepts_exactly_the_supported_range():
    assert parse_date(MIN_DATE.isoformat()) == MIN_DATE
    assert parse_date(f" {MAX_DATE.isoformat()} ") == MAX_DATE
    for text in ["1899-12-31", "9999-01-01", "9999-12-31", "0001-01-01"]:
        with pytest.raises(DateValueError, match=DATE_RANGE_TEXT):
            parse_date(text)
    for text in ["2026-02-30", "٢٠٢٦-٠١-٠١", "2026-1-1", "", "2026-01-01x"]:
        with pytest.raises(DateValueError):
            parse_date(text)


def test_period_arithmetic_cannot_leave_the_calendar(ctx):
    for zone in TIMEZONES:
        firm.get_settings().timezone = zone
        for day in (dt.date.min, dt.date.max, MIN_DATE, MAX_DATE):
            start, end = periods.day_bounds(day, day)  # no OverflowError
            assert start is None or end is None or start < end
        assert periods.shift_days(dt.date.max, 1) is None
        assert periods.shift_days(dt.date.min, -1) is None
        assert periods.week_of(dt.date.min) == dt.date.min


@pytest.mark.parametrize("zone", TIMEZONES)
@pytest.mark.parametrize("path", ["/client-portal/time-entries", "/client-portal/time-entries.csv"])
def test_portal_time_entries_at_the_calendar_edges(client, session, zone, path):
    the_client = make_client(session)
    make_entry(session, make_project(session, the_client))
    user = make_portal_user(session, the_client)
    _set_timezone(session, zone)
    login(client, user.email)
    for day in EDGE_DATES:
        for name in ("date_from", "date_to"):
            response = client.get(path, query_string={name: day})
            assert response.status_code == 400, (day, name)
            assert DATE_RANGE_TEXT in response.get_data(as_text=True)
    for day in (MIN_DATE, MAX_DATE):
        args = {"date_from": day.isoformat(), "date_to": day.isoformat()}
        assert client.get(path, query_string=args).status_code == 200


@pytest.mark.parametrize("zone", TIMEZONES)
@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/time", ("date_from", "date_to")),
        ("/time/export.csv", ("date_from", "date_to")),
        ("/reports", ("date_from", "date_to")),
        ("/time/week", ("week",)),
    ],
)
def test_staff_pages_at_the_calendar_edges(client, session, zone, path, names):
    user = make_user(session)
    make_entry(session, make_project(session), user=user)
    _set_timezone(session, zone)
    login(client, user.email)
    for day in EDGE_DATES:
        for name in names:
            response = client.get(path, query_string={name: day})
            assert response.status_code == 400, (day, name)
            if path != "/time/export.csv":
                assert DATE_RANGE_TEXT in response.get_data(as_text=True)
    for day in (MIN_DATE, MAX_DATE):
        args = {name: day.isoformat() for name in names}
        assert client.get(path, query_string=args).status_code == 200, (day, path)


def test_the_week_view_has_no_links_out_of_the_supported_range(client, session):
    user = make_user(session)
    session.commit()
    login(client, user.email)
    first = client.get("/time/week", query_string={"week": MIN_DATE.isoformat()})
    assert "Previous week" not in first.get_data(as_text=True)
    assert "Next week" in first.get_data(as_text=True)
    last = client.get("/time/week", query_string={"week": MAX_DATE.isoformat()})
    assert "Next week" not in last.get_data(as_text=True)


@pytest.mark.parametrize("zone", TIMEZONES)
def test_time_entry_form_at_the_calendar_edges(client, session, zone):
    user = make_user(session)
    project = make_project(session)
    _set_timezone(session, zone)
    login(client, user.email)
    for day in ["9999-12-31", "9999-12-30", "0001-01-01"]:
        response = post(
            client,
            "/time/new",
            {"project": project.id, "day": day, "start": "22:00", "end": "23:30"},
            token_from="/time/new",
        )
        assert response.status_code == 400, day
        assert DATE_RANGE_TEXT in response.get_data(as_text=True)
    for day in (MIN_DATE, MAX_DATE):
        response = post(
            client,
            "/time/new",
            {"project": project.id, "day": day.isoformat(), "start": "22:00", "end": "23:30"},
            token_from="/time/new",
        )
        assert response.status_code == 302, day


def test_invoice_form_at_the_calendar_edges(client, session):
    admin = make_admin(session)
    the_client = make_client(session)
    session.commit()
    login(client, admin.email)
    base = {"client": the_client.id, "payment_terms": "365", "tax_rate": "0", "group_by": "project"}
    for field in ("issue_date", "date_from", "date_to"):
        for day in ["9999-12-31", "9999-12-20", "0001-01-01"]:
            data = {**base, "issue_date": "2026-01-01", field: day}
            response = post(client, "/invoices/new", data, token_from="/invoices/new")
            assert response.status_code == 400, (field, day)
            assert DATE_RANGE_TEXT in response.get_data(as_text=True)
    data = {**base, "issue_date": MAX_DATE.isoformat()}
    response = post(client, "/invoices/new", data, token_from="/invoices/new")
    assert response.status_code == 302


# 2. Raw non-UTF-8 bytes ------------------------------------------------------------------------

# The WSGI environ holds what the client sent as latin-1 text: "\xff" is the raw byte 0xFF.
RAW_BYTES = [
    {"QUERY_STRING": "q=\xff"},
    {"QUERY_STRING": "\xff\xfe=1"},
    {"QUERY_STRING": "date_from=2026-01-01&status=\xc3"},
    {"QUERY_STRING": "q=%ff"},
    {"HTTP_COOKIE": "x=\xff\xfe"},
    {"HTTP_COOKIE": "x\xff=1"},
    {"PATH_INFO": "/time\xff"},
    {"PATH_INFO": "/client-portal/invoices/\xe9"},
]
RAW_PATHS = ["/login", "/time", "/client-portal/time-entries", "/nowhere", "/static/css/app.css"]


@pytest.mark.parametrize("signed_in", ["outsider", "staff", "portal"])
def test_raw_non_utf8_bytes_answer_400_everywhere(app, client, session, signed_in):
    the_client = make_client(session)
    people = {"staff": make_user(session), "portal": make_portal_user(session, the_client)}
    session.commit()
    cookies = ""
    if signed_in in people:
        login(client, people[signed_in].email)
        cookies = f"session={client.get_cookie('session').value}; "
    # Without the cookie jar, which would replace the Cookie header.
    browser = app.test_client(use_cookies=False)
    for path in RAW_PATHS:
        for environ in RAW_BYTES:
            environ = {"HTTP_COOKIE": cookies, **environ}
            if environ["HTTP_COOKIE"] != cookies:
                environ["HTTP_COOKIE"] = cookies + environ["HTTP_COOKIE"]
            response = browser.get(path, environ_overrides=environ)
            assert response.status_code == 400, (path, environ)
            assert "UTF-8" in response.get_data(as_text=True)
            assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("body", [b"email=\xff&password=x", b"email=%ff%fe&password=x"])
def test_raw_non_utf8_form_bodies_answer_400(app, client, session, body):
    user = make_user(session)
    session.commit()
    login(client, user.email)
    token = csrf_token(client, "/time/new")
    for path in ("/login", "/time/new", "/logout"):
        data = body + b"&csrf_token=" + token.encode()
        response = client.post(path, data=data, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 400, path
        assert "form body is not valid UTF-8" in response.get_data(as_text=True)


def test_raw_bytes_are_refused_behind_a_trusted_proxy_too(app, connection):
    behind = harness.sibling_app(app, PROXY_FIX_HOPS=1)
    try:
        response = behind.test_client().get("/login", environ_overrides={"QUERY_STRING": "q=\xff"})
        assert response.status_code == 400
    finally:
        behind.extensions["timetracker.engine"].dispose()


def test_valid_utf8_passes_the_byte_check(client, session):
    user = make_user(session)
    session.commit()
    assert login(client, user.email).status_code == 302  # the form body was read again
    response = client.get("/time", query_string={"q": "Zürich ✓"})
    assert response.status_code == 200


# 3. Redirect targets ---------------------------------------------------------------------------

BAD_TARGETS = [
    "\t/evil.example",
    "/\t/evil.example",
    "/time\r\nSet-Cookie: x=1",
    "/time\n",
    "/time\r",
    "//evil.example",
    "/\\evil.example",
    "/time\\..\\",
    "https://evil.example/",
    "javascript:alert(1)",
    "time",
    " /time",
    "/time ",
    "/ti me",
    "/time\x00",
    "/time\u202e",
    "/time\u00a0",
    "",
]


@pytest.mark.parametrize("target", BAD_TARGETS)
def test_the_redirect_check_refuses_anything_but_a_local_path(target):
    assert safe_redirect_target(target) is None


@pytest.mark.parametrize("target", ["/time", "/time?page=2&user=3", "/reports#top", "/projets/été"])
def test_the_redirect_check_keeps_local_paths(target):
    assert safe_redirect_target(target) == target


@pytest.mark.parametrize("target", [t for t in BAD_TARGETS if "\x00" not in t])
def test_login_next_falls_back_to_the_home_page(app, client, session, target):
    user = make_user(session)
    session.commit()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


@pytest.mark.parametrize("target", [t for t in BAD_TARGETS if "\x00" not in t])
def test_workspace_next_falls_back_to_the_default(app, client, session, target):
    user = make_user(session)
    project = make_project(session)
    session.commit()
    login(client, user.email)
    response = post(client, "/time/timer/start", {"project": project.id, "next": target}, "/time")
    assert response.status_code == 302
    assert response.headers["Location"] == "/time"
    response = post(client, "/time/timer/stop", {"next": target}, "/time")
    assert response.status_code == 302
    assert response.headers["Location"] == "/time"


def test_workspace_next_keeps_a_local_path(client, session):
    user = make_user(session)
    project = make_project(session)
    session.commit()
    login(client, user.email)
    response = post(
        client, "/time/timer/start", {"project": project.id, "next": "/reports"}, "/time"
    )
    assert response.headers["Location"] == "/reports"


# 4. Ids in URLs --------------------------------------------------------------------------------


def _id_spellings(number: int) -> list[str]:
    ascii_digits = str(number)
    arabic_indic = ascii_digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    fullwidth = ascii_digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    persian = ascii_digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    return ["0" + ascii_digits, "000" + ascii_digits, arabic_indic, fullwidth, persian]


def test_ids_in_urls_are_canonical_ascii(app, client, session):
    admin = make_admin(session)
    the_client = make_client(session)
    invoice = make_invoice(session, the_client)
    project = make_project(session, the_client)
    contact = make_portal_user(session, the_client)
    session.commit()
    login(client, admin.email)
    assert client.get(f"/invoices/{invoice.id}").status_code == 200
    assert client.get(f"/projects/{project.id}").status_code == 200
    for spelling in _id_spellings(invoice.id):
        assert client.get(f"/invoices/{spelling}").status_code == 404, spelling
    for spelling in _id_spellings(project.id):
        assert client.get(f"/projects/{spelling}").status_code == 404, spelling
    for too_big in ("0", str(2**31), str(2**63), "9" * 40):
        assert client.get(f"/invoices/{too_big}").status_code == 404, too_big
    assert client.get(f"/invoices/{2**31 - 1}").status_code == 404  # in range, but missing

    portal = app.test_client()
    login(portal, contact.email)
    assert portal.get(f"/client-portal/invoices/{invoice.id}").status_code == 200
    for spelling in _id_spellings(invoice.id):
        response = portal.get(f"/client-portal/invoices/{spelling}")
        assert response.status_code == 404, spelling


def test_every_int_rule_uses_the_strict_converter(app):
    from timetracker.security import DatabaseIntegerConverter

    rules = [rule for rule in app.url_map.iter_rules() if "int:" in rule.rule]
    assert rules
    for rule in rules:
        for name, converter in rule._converters.items():
            if name.endswith("_id"):
                assert isinstance(converter, DatabaseIntegerConverter), rule.rule
    with app.test_request_context():
        from flask import url_for

        assert url_for("portal.invoice_detail", invoice_id=7) == "/client-portal/invoices/7"


# 5. Email headers from address objects ----------------------------------------------------------

HOSTILE_NAMES = [
    "Alice " + "x" * 60 + " <attacker@evil.example> " + "y" * 40,
    "Alice " + "x" * 80 + ", attacker@evil.example",
    '"Bob" <bob@evil.example>, Carol',
    "Ünïcode " * 12 + "<u@evil.example>",
    "Eve\r\nBcc: spy@evil.example",
    "Müller, Anna (Buchhaltung)",
    "=?utf-8?b?PGF0dGFja2VyQGV2aWwuZXhhbXBsZT4=?= " + "z" * 90,
    "",
]


def _mailboxes(raw: bytes, header: str) -> list[str]:
    """The addresses of ``header`` as two kinds of mail client read them."""
    modern = message_from_bytes(raw, policy=email_policy.default)
    legacy = message_from_bytes(raw, policy=email_policy.compat32)
    found = [a.addr_spec for a in modern[header].addresses]
    assert found == [addr for _, addr in getaddresses(legacy.get_all(header, []))]
    assert len(modern.get_all(header, [])) == 1 and "Bcc" not in modern
    return found


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_display_name_cannot_change_the_recipient(app, ctx, name):
    the_client = make_client(ctx)
    invoice = make_invoice(ctx, the_client)
    ctx.commit()
    config = {
        **app.config,
        "MAIL_FROM": formataddr((" ".join(name.split()), "billing@firm.example")),
    }
    message = compose_invoice_email(
        invoice,
        the_client,
        recipient_email="victim@client.example",
        recipient_name=name,
        pdf=b"%PDF-1.4",
        config=config,
    )
    raw = message.as_bytes()
    assert _mailboxes(raw, "To") == ["victim@client.example"]
    assert _mailboxes(raw, "From") == ["billing@firm.example"]


def test_plain_names_are_kept_in_the_headers(app, ctx):
    the_client = make_client(ctx)
    invoice = make_invoice(ctx, the_client)
    ctx.commit()
    message = compose_invoice_email(
        invoice,
        the_client,
        recipient_email="anna@client.example",
        recipient_name="Anna O'Brien-Müller",
        pdf=b"%PDF-1.4",
        config={**app.config, "MAIL_FROM": "Acme Billing <billing@firm.example>"},
    )
    parsed = message_from_bytes(message.as_bytes(), policy=email_policy.default)
    assert parsed["To"].addresses[0].display_name == "Anna O'Brien-Müller"
    assert parsed["From"].addresses[0].display_name == "Acme Billing"


def test_mail_address_refuses_a_second_mailbox_in_the_address():
    with pytest.raises(ValueError):
        mail_address("x", "victim@client.example, attacker@evil.example")
    for mail_from in ("a@x.example, b@y.example", "nobody", ""):
        with pytest.raises(AddressError):
            sender_address(mail_from)
    assert sender_address("billing@firm.example").addr_spec == "billing@firm.example"


# 6. CSV formula guard --------------------------------------------------------------------------

SEPARATORS = re.compile(r"[,;\t\r\n]")
fragments = st.lists(
    st.one_of(
        st.sampled_from(["=", "+", "-", "@", ";", ",", "\t", "\r", "\n", " ", "\u00a0", "'"]),
        st.sampled_from(["1+1", "SUM(A1)", "cmd|' /C calc'!A0", 'HYPERLINK("x")', "ok", "5"]),
        st.text(max_size=6),
    ),
    max_size=12,
).map("".join)


def _readings(cell: str) -> list[str]:
    """Every value a spreadsheet may make of ``cell``: whole or split on any separator,
    with leading whitespace trimmed or not."""
    pieces = [cell, *SEPARATORS.split(cell)]
    return [*pieces, *(piece.lstrip() for piece in pieces)]


@given(fragments)
def test_no_reading_of_a_neutralised_cell_is_a_formula(text):
    cell = neutralise(text)
    for reading in _readings(cell):
        assert not reading.startswith(FORMULA_STARTS), (text, cell, reading)
    # The guard only adds apostrophes, and only before a formula start.
    assert cell.replace("'", "") == text.replace("'", "")


@given(st.text(alphabet=st.characters(blacklist_characters="".join(FORMULA_STARTS) + ",;\t\r\n")))
def test_text_without_formula_starts_is_unchanged(text):
    assert neutralise(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ok;=1+1;", "ok;'=1+1;"),
        (" =1", "' =1"),
        ("note, +49 89 123", "note, '+49 89 123"),
        ("a;\t @SUM(A1)", "a;\t '@SUM(A1)"),
        ("Müller, Anna; meeting", "Müller, Anna; meeting"),
        ("1-2 days", "1-2 days"),
    ],
)
def test_csv_cells_that_become_formulas_when_split_or_trimmed(value, expected):
    assert neutralise(value) == expected


def test_portal_csv_neutralises_semicolon_and_trimmed_formulas(client, session):
    the_client = make_client(session)
    project = make_project(session, the_client, name=" =cmd()")
    make_entry(session, project, notes="ok;=1+1;")
    contact = make_portal_user(session, the_client)
    session.commit()
    login(client, contact.email)
    data = client.get("/client-portal/time-entries.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(data.lstrip("\ufeff"), newline="")))
    assert rows[1][1] == "' =cmd()"
    assert rows[1][2] == "ok;'=1+1;"
    for row in rows:
        for cell in row:
            for reading in _readings(cell):
                assert not reading.startswith(FORMULA_STARTS), cell
