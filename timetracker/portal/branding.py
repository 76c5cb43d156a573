"""A client's portal colours as a small stylesheet.

The Content-Security-Policy allows no inline style, so the accent colour a client was given
is served as ``/client-portal/branding.css``, built from the signed-in portal user's own client.
Text drawn on the accent (navigation bar, primary buttons, active page numbers) is white or
black, whichever contrasts more: one of the two always reaches WCAG AA (4.5:1) on any colour.
Links on the white page use the accent darkened until it too reaches 4.5:1 against white;
charts and other graphics drawn on white use it darkened until 3:1 (WCAG's non-text contrast).

Every element the portal draws in its accent takes it from here: the navigation bar, primary
and outline buttons, active filter pills (the invoice and quote filters), page numbers,
progress bars, badges and borders in the primary colour, ticked boxes and focused fields, and
the charts (``--portal-accent-graphic``, read by ``templates/charts/_bar_chart.html`` and the
burn-down chart). :func:`contrast_warning` is what the client form says about a pale accent.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from babel.numbers import get_decimal_symbol
from flask import has_request_context
from flask_babel import gettext

from timetracker.parsing import parse_colour

WHITE = "#ffffff"
BLACK = "#000000"
#: WCAG 2.x AA contrast for normal text.
AA_CONTRAST = 4.5
#: WCAG 2.x contrast for graphical objects (chart bars and lines).
GRAPHIC_CONTRAST = 3.0
#: Bumped when the stylesheet's rules change, so that browsers drop cached copies.
STYLESHEET_VERSION = "2"

RGB = tuple[int, int, int]


def is_hex_colour(value: str | None) -> bool:
    """Whether ``value`` is exactly ``#RRGGBB`` (the only form ever written into the
    stylesheet)."""
    if value is None or value != value.strip():
        return False
    try:
        parse_colour(value)
    except ValueError:
        return False
    return True


def normalize_hex_colour(value: str) -> str:
    """``#RRGGBB`` in lower case (:func:`timetracker.parsing.parse_colour`); ``ValueError``
    with a message for anything else."""
    return parse_colour(value)


def to_rgb(colour: str) -> RGB:
    value = normalize_hex_colour(colour)
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour, 0 (black) to 1 (white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio, 1 to 21."""
    a, b = relative_luminance(first), relative_luminance(second)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(background: str) -> str:
    """White or black text for ``background``, whichever contrasts more."""
    if contrast_ratio(WHITE, background) >= contrast_ratio(BLACK, background):
        return WHITE
    return BLACK


def shade(colour: str, amount: float) -> str:
    """``colour`` mixed with black by ``amount`` (0 to 1)."""
    red, green, blue = (round(v * (1 - amount)) for v in to_rgb(colour))
    return to_hex((red, green, blue))


def readable_on_white(colour: str, minimum: float = AA_CONTRAST) -> str:
    """``colour``, darkened in small steps until it reaches ``minimum`` contrast against white
    (AA for text by default)."""
    for step in range(21):
        candidate = shade(colour, step * 0.05)
        if contrast_ratio(candidate, WHITE) >= minimum:
            return candidate
    return BLACK  # pragma: no cover - full shade is black, which always passes


def contrast_warning(accent: str) -> str | None:
    """What the client form says when ``accent`` is hard to read on white (under 4.5:1), or
    ``None``. A warning, not a refusal: the portal still draws text on the accent in black or
    white and darkens it for links and charts, but the brand colour itself will look paler
    than those."""
    ratio = contrast_ratio(accent, WHITE)
    if ratio >= AA_CONTRAST:
        return None
    shown = f"{math.floor(ratio * 100) / 100:.2f}"  # never rounded up to a passing 4.50
    if has_request_context():  # written as the page writes numbers
        from timetracker.formatting import current_locale

        shown = shown.replace(".", get_decimal_symbol(current_locale()))
    return gettext(
        "The accent colour %(colour)s has a contrast of only %(ratio)s:1 against white (WCAG "
        "asks 4.5:1 for text). The portal uses it darkened for links and charts; consider a "
        "darker colour.",
        colour=normalize_hex_colour(accent).upper(),
        ratio=shown,
    )


@dataclass(frozen=True)
class Palette:
    """The colours derived from one accent."""

    accent: str
    on_accent: str
    accent_hover: str
    on_accent_hover: str
    link: str
    link_hover: str
    graphic: str

    @classmethod
    def from_accent(cls, accent: str) -> Palette:
        accent = normalize_hex_colour(accent)
        hover = shade(accent, 0.15)
        link = readable_on_white(accent)
        return cls(
            accent=accent,
            on_accent=text_colour_on(accent),
            accent_hover=hover,
            on_accent_hover=text_colour_on(hover),
            link=link,
            link_hover=shade(link, 0.2),
            graphic=readable_on_white(accent, GRAPHIC_CONTRAST),
        )


def accent_of(stored: str | None) -> str | None:
    """The stored accent when it is a valid colour; anything else is ignored (never echoed)."""
    if stored is None or not is_hex_colour(stored):
        return None
    return stored.lower()


def etag(accent: str | None) -> str:
    return hashlib.sha256(f"{STYLESHEET_VERSION}:{accent or ''}".encode()).hexdigest()[:32]


def stylesheet(accent: str | None) -> str:
    """The CSS for a client's accent colour; a comment only when it has none."""
    if accent is None:
        return "/* No portal accent colour: the standard portal colours apply. */\n"
    p = Palette.from_accent(accent)
    r, g, b = to_rgb(p.link)
    ar, ag, ab = to_rgb(p.accent)
    # A dark toggler icon is drawn when the navigation text is black.
    toggler = ""
    if p.on_accent == BLACK:
        toggler = (
            "  --bs-navbar-toggler-icon-bg: url(\"data:image/svg+xml,%3csvg xmlns='http://www.w3."
            "org/2000/svg' viewBox='0 0 30 30'%3e%3cpath stroke='%23000' stroke-linecap='round' "
            "stroke-miterlimit='10' stroke-width='2' d='M4 7h22M4 15h22M4 23h22'/%3e%3c/svg%3e\")"
            ";\n"
            "  --bs-navbar-toggler-border-color: rgba(0, 0, 0, 0.5);\n"
        )
    return f"""/* Portal branding: accent {p.accent}, text {p.on_accent} on it. */
:root {{
  --portal-accent: {p.accent};
  --portal-on-accent: {p.on_accent};
  --portal-accent-graphic: {p.graphic};
  --bs-primary: {p.accent};
  --bs-primary-rgb: {ar}, {ag}, {ab};
  --bs-primary-text-emphasis: {p.link};
  --bs-primary-border-subtle: {p.graphic};
  --bs-link-color: {p.link};
  --bs-link-color-rgb: {r}, {g}, {b};
  --bs-link-hover-color: {p.link_hover};
  --bs-link-hover-color-rgb: {", ".join(str(v) for v in to_rgb(p.link_hover))};
}}
.bg-portal {{ background-color: {p.accent}; color: {p.on_accent}; }}
.navbar.bg-portal {{
  --bs-navbar-color: {p.on_accent};
  --bs-navbar-hover-color: {p.on_accent};
  --bs-navbar-active-color: {p.on_accent};
  --bs-navbar-brand-color: {p.on_accent};
  --bs-navbar-brand-hover-color: {p.on_accent};
{toggler}}}
.navbar.bg-portal .nav-link.active {{ text-decoration: underline; text-underline-offset: 0.3em; }}
.btn-primary {{
  --bs-btn-color: {p.on_accent};
  --bs-btn-bg: {p.accent};
  --bs-btn-border-color: {p.accent};
  --bs-btn-hover-color: {p.on_accent_hover};
  --bs-btn-hover-bg: {p.accent_hover};
  --bs-btn-hover-border-color: {p.accent_hover};
  --bs-btn-active-color: {p.on_accent_hover};
  --bs-btn-active-bg: {p.accent_hover};
  --bs-btn-active-border-color: {p.accent_hover};
  --bs-btn-disabled-color: {p.on_accent};
  --bs-btn-disabled-bg: {p.accent};
  --bs-btn-disabled-border-color: {p.accent};
  --bs-btn-focus-shadow-rgb: {ar}, {ag}, {ab};
}}
.btn-outline-primary {{
  --bs-btn-color: {p.link};
  --bs-btn-border-color: {p.link};
  --bs-btn-hover-color: {text_colour_on(p.link)};
  --bs-btn-hover-bg: {p.link};
  --bs-btn-hover-border-color: {p.link};
  --bs-btn-active-color: {text_colour_on(p.link)};
  --bs-btn-active-bg: {p.link};
  --bs-btn-active-border-color: {p.link};
  --bs-btn-focus-shadow-rgb: {r}, {g}, {b};
}}
.pagination {{
  --bs-pagination-active-color: {p.on_accent};
  --bs-pagination-active-bg: {p.accent};
  --bs-pagination-active-border-color: {p.accent};
  --bs-pagination-focus-box-shadow: 0 0 0 0.25rem rgba({ar}, {ag}, {ab}, 0.25);
}}
.nav-pills {{
  --bs-nav-pills-link-active-color: {p.on_accent};
  --bs-nav-pills-link-active-bg: {p.accent};
}}
.list-group {{
  --bs-list-group-active-color: {p.on_accent};
  --bs-list-group-active-bg: {p.accent};
  --bs-list-group-active-border-color: {p.accent};
}}
.progress, .progress-stacked {{
  --bs-progress-bar-color: {p.on_accent};
  --bs-progress-bar-bg: {p.accent};
}}
.text-bg-primary, .badge-portal {{
  color: {p.on_accent} !important;
  background-color: {p.accent} !important;
}}
.border-primary {{ border-color: {p.graphic} !important; }}
.text-primary {{ color: {p.link} !important; }}
.form-check-input:checked {{ background-color: {p.accent}; border-color: {p.graphic}; }}
.form-control:focus, .form-select:focus, .form-check-input:focus {{
  border-color: {p.graphic};
  box-shadow: 0 0 0 0.25rem rgba({ar}, {ag}, {ab}, 0.25);
}}
/* Charts: drawn on white, so in the accent darkened to 3:1 where it is paler. */
.chart .chart-bar-accent {{ fill: var(--portal-accent-graphic); }}
.chart-burndown .burndown-used, .chart-burndown .burndown-forecast {{
  stroke: var(--portal-accent-graphic);
}}
.burndown-legend .burndown-key-used, .burndown-legend .burndown-key-forecast {{
  border-top-color: var(--portal-accent-graphic);
}}
"""
