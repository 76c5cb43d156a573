"""What a logo may be: decided from the bytes, at the edges of every limit."""

from __future__ import annotations

import pytest

from tests.logos import images
from timetracker.logos.validation import MAX_BYTES, LogoRefused, inspect_logo


def refusal(data: bytes) -> str:
    with pytest.raises(LogoRefused) as refused:
        inspect_logo(data)
    return str(refused.value)


class TestAccepted:
    @pytest.mark.parametrize(
        ("fmt", "content_type"),
        [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")],
    )
    def test_png_jpeg_and_webp(self, fmt, content_type):
        logo = inspect_logo(images.image(fmt, (120, 40)))
        assert (logo.content_type, logo.width, logo.height) == (content_type, 120, 40)
        assert len(logo.digest) == 64

    def test_exactly_512_kb(self):
        assert inspect_logo(images.MAX_PNG).size == MAX_BYTES == 512 * 1024

    @pytest.mark.parametrize("size", [(2000, 1), (1, 2000), (2000, 2000)])
    def test_2000_pixels_each_way(self, size):
        logo = inspect_logo(images.png(size))
        assert (logo.width, logo.height) == size


class TestRefused:
    def test_one_byte_over_512_kb(self):
        message = refusal(images.png_of_exactly(MAX_BYTES + 1))
        assert "larger than 512 KB" in message

    @pytest.mark.parametrize("size", [(2001, 1), (1, 2001), (2001, 2001)])
    def test_2001_pixels(self, size):
        message = refusal(images.png(size))
        assert f"{size[0]} × {size[1]} pixels" in message and "2000 × 2000" in message

    def test_zero_bytes(self):
        assert "empty" in refusal(b"")

    def test_svg(self):
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        assert "SVG images are not accepted" in refusal(svg)
        assert "SVG images are not accepted" in refusal(b'<?xml version="1.0"?>\n' + svg)

    def test_a_jpeg_that_declares_itself_a_png(self):
        """PNG's signature in front of a JPEG: detected as PNG, and Pillow cannot read a PNG."""
        forged = b"\x89PNG\r\n\x1a\n" + images.image("JPEG")
        assert "starts like a PNG image but is not a complete, valid one" in refusal(forged)

    @pytest.mark.parametrize("keep", [0.5, 0.9])
    def test_a_truncated_png(self, keep):
        data = images.png((300, 300), "#123456")
        assert "not a complete, valid one" in refusal(data[: int(len(data) * keep)])

    def test_a_png_cut_just_before_its_end(self):
        data = images.png()
        assert refusal(data[:-12])  # the IEND chunk is missing

    def test_other_image_types(self):
        assert "(this file is image/gif)" in refusal(images.image("GIF"))
        assert "not a PNG, JPEG or WebP image" in refusal(b"just some text")

    @pytest.mark.parametrize(
        "tail",
        [
            b"PK\x03\x04" + b"\x00" * 26,  # a ZIP archive appended
            b"<html><script>alert(1)</script></html>",
        ],
    )
    def test_polyglot_with_data_after_the_image(self, tail):
        assert "holds more than a PNG image" in refusal(images.png() + tail)

    def test_polyglot_with_markup_inside_the_image(self):
        message = refusal(images.png_with_text(b"<script>alert(1)</script>"))
        assert "holds more than a PNG image" in message

    def test_jpeg_with_data_after_its_end(self):
        assert "holds more than a JPEG image" in refusal(images.image("JPEG") + b"<?php x ?>")
