"""The CSV exports opened in a real spreadsheet: no cell of them is ever a formula.

Entries whose every exported text (notes, project, person, invoice number) is a hostile value
are downloaded through the portal's and the staff's export, and LibreOffice Calc (headless)
imports each file three times: split on commas, on semicolons and on tabs, each time with
"trim spaces" and "evaluate formulas" on. Every import is saved as a flat OpenDocument file,
whose XML marks a formula cell with ``table:formula``: there must be none. The same imports of
a file written without the guard must show formulas, so the harness is shown to catch them.

Needs LibreOffice (Debian ``libreoffice-calc-nogui``): skipped without it, except in CI
(``TIMETRACKER_CI=1``), where a missing LibreOffice is a failure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET  # noqa: S405 - parses LibreOffice's output of our own files
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import IN_CI, login
from tests.factories import (
    make_client,
    make_entry,
    make_invoice,
    make_portal_user,
    make_project,
    make_user,
)
from timetracker.documents.csv_export import HEADER, neutralise

# Starts real servers or programs: `make test-servers` (and .ci/run), not `make test`.
pytestmark = pytest.mark.servers

#: Text a client contact or a colleague could type, each a formula in some reading of a cell.
HOSTILE = [
    "=1+1",
    " =1+1",
    "   =1+1",
    "ok,=1+1",
    "ok;=1+1;",
    "ok\t=1+1",
    "ok; =1+1",
    "ok\t =1+1",
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    '"=1+1"',
    'a; "=1+1"',
    'x";=1+1;"',
    "=1+1;",
    '=HYPERLINK("http://x")',
    "=cmd|'/c calc'!A0",
    "＝1+1",
    "ok；＝1+1",
    "\u00a0=1+1",
    "\u3000=1+1",
    "\ufeff=1+1",
    "'=1+1",
    "-",
    # Line breaks last: a reading that ignores the quotes starts a new row at each of them.
    "\r=1+1",
    "\n=1+1",
    "ok\r\n=1+1",
]

#: The readings: LibreOffice's code for the separator, by name.
SEPARATORS = {"comma": 44, "semicolon": 59, "tab": 9}

#: LibreOffice's CSV import options, token by token: separator, text delimiter ("), character
#: set (76: UTF-8), first line (1), column formats (none: detect), language (0: default),
#: quoted field as text (no), detect special numbers (no), two export-only tokens, trim spaces
#: (yes), one export-only token, evaluate formulas (yes).
IMPORT_OPTIONS = "{separator},34,76,1,,0,false,false,false,false,true,false,true"

#: Raw cells that each reading must read as a formula (shown on the unguarded file): one that
#: starts a line, or follows the reading's separator, as it is and behind a space (trimmed).
MUST_BE_FORMULAS = {
    "comma": ["=1+1", " =1+1"],
    "semicolon": ["ok;=1+1;", "ok; =1+1"],
    "tab": ["ok\t=1+1", "ok\t =1+1"],
}

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
UTC = dt.UTC


def _soffice() -> str:
    found = os.environ.get("TIMETRACKER_SOFFICE") or shutil.which("soffice")
    if found:
        return found
    message = (
        "LibreOffice (soffice) not found: the spreadsheet check needs Debian's "
        "libreoffice-calc-nogui package"
    )
    if IN_CI:
        pytest.fail(f"{message}; in CI (TIMETRACKER_CI=1) this is a failure", pytrace=False)
    pytest.skip(message)


@dataclass(frozen=True)
class Cell:
    row: int
    column: int
    text: str
    formula: str | None


def _cell_text(cell: ET.Element) -> str:
    value = cell.get(f"{{{OFFICE}}}string-value")
    if value is not None:
        return value
    return "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p"))


def _cells(fods: Path) -> list[Cell]:
    """Every non-empty cell of the first sheet of a flat OpenDocument spreadsheet."""
    tree = ET.parse(fods)  # noqa: S314 - LibreOffice's rendering of a file this test wrote
    sheet = next(tree.getroot().iter(f"{{{TABLE}}}table"))
    cells = []
    for r, row in enumerate(sheet.iter(f"{{{TABLE}}}table-row")):
        column = 0
        for cell in row:
            if cell.tag not in (f"{{{TABLE}}}table-cell", f"{{{TABLE}}}covered-table-cell"):
                continue
            text, formula = _cell_text(cell), cell.get(f"{{{TABLE}}}formula")
            repeated = int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1"))
            if text or formula:  # equal neighbours are one element, repeated
                cells.extend(Cell(r, column + n, text, formula) for n in range(repeated))
            column += repeated
    return cells


def open_in_spreadsheet(files: list[Path], workdir: Path) -> dict[str, dict[str, list[Cell]]]:
    """Each file as LibreOffice reads it with each separator: reading -> file name -> cells.
    One LibreOffice run per reading converts all the files."""
    soffice = _soffice()
    profile = workdir / "profile"  # a private profile: nothing from the machine's user
    readings: dict[str, dict[str, list[Cell]]] = {}
    for name, code in SEPARATORS.items():
        out = workdir / name
        out.mkdir()
        result = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--norestore",
                "--infilter=Text - txt - csv (StarCalc):" + IMPORT_OPTIONS.format(separator=code),
                "--convert-to",
                "fods",
                "--outdir",
                str(out),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        readings[name] = {}
        for file in files:
            converted = out / f"{file.stem}.fods"
            assert converted.is_file(), (
                f"LibreOffice did not convert {file.name} ({name}): exit {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
            readings[name][file.name] = _cells(converted)
    return readings


def _squash(text: str) -> str:
    """Text without any whitespace: LibreOffice trims spaces and drops or converts some
    control characters, which changes nothing a formula depends on."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def hostile_world(session: Session) -> dict[str, Any]:
    """One client whose entries carry a hostile value in every exported text field: each
    value is a project's name, a person's name, an entry's notes and an invoice's number."""
    client = make_client(session, name="=1+1 Client;=2+2")
    for n, value in enumerate(HOSTILE):
        project = make_project(session, client, name=value)
        person = make_user(session, name=value)
        invoice = make_invoice(session, client, number=value)
        entry = make_entry(
            session, project, person, start=dt.datetime(2026, 3, 2, 9, n, tzinfo=UTC), notes=value
        )
        entry.invoice_item_id = invoice.items[0].id
    staff = make_user(session, name="Ana Staff")
    contact = make_portal_user(session, client, name="@Contact")
    session.commit()
    return {"staff": staff, "contact": contact}


def _download(app: Flask, email: str, path: str) -> bytes:
    """``path`` downloaded by the person with ``email``, in a browser session of their own."""
    client = app.test_client()
    assert login(client, email).status_code == 302
    response = client.get(path)
    assert response.status_code == 200, path
    assert response.mimetype == "text/csv"
    return response.get_data()


def _unguarded(path: Path) -> Path:
    """The hostile values written as the exports would be without the guard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for value in HOSTILE:
        writer.writerow(["2026-03-02", value, value, value, "1.00", "3600", "yes", "1.00", "EUR"])
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return path


def test_no_cell_of_any_export_is_a_formula_in_any_reading(
    app: Flask, client: FlaskClient, hostile_world: dict[str, Any], tmp_path: Path
) -> None:
    """Both exports, read with each separator, trimmed, formulas evaluated: no formula. The
    same readings of an unguarded file do find formulas, and the exports hold every value."""
    exports = {
        "portal.csv": _download(
            app, hostile_world["contact"].email, "/client-portal/time-entries.csv"
        ),
        "staff.csv": _download(app, hostile_world["staff"].email, "/time/export.csv?user="),
    }
    files = [_unguarded(tmp_path / "unguarded.csv")]
    for name, data in exports.items():
        (tmp_path / name).write_bytes(data)
        files.append(tmp_path / name)
    readings = open_in_spreadsheet(files, tmp_path)

    for reading, cells_of in readings.items():
        for name in exports:
            formulas = [cell for cell in cells_of[name] if cell.formula is not None]
            assert not formulas, f"{name} read with {reading} as separator has formulas: {formulas}"

    # The harness can fail: separators, trimming and formula evaluation are really on.
    for reading, raw_values in MUST_BE_FORMULAS.items():
        rows = {cell.row for cell in readings[reading]["unguarded.csv"] if cell.formula}
        for value in raw_values:
            assert HOSTILE.index(value) + 1 in rows, f"{value!r} is no formula read with {reading}"

    # Read with commas (as written), every hostile value is there, as text behind the guard.
    expected = sorted(_squash(neutralise(value)) for value in HOSTILE)
    for name in exports:
        by_column: dict[int, list[str]] = {}
        for cell in readings["comma"][name]:
            if cell.row > 0:
                by_column.setdefault(cell.column, []).append(_squash(cell.text))
        for column in ("Project", "Notes", "User", "Invoice"):
            assert sorted(by_column[HEADER.index(column)]) == expected, (name, column)
