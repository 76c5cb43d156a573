"""The report as CSV or XLSX, as the page shows it: one row per group and currency, then the
totals per currency. ``/reports?format=csv|xlsx`` with the page's own parameters.

Hours are decimal numbers (two decimals, as the page rounds them), amounts numbers with the
currency in its own column. Text cells cannot become formulas: in the CSV they go through the
app's guard (:func:`timetracker.documents.csv_export.neutralise`); in the XLSX they are stored
as strings, never as formulas, and keep their text unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from flask import Response
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from timetracker.documents.csv_export import (
    BOM,
    ROWS_PER_CHUNK,
    attachment_header,
    cents_text,
    hours_text,
    neutralise,
)
from timetracker.documents.responses import PRIVATE, csv_response
from timetracker.workspace.reports.forms import REPORT_GROUPS, ReportRequest
from timetracker.workspace.reports.queries import ReportRow, report_rows, report_totals

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMAT = "0.00"


def header(report: ReportRequest) -> list[str]:
    """The column headings, in the reader's language."""
    group = str(REPORT_GROUPS[report.group])
    detail = [_("Client")] if report.group == "project" else []
    return [group, *detail, _("Currency"), _("Hours"), _("Billable hours"), _("Billable amount")]


def _texts(report: ReportRequest, row: ReportRow) -> list[str]:
    """The text cells of a row: its label (and client, by project) and its currency."""
    detail = [row.detail or ""] if report.group == "project" else []
    return [row.label, *detail, row.currency]


def _all_rows(report: ReportRequest) -> Iterator[ReportRow]:
    yield from report_rows(report)
    yield from report_totals(report)


def filename(report: ReportRequest, extension: str) -> str:
    """``report-by-project-2026-03-01-to-2026-03-31.xlsx``; ASCII by construction (the keys
    are fixed words and the dates ISO)."""
    kind = "unbilled" if report.unbilled else "report"
    if report.date_from and report.date_to:
        span = f"{report.date_from.isoformat()}-to-{report.date_to.isoformat()}"
    elif report.date_from:
        span = f"from-{report.date_from.isoformat()}"
    elif report.date_to:
        span = f"until-{report.date_to.isoformat()}"
    else:
        span = "all-dates"
    return f"{kind}-by-{report.group}-{span}.{extension}"


def csv_chunks(report: ReportRequest, rows: Iterable[ReportRow]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header(report))
    for count, row in enumerate(rows, start=1):
        texts = [neutralise(text) for text in _texts(report, row)]
        numbers = [
            hours_text(row.seconds),
            hours_text(row.billable_seconds),
            cents_text(row.cents),
        ]
        writer.writerow(texts + numbers)
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_download(report: ReportRequest) -> Response:
    return csv_response(csv_chunks(report, _all_rows(report)), filename(report, "csv"))


def _text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """A cell that holds ``text`` as a string, even one starting with ``=`` (openpyxl would
    write that as a formula). Characters XML cannot hold are dropped."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def _number_cell(sheet: WriteOnlyWorksheet, value: Decimal) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = NUMBER_FORMAT
    return cell


def xlsx_bytes(report: ReportRequest, rows: Iterable[ReportRow]) -> bytes:
    """The workbook: one sheet, a header row, then the groups and the totals."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Report"))
    sheet.append([_text_cell(sheet, title) for title in header(report)])
    for row in rows:
        texts = [_text_cell(sheet, text) for text in _texts(report, row)]
        numbers = [row.hours, row.billable_hours, row.amount]
        sheet.append(texts + [_number_cell(sheet, n) for n in numbers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_download(report: ReportRequest) -> Response:
    response = Response(xlsx_bytes(report, _all_rows(report)), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = attachment_header(filename(report, "xlsx"))
    response.headers["Cache-Control"] = PRIVATE
    return response
