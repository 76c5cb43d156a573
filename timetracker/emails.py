"""The one rule for an email address that a person types (the admin's user form, the client and
settings forms, and ``timetracker users create``).

Syntax is checked by ``email-validator``, without asking DNS. Special-use domains such as
``corp.local`` or ``home.arpa`` are accepted: this app is self-hosted, and an internal domain is a
legitimate place for its users' mail (and a user saved with one must stay editable). A domain still
needs a dot, so ``a@localhost`` is refused, as are ``a@``, ``@@`` and ``foo bar@x``.
"""

from __future__ import annotations

from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from flask_babel import gettext as _
from wtforms.validators import ValidationError

#: The longest address accepted (RFC 5321's path limit, and the ``users.email`` column).
MAX_EMAIL_LENGTH = 254

#: Appended to a special-use domain while the rest of the address is checked: a name that is not
#: special-use, so that ``email-validator`` checks the domain's syntax like any other.
_SURROGATE_TLD = ".example"


def _is_special_use(domain: str) -> bool:
    name = domain.strip().rstrip(".").lower()
    return "." in name and any(
        name == special or name.endswith("." + special) for special in SPECIAL_USE_DOMAIN_NAMES
    )


def check_email(value: str) -> str:
    """``value`` as a normalised email address; ``ValueError`` with a message saying what is
    wrong otherwise."""
    text = (value or "").strip()
    if not text:
        raise ValueError(_("Enter an email address."))
    if len(text) > MAX_EMAIL_LENGTH:
        raise ValueError(
            _("An email address has at most %(max)d characters.", max=MAX_EMAIL_LENGTH)
        )
    try:
        return str(validate_email(text, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        local, at, domain = text.rpartition("@")
        if not (at and local and _is_special_use(domain)):
            raise ValueError(_invalid(error)) from None
    # An internal domain (corp.local): check the address with a public-looking domain instead.
    try:
        result = validate_email(f"{local}@{domain}{_SURROGATE_TLD}", check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(_invalid(error)) from None
    return str(result.normalized).removesuffix(_SURROGATE_TLD)


def _invalid(error: EmailNotValidError) -> str:
    # The reason is email-validator's own, in English.
    return _("Enter a valid email address. %(reason)s", reason=error)


class EmailAddress:
    """WTForms validator for :func:`check_email`; it stores the normalised address in the
    field. Pair it with ``Optional()`` for an optional field."""

    def __call__(self, form: Any, field: Any) -> None:
        try:
            field.data = check_email(field.data or "")
        except ValueError as error:
            raise ValidationError(str(error)) from None
