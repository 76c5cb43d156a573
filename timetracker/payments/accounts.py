"""IBAN and BIC: read what a person typed, check it with schwifty, and say plainly what is wrong.

An IBAN is stored compact and in capitals (``DE89370400440532013000``) and shown in groups of
four (``DE89 3704 0044 0532 0130 00``). People may type it in either form and in lower case;
spaces (and tabs, and the no-break spaces of a pasted PDF) are dropped, anything else that is
not an ASCII letter or digit is refused, as every parser of :mod:`timetracker.parsing` refuses
other scripts' digits. schwifty checks the country, the length and format of that country, and
the check digits.

A BIC has 8 or 11 characters. Its country (characters 5 and 6) must be the IBAN's, or one of the
territories that use their country's IBANs with BICs of their own (Jersey's banks hold British
IBANs, Réunion's French ones), or the country of the BIC schwifty's bank registry gives for the
IBAN's bank code, where it has one.
"""

from __future__ import annotations

from flask_babel import get_locale, gettext
from schwifty import BIC, IBAN
from schwifty import exceptions as schwifty_errors

#: Territories whose accounts carry another country's IBAN while their banks' BICs carry the
#: territory's own code.
IBAN_TERRITORIES: dict[str, frozenset[str]] = {
    "FR": frozenset({"GF", "GP", "MQ", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF", "TF"}),
    "GB": frozenset({"JE", "GG", "IM"}),
    "FI": frozenset({"AX"}),
}


class AccountNumberError(ValueError):
    """What a person typed is not a valid IBAN or BIC; the message says why, for them."""


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


def _country_name(code: str) -> str:
    """The country's name in the language being spoken (schwifty's English name in English)."""
    locale = get_locale()
    if locale is not None and locale.language != "en":
        translated = locale.territories.get(code)
        if translated:
            return str(translated)
    try:
        country = IBAN(f"{code}00", allow_invalid=True).country
    except schwifty_errors.SchwiftyException:
        return code
    return str(getattr(country, "name", code) or code)


def parse_iban(text: str) -> str:
    """The IBAN, compact and in capitals; raises :class:`AccountNumberError`."""
    compact = _compact(text)
    if not compact:
        raise AccountNumberError(gettext("Enter the IBAN."))
    if not (compact.isascii() and compact.isalnum()):
        raise AccountNumberError(
            gettext("An IBAN has only letters and digits (spaces between the groups are fine).")
        )
    if len(compact) < 5 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        raise AccountNumberError(
            gettext("An IBAN starts with a country code and two check digits, like DE89 or FR76.")
        )
    try:
        return str(IBAN(compact).compact)
    except schwifty_errors.InvalidCountryCode:
        raise AccountNumberError(
            gettext(
                "%(code)s is not the code of a country that uses IBANs; an IBAN starts with "
                "its country's code, like DE or FR.",
                code=compact[:2],
            )
        ) from None
    except schwifty_errors.InvalidLength:
        spec = IBAN(compact, allow_invalid=True).spec
        raise AccountNumberError(
            gettext(
                "An IBAN from %(country)s has %(length)d characters; this one has %(count)d.",
                country=_country_name(compact[:2]),
                length=spec.iban_length,
                count=len(compact),
            )
        ) from None
    except schwifty_errors.InvalidChecksumDigits:
        raise AccountNumberError(
            gettext("The check digits do not match this IBAN: look for a mistyped character.")
        ) from None
    except schwifty_errors.SchwiftyException:
        raise AccountNumberError(
            gettext(
                "This is not how an IBAN from %(country)s is written: check the characters "
                "after %(start)s.",
                country=_country_name(compact[:2]),
                start=compact[:4],
            )
        ) from None


def group_iban(iban: str) -> str:
    """``DE89370400440532013000`` as ``DE89 3704 0044 0532 0130 00``."""
    compact = _compact(iban)
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def parse_bic(text: str) -> str:
    """The BIC, compact and in capitals; raises :class:`AccountNumberError`."""
    compact = _compact(text)
    if not compact:
        raise AccountNumberError(gettext("Enter the BIC."))
    if not (compact.isascii() and compact.isalnum()):
        raise AccountNumberError(gettext("A BIC has only letters and digits."))
    if len(compact) not in (8, 11):
        raise AccountNumberError(
            gettext("A BIC has 8 or 11 characters; this one has %(count)d.", count=len(compact))
        )
    try:
        return str(BIC(compact).compact)
    except schwifty_errors.InvalidCountryCode:
        raise AccountNumberError(
            gettext(
                "The 5th and 6th characters of a BIC are its bank's country; %(code)s is not "
                "a country code.",
                code=compact[4:6],
            )
        ) from None
    except schwifty_errors.SchwiftyException:
        raise AccountNumberError(
            gettext(
                "A BIC is 4 characters for the bank, 2 letters for the country, 2 for the place "
                "and optionally 3 for the branch, like COBADEFFXXX."
            )
        ) from None


def bic_countries(iban: str) -> frozenset[str]:
    """The countries a BIC of the IBAN's bank may name."""
    country = iban[:2]
    allowed = {country} | IBAN_TERRITORIES.get(country, frozenset())
    try:
        registered = IBAN(iban).bic
    except schwifty_errors.SchwiftyException:
        registered = None
    if registered is not None:
        allowed.add(str(registered.country_code))
    return frozenset(allowed)


def check_bic_for_iban(bic: str, iban: str) -> None:
    """Raise :class:`AccountNumberError` when the BIC's country cannot be the IBAN's bank's."""
    if bic[4:6] in bic_countries(iban):
        return
    raise AccountNumberError(
        gettext(
            "This BIC is of a bank in %(bank_country)s, but the IBAN is from %(iban_country)s: "
            "check both.",
            bank_country=_country_name(bic[4:6]),
            iban_country=_country_name(iban[:2]),
        )
    )
