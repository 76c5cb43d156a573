"""The one parser per kind of value, at its edges: ids and page numbers, dates and date ranges,
times of day, durations, money and other amounts, colours and whole numbers in forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from timetracker.auth.sessions import LoginId
from timetracker.pagination import MAX_PAGE
from timetracker.parsing import (
    DATE_RANGE_TEXT,
    MAX_DATE,
    MAX_HOURS,
    MAX_ID,
    MAX_MONEY,
    MIN_DATE,
    DateValueError,
    check_date_range,
    parse_amount,
    parse_colour,
    parse_date,
    parse_decimal,
    parse_duration,
    parse_id,
    parse_page,
    parse_percent,
    parse_time_of_day,
)

KEY = "k" * 32
NOT_NUMBERS = ["", " 1", "1 ", "+1", "-1", "1.0", "1e3", "٣", "３", "¹", "0x1", "9" * 5000, None]


@pytest.mark.parametrize("text", NOT_NUMBERS)
def test_anything_but_ascii_digits_is_no_id_and_no_page(text: str | None) -> None:
    assert parse_id(text) is None
    assert parse_page(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", None), ("1", 1), ("007", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None)],
)
def test_ids_are_what_the_database_holds(text: str, expected: int | None) -> None:
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", None), ("1", 1), (str(MAX_PAGE), MAX_PAGE), (str(MAX_PAGE + 1), None)],
)
def test_pages_run_from_one_to_the_limit(text: str, expected: int | None) -> None:
    assert parse_page(text) == expected


@pytest.mark.parametrize("user_id", ["٣", "３", "0", str(MAX_ID + 1), "-3"])
def test_a_session_login_id_with_a_foreign_number_is_anonymous(user_id: str) -> None:
    assert LoginId.parse(f"{user_id}:1:{KEY}") is None
    assert LoginId.parse(f"3:{user_id}:{KEY}") is None
    assert LoginId.parse(f"3:1:{KEY}") == LoginId(3, 1, KEY)


# Dates and date ranges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["0001-01-01", "1899-12-31", "9999-01-01", "9999-12-31", "2023-02-29", "2023-13-01"]
)
def test_dates_outside_the_range_or_the_calendar_are_refused(text: str) -> None:
    with pytest.raises(DateValueError):
        parse_date(text)


@pytest.mark.parametrize("text", ["1900-01-01", "1900-01-02", "2024-02-29", "9998-12-30"])
def test_dates_inside_the_range_are_read(text: str) -> None:
    assert parse_date(text) == dt.date.fromisoformat(text)


def test_an_out_of_range_date_is_refused_with_a_message_naming_the_range() -> None:
    with pytest.raises(DateValueError, match=DATE_RANGE_TEXT):
        parse_date("9999-12-31")
    assert f"from {MIN_DATE.isoformat()} to {MAX_DATE.isoformat()}" == DATE_RANGE_TEXT


def test_a_range_may_be_open_or_one_day_but_not_reversed() -> None:
    day = dt.date(2026, 3, 1)
    for date_from, date_to in [(None, None), (day, None), (None, day), (day, day)]:
        check_date_range(date_from, date_to)
    with pytest.raises(DateValueError, match="before its start"):
        check_date_range(day, day - dt.timedelta(days=1))


# Times of day ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("00:00", dt.time(0, 0)), ("9:05", dt.time(9, 5)), (" 23:59 ", dt.time(23, 59))],
)
def test_times_of_day_are_read(text: str, expected: dt.time) -> None:
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize(
    "text", ["", "24:00", "23:60", "-01:00", "9:5", "0900", "09:00:00", "٠٩:٠٠", "０９:００", "9.5"]
)
def test_anything_else_is_no_time_of_day(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_time_of_day(text)


# Durations ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0:01", 60), ("1:30", 5400), ("1.5", 5400), ("1,5", 5400), ("24:00", 86400), ("007", 25200)],
)
def test_durations_are_read_in_seconds(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "more than zero"),
        ("0:00", "more than zero"),
        ("-1", "more than zero"),
        ("24:01", "at most 24 hours"),
        (str(10**20), "at most 24 hours"),
        (str(10**30), "hours:minutes"),
        ("99999999999999:00", "hours:minutes"),
        ("1:60", "hours:minutes"),
        ("1e3", "hours:minutes"),
        ("٣", "hours:minutes"),
        ("３:００", "hours:minutes"),
        ("soon", "hours:minutes"),
        ("", "hours:minutes"),
    ],
)
def test_bad_durations_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_duration(text)


# Money and other decimal amounts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", "0"), ("95", "95"), ("95.5", "95.5"), ("1,25", "1.25"), (" 007 ", "7"), ("-3", "-3")],
)
def test_decimals_are_read_from_ascii_digits(text: str, expected: str) -> None:
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", "1e3", "NaN", "Infinity", "1.", ".5", "1 000", "٣", "３", "1_000", "+1", "9" * 31]
)
def test_anything_else_is_no_decimal(text: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.234", "at most 2 decimal places"),
        ("-1", "at least 0"),
        ("10000000000", "at most 9999999999.99"),
        (str(2**63), "at most 9999999999.99"),
        ("٣", "like 95.00"),
    ],
)
def test_money_is_refused_outside_what_the_column_holds(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_amount(text, maximum=MAX_MONEY)


def test_money_at_its_limits_is_read() -> None:
    assert parse_amount("9999999999.99", maximum=MAX_MONEY) == MAX_MONEY
    assert parse_amount("0.01", minimum=Decimal("0.01")) == Decimal("0.01")
    assert parse_amount("99999999.99", maximum=MAX_HOURS) == MAX_HOURS


@pytest.mark.parametrize(
    ("text", "ok"), [("0", True), ("100", True), ("19.5", True), ("100.01", False), ("-1", False)]
)
def test_percentages_run_from_0_to_100(text: str, ok: bool) -> None:
    if ok:
        assert parse_percent(text) == Decimal(text)
    else:
        with pytest.raises(ValueError, match="between 0 and 100 percent"):
            parse_percent(text)


# Colours -----------------------------------------------------------------------------------------


def test_colours_are_six_hex_digits_in_lower_case() -> None:
    assert parse_colour(" #1F4E79 ") == "#1f4e79"
    assert parse_colour("#000000") == "#000000"


@pytest.mark.parametrize(
    "text", ["", "#fff", "red", "#GGGGGG", "#1234567", "1F4E79", "#12345٣", "#１２３４５６"]
)
def test_anything_else_is_no_colour(text: str) -> None:
    with pytest.raises(ValueError, match="six hexadecimal digits"):
        parse_colour(text)


# Whole numbers in forms --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("007", 7), ("365", 365), ("366", None), ("-1", None), ("٣", None), ("1_0", None)],
)
def test_payment_terms_are_ascii_whole_days(app, text: str, expected: int | None) -> None:
    from werkzeug.datastructures import MultiDict

    from timetracker.admin.forms import SettingsForm

    with app.test_request_context():
        form = SettingsForm(MultiDict({"payment_terms_days": text}), meta={"csrf": False})
        form.validate()
        assert form.payment_terms_days.data == expected
        assert ("payment_terms_days" in form.errors) == (expected is None)
