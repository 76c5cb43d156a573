"""What may be uploaded: a size limit, and a type decided from the content, never the name.

The allowlist is what a firm shares with its clients: PDF, pictures (PNG, JPEG, GIF, WebP),
office documents (Word, Excel, PowerPoint, OpenDocument text and spreadsheet), ZIP archives,
and plain text or CSV that is valid UTF-8 without NUL bytes. Everything else is refused:
HTML, SVG and XML (a browser runs their scripts), scripts and executables, and any file
whose content does not match its name (a script renamed ``.pdf``).
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO

import filetype
from flask_babel import gettext

from timetracker.i18n import N_

MB = 1024 * 1024
#: Bytes ``filetype`` reads to recognise a type.
HEAD = 8192
CHUNK = 64 * 1024

#: Detected content type -> the extensions a file of that type may be named with (the first is
#: the one added when the name has none of them).
BINARY_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/zip": ("zip",),
}
#: Names a text file may have; ``.csv`` makes it ``text/csv``.
TEXT_EXTENSIONS = ("txt", "csv", "tsv", "md", "log")


#: What the refusal lists as allowed (in English; ``gettext`` of it in a refusal).
ALLOWED_DESCRIPTION = N_(
    "PDF, PNG, JPEG, GIF, WebP, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), "
    "OpenDocument text (.odt) and spreadsheet (.ods), ZIP, and plain text or CSV (UTF-8)"
)
#: Text that a browser would take for markup (HTML, SVG, XML) or a script.
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)\b",
    re.IGNORECASE,
)
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|]+')


class UploadRefused(ValueError):
    """The file may not be stored; the message says why and what is allowed."""


@dataclass(frozen=True, slots=True)
class Inspected:
    content_type: str
    size_bytes: int
    sha256: str
    #: The uploader's name, sanitised, with an extension matching the content.
    filename: str


def clean_filename(name: str | None) -> str:
    """The last part of ``name`` without control characters, quotes, slashes or other
    characters a file system or header would trip on; at most 200 characters."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    text = text.rsplit("/", 1)[-1]
    text = _UNSAFE_NAME_CHARS.sub("_", text).strip(" .")
    if len(text) > 200:
        stem, dot, ext = text.rpartition(".")
        text = (stem[: 190 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else text[:200]
    return text or "document"


def _extension(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def _named(name: str, extensions: tuple[str, ...]) -> str:
    if _extension(name) in extensions:
        return name
    return f"{name}.{extensions[0]}"


def _is_text(stream: BinaryIO) -> bool:
    """UTF-8 without NUL bytes, and no markup a browser would render."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    stream.seek(0)
    try:
        while chunk := stream.read(CHUNK):
            if b"\x00" in chunk or _MARKUP.search(chunk):
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _measure(stream: BinaryIO, limit: int) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise UploadRefused(
                gettext(
                    "The file is larger than the limit of %(size)s MB. "
                    "Make it smaller (or split it) and upload it again.",
                    size=limit // MB,
                )
            )
        digest.update(chunk)
    return size, digest.hexdigest()


def inspect(stream: BinaryIO, filename: str | None, max_bytes: int) -> Inspected:
    """Check an upload; raises :class:`UploadRefused` with the reason. The stream is read
    from its start and left at its start."""
    size, sha256 = _measure(stream, max_bytes)
    if size == 0:
        raise UploadRefused(gettext("The file is empty. Choose a file with content."))
    name = clean_filename(filename)
    stream.seek(0)
    head = stream.read(HEAD)
    stream.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        extensions = BINARY_TYPES.get(kind.mime)
        if extensions is None:
            raise UploadRefused(
                gettext(
                    "Files of this type (%(type)s) cannot be shared. Allowed: %(allowed)s.",
                    type=kind.mime,
                    allowed=gettext(ALLOWED_DESCRIPTION),
                )
            )
        return Inspected(kind.mime, size, sha256, _named(name, extensions))
    if not _is_text(stream) or head.lstrip().startswith(b"#!"):
        stream.seek(0)
        raise UploadRefused(
            gettext(
                "The content of this file is not of a type that can be shared (web pages, SVG "
                "images, scripts and programs are refused). Allowed: %(allowed)s.",
                allowed=gettext(ALLOWED_DESCRIPTION),
            )
        )
    stream.seek(0)
    extension = _extension(name)
    if extension and extension not in TEXT_EXTENSIONS:
        raise UploadRefused(
            gettext(
                "The file is named .%(extension)s but its content is plain text. Name a text "
                "file .txt or .csv, or upload the real file. Allowed: %(allowed)s.",
                extension=extension,
                allowed=gettext(ALLOWED_DESCRIPTION),
            )
        )
    content_type = "text/csv" if extension == "csv" else "text/plain"
    return Inspected(content_type, size, sha256, _named(name, TEXT_EXTENSIONS))
