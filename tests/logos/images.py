"""Logo files for tests, made with Pillow: real images, and the broken ones a logo must not be."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from timetracker.logos.validation import MAX_BYTES


def image(fmt: str = "PNG", size: tuple[int, int] = (40, 20), colour: str = "#1f4e79") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 20), colour: str = "#1f4e79") -> bytes:
    return image("PNG", size, colour)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_with_text(text: bytes) -> bytes:
    """A valid PNG with a ``tEXt`` chunk holding ``text`` before its end."""
    data = png()
    end = data.rindex(b"IEND") - 4
    return data[:end] + _chunk(b"tEXt", b"Comment\x00" + text) + data[end:]


def png_of_exactly(size: int) -> bytes:
    """A valid PNG of exactly ``size`` bytes (padded with a text chunk)."""
    base = png_with_text(b"")
    data = png_with_text(b"a" * (size - len(base)))
    assert len(data) == size
    return data


MAX_PNG = png_of_exactly(MAX_BYTES)
