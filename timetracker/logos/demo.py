"""The demo firm's logo and a client's portal logo, drawn rather than shipped as files."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from timetracker.logos.operations import set_client_logo, set_firm_logo
from timetracker.logos.validation import inspect_logo
from timetracker.models import Client, Settings


def badge(colour: str, accent: str) -> bytes:
    """A small PNG: a rounded square with a stripe, in the given colours."""
    image = Image.new("RGBA", (240, 80), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 79, 79), radius=16, fill=colour)
    draw.rectangle((16, 48, 63, 59), fill=accent)
    draw.rectangle((96, 20, 231, 35), fill=colour)
    draw.rectangle((96, 46, 191, 57), fill=accent)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def add_demo_logos(session: Session, settings: Settings, client: Client) -> None:
    """The firm's logo (on invoices) and ``client``'s (in its portal), validated like uploads."""
    set_firm_logo(session, settings, inspect_logo(badge("#1f3a5f", "#f2a900")))
    set_client_logo(session, client, inspect_logo(badge("#0b6e4f", "#ffffff")))
