"""What may be uploaded as a logo: a PNG, JPEG or WebP image, decided from its content.

The type is what ``filetype`` reads in the first bytes; the name and the type the browser
declared are ignored. Pillow must then open the file as that same format and decode it to the
end, so a truncated file, or one that only starts like an image, is refused. Anything after the
image's last byte (a ZIP or a page appended: a polyglot) and markup or script anywhere in the
bytes are refused too, and so is SVG (a browser runs its scripts). Limits: 512 KB and
2000 × 2000 pixels, checked before the pixels are decoded.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import warnings
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from flask_babel import gettext as _
from PIL import Image

KB = 1024
MAX_BYTES = 512 * KB
MAX_PIXELS = 2000
#: Detected content type -> the format Pillow must open it as.
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
#: Markup or script a browser would run if it were ever taken for a page.
_MARKUP = re.compile(
    rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|\?xml|\?php)\b",
    re.IGNORECASE,
)
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"


class LogoRefused(ValueError):
    """The file may not be a logo; the message says why and what is allowed."""


@dataclass(frozen=True, slots=True)
class InspectedLogo:
    content_type: str
    data: bytes
    width: int
    height: int

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_upload(stream: BinaryIO) -> bytes:
    """The upload's bytes, at most one more than the limit (enough to refuse it)."""
    return stream.read(MAX_BYTES + 1)


def _image_end(content_type: str, data: bytes) -> int:
    """Where the image's last byte is (one past it), by the format's own end marker; ``-1``
    when it has none (the file was cut short)."""
    if content_type == "image/png":
        found = data.rfind(_PNG_END)
        return found + len(_PNG_END) if found >= 0 else -1
    if content_type == "image/jpeg":
        found = data.rfind(b"\xff\xd9")
        return found + 2 if found >= 0 else -1
    # WebP: a RIFF container that declares its size.
    (declared,) = struct.unpack("<I", data[4:8])
    return declared + 8 if declared + 8 <= len(data) else -1


def inspect_logo(data: bytes) -> InspectedLogo:
    """Check a logo's bytes; raises :class:`LogoRefused` with the reason."""
    if not data:
        raise LogoRefused(
            _(
                "The file is empty. Choose a PNG, JPEG or WebP image of at most 512 KB and "
                "2000 × 2000 pixels."
            )
        )
    if len(data) > MAX_BYTES:
        raise LogoRefused(
            _(
                "The file is larger than 512 KB (%(size)s KB or more). Make it smaller: a logo "
                "needs a PNG, JPEG or WebP image of at most 512 KB and 2000 × 2000 pixels.",
                size=len(data) // KB,
            )
        )
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in FORMATS:
        head = data[:1024].lstrip().lower()
        if kind is None and (b"<svg" in head or head.startswith(b"<?xml")):
            raise LogoRefused(
                _(
                    "SVG images are not accepted (they can carry scripts). Use a PNG, JPEG or "
                    "WebP image of at most 512 KB and 2000 × 2000 pixels."
                )
            )
        if kind is not None:
            raise LogoRefused(
                _(
                    "This file is not a PNG, JPEG or WebP image (this file is %(type)s). Use a "
                    "PNG, JPEG or WebP image of at most 512 KB and 2000 × 2000 pixels.",
                    type=kind.mime,
                )
            )
        raise LogoRefused(
            _(
                "This file is not a PNG, JPEG or WebP image. Use a PNG, JPEG or WebP image of "
                "at most 512 KB and 2000 × 2000 pixels."
            )
        )
    content_type = kind.mime
    expected = FORMATS[content_type]
    damaged = LogoRefused(
        _(
            "The file starts like a %(format)s image but is not a complete, valid one (damaged, "
            "cut short, or another kind of file). Use a PNG, JPEG or WebP image of at most "
            "512 KB and 2000 × 2000 pixels.",
            format=expected,
        )
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                width, height = image.size
                if width > MAX_PIXELS or height > MAX_PIXELS:
                    raise LogoRefused(
                        _(
                            "The image is %(width)s × %(height)s pixels; a logo is at most "
                            "%(max)s × %(max)s. Make it smaller and upload it again.",
                            width=width,
                            height=height,
                            max=MAX_PIXELS,
                        )
                    )
                image.load()  # decodes every pixel: a truncated file fails here
    except LogoRefused:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombWarning):
        raise damaged from None
    end = _image_end(content_type, data)
    if end < 0:
        raise damaged
    if end != len(data) or _MARKUP.search(data):
        raise LogoRefused(
            _(
                "The file holds more than a %(format)s image (other data or markup is attached "
                "to it). Export the logo again as a PNG, JPEG or WebP image of at most 512 KB "
                "and 2000 × 2000 pixels.",
                format=expected,
            )
        )
    return InspectedLogo(content_type, data, width, height)
