"""Small real files of each kind, made in memory."""

from __future__ import annotations

import io
import zipfile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 32 + b"\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;" + b"\x00" * 16
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8 " + b"\x00" * 24
CSV = "Task;Hours\nDesign;4\nCafé;2\n".encode()
TEXT = b"Meeting notes\n- ship on Friday\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
XML_SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>'
SCRIPT = b"#!/bin/sh\nrm -rf ~\n"
JAVASCRIPT = b"fetch('/admin').then(r => r.text())\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


#: Every entry's time stamp: the same bytes in every process (pytest-xdist workers must collect
#: the same parameter ids, which are made from these bytes).
_STAMP = (2026, 1, 1, 0, 0, 0)


def _zip(entries: dict[str, bytes], first: tuple[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if first is not None:
            info = zipfile.ZipInfo(first[0], date_time=_STAMP)
            archive.writestr(info, first[1], compress_type=zipfile.ZIP_STORED)
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=_STAMP), content)
    return out.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"})
ZIP = _zip({"notes.txt": b"hello"})
ODT = _zip({"content.xml": b"<x/>"}, first=("mimetype", b"application/vnd.oasis.opendocument.text"))


def pdf(marker: str = "") -> bytes:
    """A PDF whose bytes differ by ``marker`` (a new version must differ from the last)."""
    return PDF + f"% {marker}\n".encode()
