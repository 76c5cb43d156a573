"""What may be uploaded: the type comes from the content, never the name."""

from __future__ import annotations

import io

import pytest

from tests.sharing import samples
from timetracker.sharing.responses import content_disposition
from timetracker.sharing.validation import MB, UploadRefused, clean_filename, inspect

LIMIT = 5 * MB


@pytest.mark.parametrize(
    ("content", "name", "content_type", "stored_name"),
    [
        (samples.PDF, "brief.pdf", "application/pdf", "brief.pdf"),
        (samples.PNG, "logo.png", "image/png", "logo.png"),
        (samples.JPEG, "photo.JPEG", "image/jpeg", "photo.JPEG"),
        (samples.GIF, "anim.gif", "image/gif", "anim.gif"),
        (samples.WEBP, "pic.webp", "image/webp", "pic.webp"),
        (
            samples.DOCX,
            "offer.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "offer.docx",
        ),
        (
            samples.XLSX,
            "sheet.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "sheet.xlsx",
        ),
        (samples.ODT, "text.odt", "application/vnd.oasis.opendocument.text", "text.odt"),
        (samples.ZIP, "assets.zip", "application/zip", "assets.zip"),
        (samples.CSV, "hours.csv", "text/csv", "hours.csv"),
        (samples.TEXT, "notes.txt", "text/plain", "notes.txt"),
        (samples.TEXT, "README", "text/plain", "README.txt"),
        # The name does not decide the type: a PNG named .pdf is stored as the PNG it is.
        (samples.PNG, "scan.pdf", "image/png", "scan.pdf.png"),
    ],
)
def test_allowed_types_are_decided_from_the_content(content, name, content_type, stored_name):
    found = inspect(io.BytesIO(content), name, LIMIT)
    assert found.content_type == content_type
    assert found.filename == stored_name
    assert found.size_bytes == len(content)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (samples.HTML, "report.pdf"),
        (samples.HTML, "page.html"),
        (samples.HTML, "page.txt"),
        (samples.SVG, "logo.svg"),
        (samples.SVG, "logo.png"),
        (samples.XML_SVG, "drawing.txt"),
        (samples.SCRIPT, "invoice.pdf"),
        (samples.SCRIPT, "notes.txt"),
        (samples.JAVASCRIPT, "invoice.pdf"),
        (samples.JAVASCRIPT, "app.js"),
        (samples.EXE, "setup.pdf"),
        (samples.ELF, "tool"),
        (b"text with a \x00 NUL byte", "notes.txt"),
        (b"latin-1 caf\xe9", "notes.txt"),
        (b"", "empty.pdf"),
    ],
)
def test_spoofed_and_dangerous_files_are_refused(content, name):
    with pytest.raises(UploadRefused):
        inspect(io.BytesIO(content), name, LIMIT)


def test_a_file_over_the_limit_is_refused_with_the_limit():
    with pytest.raises(UploadRefused, match="limit of 1 MB"):
        inspect(io.BytesIO(samples.PDF + b"0" * MB), "big.pdf", MB)


def test_a_file_at_the_limit_is_accepted():
    content = samples.PDF + b"0" * (MB - len(samples.PDF))
    assert inspect(io.BytesIO(content), "big.pdf", MB).size_bytes == MB


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\ann\\offer.pdf", "offer.pdf"),
        ('say "hi".pdf', "say _hi_.pdf"),
        ("two\r\nlines.pdf", "two_lines.pdf"),
        ("", "document"),
        ("...", "document"),
        ("Angebot Müller.pdf", "Angebot Müller.pdf"),
    ],
)
def test_file_names_are_cleaned(name, clean):
    assert clean_filename(name) == clean


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("offer.pdf", 'attachment; filename="offer.pdf"'),
        ('a "quoted" name.pdf', 'attachment; filename="a _quoted_ name.pdf"'),
        ("evil\r\nSet-Cookie: x=1.pdf", 'attachment; filename="evil_Set-Cookie_ x=1.pdf"'),
        ("../../secret.pdf", 'attachment; filename="secret.pdf"'),
        ("dir\\file.pdf", 'attachment; filename="file.pdf"'),
        (
            "Angebot Müller.pdf",
            'attachment; filename="Angebot Muller.pdf"; '
            "filename*=UTF-8''Angebot%20M%C3%BCller.pdf",
        ),
        ("100%.pdf", "attachment; filename=\"100_.pdf\"; filename*=UTF-8''100%25.pdf"),
        (
            "見積書.pdf",
            'attachment; filename="document.pdf"; '
            "filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8.pdf",
        ),
    ],
)
def test_download_names_are_safe_rfc_6266_attachments(name, header):
    assert content_disposition(name) == header
