"""Numbers as people type them in a locale: money with grouping and a currency sign, hours
as ``1.5``, ``1,5`` or ``1:30``, percentages.

:func:`read_number` reads the shape of the text (digits, separators, sign, currency, clock)
and nothing else; the limits of a kind of value (places, minimum, maximum) are checked by
:func:`timetracker.parsing.parse_amount`, the one home of those limits. Every function takes
the locale as an argument; the application's locale is
:func:`timetracker.formatting.current_locale`.

The rules, deliberately small:

* ASCII digits only. Arabic-Indic, fullwidth and other digits are refused with a message
  (as every parser in :mod:`timetracker.parsing` does): a person typing them did not see
  the figure the application would store.
* The locale's decimal symbol is the decimal separator. Its group symbol is accepted only
  in well-formed groups (``8,800`` and ``1,234,567`` in en; ``8.800`` in de; ``8 800`` with
  any kind of space in fr). Ambiguous text follows the locale: ``1,234`` is 1234 in en and
  1.234 in de.
* The other one of ``.`` and ``,`` is read as a decimal separator where it cannot be a
  group (``1.5`` hours in de, ``1,5`` in en, ``1234.50`` in de), so a value written the
  machine way always reads back.
* One currency sign or code, before or after the number, and only the field's currency.
* A leading ``-`` (or the minus sign ``−``); a ``+``, an exponent, NaN and the like are not
  numbers here.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import NamedTuple

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_symbol, list_currencies
from flask_babel import gettext as _

_ASCII_DIGITS = frozenset("0123456789")
#: Kinds of space a person (or a copied figure) puts between groups, all read as " ", and
#: the minus sign, read as "-".
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2212": "-"}
_SPACE_TABLE = str.maketrans(_SPACES)
_CLOCK = re.compile(r"([0-9]{1,8}):([0-5][0-9])")
_DIGITS = re.compile(r"[0-9]{1,30}")
#: Locales whose currency signs are known to every form, whatever the firm's locale.
_SIGN_LOCALES = ("en", "en_US", "en_GB", "de", "fr", "fr_CH", "de_CH")


class Symbols(NamedTuple):
    """The separators of numbers written with ASCII digits in a locale."""

    decimal: str
    group: str
    #: The group sizes: last group, then the others (3, 3) or, in en_IN, (3, 2).
    grouping: tuple[int, int]


@lru_cache(maxsize=32)
def symbols(locale: str) -> Symbols:
    """The locale's Latin-digit separators (spaces normalised to " "); en_US's if unknown."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        parsed = Locale.parse("en_US")
    latin = parsed.number_symbols.get("latn", {})
    decimal = str(latin.get("decimal", ".")).translate(_SPACE_TABLE)
    group = str(latin.get("group", ",")).translate(_SPACE_TABLE)
    standard = parsed.decimal_formats.get(None)
    grouping = standard.grouping if standard is not None else (3, 3)
    if decimal not in (".", ","):  # no Latin-digit decimal we can type: use the usual one
        decimal, group = ".", ","
    return Symbols(decimal, group, (int(grouping[0]), int(grouping[1])))


def format_number(value: Decimal, locale: str, *, places: int | None = None) -> str:
    """``value`` as a person would type it back in the locale, grouped (``8.800,5`` in de),
    without a currency; ``places`` fixes the decimals (else the value's own)."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sym = symbols(locale)
    text = f"{value:f}"
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    primary, secondary = sym.grouping
    groups = [whole[-primary:]]
    rest = whole[:-primary]
    while rest:
        groups.insert(0, rest[-secondary:])
        rest = rest[:-secondary]
    number = sign + sym.group.join(groups)
    return f"{number}{sym.decimal}{fraction}" if fraction else number


def example(value: str, locale: str, *, currency: str | None = None) -> str:
    """An example of the accepted format: ``value`` (a machine number such as ``"8800.00"``)
    in the locale, with the currency sign where the locale puts it when ``currency`` is given."""
    if currency is None:
        return format_number(Decimal(value), locale)
    return str(format_currency(Decimal(value), currency, locale=locale)).translate(_SPACE_TABLE)


def currency_sign(currency: str, locale: str) -> str:
    try:
        return str(get_currency_symbol(currency, locale))
    except (UnknownLocaleError, ValueError, TypeError):
        return currency


@lru_cache(maxsize=1)
def _codes() -> frozenset[str]:
    return frozenset(list_currencies())


@lru_cache(maxsize=32)
def _signs(locale: str) -> dict[str, frozenset[str]]:
    """Every currency sign (case-folded) known in ``locale`` and :data:`_SIGN_LOCALES`, with
    the codes it may stand for (``$`` stands for several)."""
    signs: dict[str, set[str]] = {}
    for name in (locale, *_SIGN_LOCALES):
        for code in _codes():
            sign = currency_sign(code, name).translate(_SPACE_TABLE).strip().casefold()
            if sign and not any(ch in _ASCII_DIGITS for ch in sign):
                signs.setdefault(sign, set()).add(code)
    return {sign: frozenset(codes) for sign, codes in signs.items()}


def _currencies_of(marker: str, locale: str) -> frozenset[str]:
    """The currencies ``marker`` (a code such as ``EUR`` or a sign such as ``€``) may name."""
    if len(marker) == 3 and marker.isascii() and marker.isalpha() and marker.upper() in _codes():
        return frozenset({marker.upper()})
    return _signs(locale).get(marker.casefold(), frozenset())


def read_number(
    text: str,
    locale: str,
    *,
    format_hint: str,
    currency: str | None = None,
    percent: bool = False,
    clock: bool = False,
) -> Decimal:
    """The number in ``text`` as typed in ``locale``; ``ValueError`` with a message otherwise.

    ``currency``: the field's currency (ISO code); its sign or code may stand before or after
    the number. ``percent``: a trailing ``%`` is allowed. ``clock``: ``H:MM`` is read as hours,
    rounded half-up to the hundredth of an hour. ``format_hint`` ends every message
    ("like 8,800.00", in the language of the message).
    """
    value = text.translate(_SPACE_TABLE).strip()
    if any((ch.isdigit() or ch.isdecimal()) and ch not in _ASCII_DIGITS for ch in value):
        raise ValueError(_("Use the digits 0 to 9, %(hint)s.", hint=format_hint))
    positions = [i for i, ch in enumerate(value) if ch in _ASCII_DIGITS]
    if not positions:
        raise ValueError(_not_a_number(format_hint))
    head = value[: positions[0]]
    body = value[positions[0] : positions[-1] + 1]
    tail = value[positions[-1] + 1 :].strip()
    if head.count("-") > 1 or "-" in tail or "+" in head:
        raise ValueError(_not_a_number(format_hint))
    negative = "-" in head
    head = head.replace("-", " ").strip()
    if percent and tail == "%":
        tail = ""
    _check_currency(head, tail, currency, locale, format_hint)
    number = _clock(body) if clock and ":" in body else _body(body, locale, format_hint)
    return -number if negative else number


def _check_currency(
    head: str, tail: str, currency: str | None, locale: str, format_hint: str
) -> None:
    markers = [m for m in (head, tail) if m]
    if not markers:
        return
    once = ValueError(_("Write the currency at most once, %(hint)s.", hint=format_hint))
    if len(markers) > 1 or len(markers[0].split()) > 1:
        raise once
    marker = markers[0]
    codes = _currencies_of(marker, locale)
    if not codes:
        halves = ((marker[:i], marker[i:]) for i in range(1, len(marker)))
        if any(_currencies_of(a, locale) and _currencies_of(b, locale) for a, b in halves):
            raise once
        raise ValueError(_not_a_number(format_hint))
    if currency is None:
        raise ValueError(_("Enter the number without a currency, %(hint)s.", hint=format_hint))
    if currency.upper() not in codes:
        raise ValueError(
            _(
                "This amount is in %(currency)s, not %(sign)s: enter it %(hint)s.",
                currency=currency.upper(),
                sign=marker,
                hint=format_hint,
            )
        )


def _not_a_number(format_hint: str) -> str:
    return _("Enter a number using digits, %(hint)s.", hint=format_hint)


def _clock(body: str) -> Decimal:
    match = _CLOCK.fullmatch(body)
    if match is None:
        raise ValueError(_("Write hours and minutes as H:MM, like 1:30."))
    hours = Decimal(match.group(1)) + Decimal(match.group(2)) / 60
    return hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _body(body: str, locale: str, format_hint: str) -> Decimal:
    sym = symbols(locale)
    other = "," if sym.decimal == "." else "."
    bad = ValueError(_not_a_number(format_hint))
    if body.count(sym.decimal) > 1:
        raise bad
    if sym.decimal in body:
        whole, fraction = body.split(sym.decimal)
        groups = (sym.group, other, " ") if sym.group == " " else (sym.group,)
    elif other in body and other != sym.group:
        if body.count(other) > 1:
            raise bad
        whole, fraction = body.split(other)
        groups = (sym.group,)
    else:
        whole, fraction = body, ""
        groups = (sym.group,)
    # "1,5" in en or "1.5" in de: not a group of three, so a decimal separator.
    if (
        not fraction
        and other == sym.group
        and whole.count(other) == 1
        and not _grouped(whole, other, sym.grouping)
    ):
        whole, fraction = whole.split(other)
    digits = _ungroup(whole, groups, sym.grouping)
    if digits is None or (fraction and not _DIGITS.fullmatch(fraction)):
        raise bad
    return Decimal(f"{digits}.{fraction}" if fraction else digits)


def _ungroup(whole: str, groups: tuple[str, ...], grouping: tuple[int, int]) -> str | None:
    """The digits of ``whole``, whose separators (if any) are one of ``groups`` used alike and
    in well-formed groups; ``None`` otherwise."""
    used = {ch for ch in whole if ch not in _ASCII_DIGITS}
    if not used:
        return whole if _DIGITS.fullmatch(whole) else None
    if len(used) > 1 or not used <= set(groups):
        return None
    mark = used.pop()
    if not _grouped(whole, mark, grouping):
        return None
    digits = whole.replace(mark, "")
    return digits if _DIGITS.fullmatch(digits) else None


def _grouped(whole: str, mark: str, grouping: tuple[int, int]) -> bool:
    parts = whole.split(mark)
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return False
    last, middle, first = parts[-1], parts[1:-1], parts[0]
    return (
        len(last) == grouping[0]
        and all(len(p) == grouping[1] for p in middle)
        and 1 <= len(first) <= grouping[1]
    )
