"""The logo upload field of the settings and client forms."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField
from wtforms.validators import ValidationError

from timetracker.i18n import _l
from timetracker.logos.validation import InspectedLogo, LogoRefused, inspect_logo, read_upload

HELP = _l(
    "PNG, JPEG or WebP, at most 512 KB and 2000 × 2000 pixels (SVG is not accepted). "
    "Choosing a file replaces the current logo."
)


class LogoField(FileField):
    """A file field whose upload is checked as a logo; ``inspected`` holds the accepted image
    (``None`` when no file was chosen)."""

    inspected: InspectedLogo | None = None

    def pre_validate(self, form: Any) -> None:
        self.inspected = None
        if not self.data:
            return
        try:
            self.inspected = inspect_logo(read_upload(self.data.stream))
        except LogoRefused as refused:
            raise ValidationError(str(refused)) from None
