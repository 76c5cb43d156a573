"""The CSV writer on its own: cells, hours, chunking, laziness and file names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from timetracker.billing import rules
from timetracker.documents.csv_export import (
    HEADER,
    cents_text,
    csv_chunks,
    export_filename,
    hours_text,
    neutralise,
)


def row(n: int = 0, **kw: object) -> SimpleNamespace:
    values: dict[str, object] = {
        "start_time": dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC) + dt.timedelta(hours=n),
        "duration_seconds": 5400,
        "notes": f"Task {n}",
        "billable": True,
        "value_cents": 14250,
        "currency": "EUR",
        "project_name": "Website",
        "user_name": "Jörg",
        "invoice_number": None,
    }
    values.update(kw)
    return SimpleNamespace(**values)


@given(st.integers(min_value=0, max_value=10**10))
def test_hours_text_equals_the_rounding_everywhere_else(seconds: int) -> None:
    assert hours_text(seconds) == str(rules.hours(seconds))


@given(st.integers(min_value=0, max_value=10**12))
def test_cents_text_is_the_money_the_pages_show(cents: int) -> None:
    assert cents_text(cents) == str(rules.from_cents(cents))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),
        ("\r=1", "'\r'=1"),
        ("a=1", "a=1"),
        (" =1", "' =1"),
        ("ok;=1+1;", "ok;'=1+1;"),
        # Quotes and compatibility forms (fullwidth ＝, ；) count like their ASCII characters.
        ('"=1+1"', '\'"=1+1"'),
        ('a; "=1+1"', 'a; "\'=1+1"'),
        ("＝1+1", "'＝1+1"),
        ("ok；＠A1", "ok；'＠A1"),
        ("a\u2028=1", "a\u2028'=1"),
        ("\u3000=1", "'\u3000=1"),
        ("", ""),
        (None, ""),
        ("Müller & Søn €", "Müller & Søn €"),
    ],
)
def test_neutralise(value: str | None, expected: str) -> None:
    assert neutralise(value) == expected


def test_rows_round_trip_through_csv_reader(ctx: Session) -> None:
    rows = [
        row(0, notes='He said "hi", then left\nnext line', invoice_number="INV-1"),
        row(1, notes=None, billable=False, value_cents=None, duration_seconds=None),
        row(2, notes="=cmd()", project_name="@evil", user_name="-x"),
    ]
    data = b"".join(csv_chunks(rows)).decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(data, newline="")))
    assert parsed == [
        list(HEADER),
        ["2026-03-02", "Website", 'He said "hi", then left\nnext line', "Jörg", "1.50", "5400",
         "yes", "142.50", "EUR", "INV-1"],
        ["2026-03-02", "Website", "", "Jörg", "0.00", "0", "no", "", "EUR", ""],
        ["2026-03-02", "'@evil", "'=cmd()", "'-x", "1.50", "5400", "yes", "142.50", "EUR", ""],
    ]  # fmt: skip


def test_chunks_are_produced_lazily_from_an_endless_source(ctx: Session) -> None:
    """Nothing is collected: an endless row source still yields chunk after chunk."""
    consumed = itertools.count()

    def endless() -> Iterator[SimpleNamespace]:
        for n in itertools.count():
            next(consumed)
            yield row(n % 1000)

    chunks = csv_chunks(endless(), rows_per_chunk=100)
    first = [next(chunks) for _ in range(3)]
    assert next(consumed) <= 301
    assert first[0].startswith("\ufeffDate,Project".encode())
    assert all(chunk.count(b"\r\n") == 100 for chunk in first[1:])


@pytest.mark.parametrize(
    ("subject", "date_from", "date_to", "expected"),
    [
        ("Müller & Søn €", dt.date(2026, 3, 1), dt.date(2026, 3, 31),
         "time-entries-muller-son-2026-03-01-to-2026-03-31.csv"),
        ("ACME, Inc.", dt.date(2026, 3, 1), None, "time-entries-acme-inc-from-2026-03-01.csv"),
        ("Łódź Straße", None, dt.date(2026, 3, 31), "time-entries-lodz-strasse-until-2026-03-31.csv"),  # noqa: E501
        ("../../etc/passwd", None, None, "time-entries-etc-passwd-all-dates.csv"),
        ("株式会社", None, None, "time-entries-all-dates.csv"),
        (None, None, None, "time-entries-all-dates.csv"),
    ],
)  # fmt: skip
def test_export_filename(
    subject: str | None, date_from: dt.date | None, date_to: dt.date | None, expected: str
) -> None:
    assert export_filename(subject, date_from, date_to) == expected
