"""The report as CSV and XLSX: the rows and totals the page shows, numbers as numbers, the
currency in its own column, the period in the file name, and no formula from any text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import make_client, make_entry, make_project, make_user

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
MARCH = "date_from=2026-03-01&date_to=2026-03-31"
EVIL = '=HYPERLINK("https://evil.example","Click")'


@pytest.fixture
def data(session):
    evil = make_client(session, name=EVIL, default_hourly_rate=Decimal("100.00"))
    globex = make_client(session, name="Globex", currency="GBP", default_hourly_rate=Decimal("50"))
    ann = make_user(session, name="Ann")
    make_entry(session, make_project(session, evil, name="+cmd|' /C calc'!A0"), ann, start=START)
    make_entry(session, make_project(session, globex, name="Tools"), ann, start=START, minutes=90)
    make_entry(
        session,
        make_project(session, globex, name="Bell\x07 project"),
        ann,
        start=START,
        minutes=30,
        notes="@SUM(1+1)",
    )


def _csv(response) -> list[list[str]]:
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_a_header_the_rows_and_the_totals_per_currency(as_staff, data):
    response = as_staff.get(f"/reports?group=client&{MARCH}&format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=report-by-client-2026-03-01-to-2026-03-31.csv"
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    table = _csv(response)
    # Groups in name order (the database's collation), then the totals.
    assert sorted(table[1:3]) == [
        ["'" + EVIL, "EUR", "1.00", "1.00", "100.00"],
        ["Globex", "GBP", "2.00", "2.00", "100.00"],
    ]
    assert table[:1] + table[3:] == [
        ["Client", "Currency", "Hours", "Billable hours", "Billable amount"],
        ["Total", "EUR", "1.00", "1.00", "100.00"],
        ["Total", "GBP", "2.00", "2.00", "100.00"],
    ]


def test_csv_text_cells_go_through_the_formula_guard(as_staff, data):
    table = _csv(as_staff.get(f"/reports?group=project&{MARCH}&format=csv"))
    assert table[0] == [
        "Project",
        "Client",
        "Currency",
        "Hours",
        "Billable hours",
        "Billable amount",
    ]
    assert ["'+cmd|' /C calc'!A0", "'" + EVIL, "EUR", "1.00", "1.00", "100.00"] in table
    tasks = _csv(as_staff.get(f"/reports?group=task&{MARCH}&format=csv"))
    assert ["'@SUM(1+1)", "GBP", "0.50", "0.50", "25.00"] in tasks


def _sheet(response):
    book = load_workbook(io.BytesIO(response.get_data()))
    return book.active


def test_xlsx_holds_numbers_as_numbers_and_text_as_text(as_staff, data):
    response = as_staff.get(f"/reports?group=project&{MARCH}&format=xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=report-by-project-2026-03-01-to-2026-03-31.xlsx"
    )
    sheet = _sheet(response)
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == [
        "Project",
        "Client",
        "Currency",
        "Hours",
        "Billable hours",
        "Billable amount",
    ]
    assert sorted(values[1:4]) == [
        ["+cmd|' /C calc'!A0", EVIL, "EUR", 1, 1, 100],
        ["Bell project", "Globex", "GBP", 0.5, 0.5, 25],  # the BEL character cannot be in XML
        ["Tools", "Globex", "GBP", 1.5, 1.5, 75],
    ]
    assert values[4:] == [
        ["Total", None, "EUR", 1, 1, 100],
        ["Total", None, "GBP", 2, 2, 100],
    ]
    line = 2 + [v[1] for v in values[1:4]].index(EVIL)
    evil = sheet.cell(row=line, column=2)
    assert evil.data_type == "s" and evil.value == EVIL  # text, unchanged, not a formula
    assert sheet.cell(row=line, column=4).data_type == "n"
    assert sheet.cell(row=line, column=6).number_format == "0.00"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_exports_follow_the_view_and_the_period(as_staff, data):
    response = as_staff.get("/reports?view=unbilled&group=user&format=xlsx")
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=unbilled-by-user-all-dates.xlsx"
    )
    values = [list(r) for r in _sheet(response).iter_rows(values_only=True)]
    assert values[1:3] == [["Ann", "EUR", 1, 1, 100], ["Ann", "GBP", 2, 2, 100]]
    response = as_staff.get("/reports?group=client&date_from=2026-03-01&format=csv")
    assert (
        "filename=report-by-client-from-2026-03-01.csv" in response.headers["Content-Disposition"]
    )


def test_a_refused_export_is_a_400_page_and_no_file(as_staff, data):
    response = as_staff.get("/reports?format=xlsx&group=planet")
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    assert "Choose one of: client, project, user, task." in response.get_data(as_text=True)
