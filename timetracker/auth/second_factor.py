"""Two-factor sign-in: who must use it, authenticator-app codes (TOTP, RFC 6238, with
``pyotp``) and recovery codes. The pages are in :mod:`timetracker.auth.twofactor`.

* The secret lives in ``users.totp_secret``: while set-up is under way it is there with
  ``totp_enabled_at`` still empty (a fresh secret each time set-up starts); a correct code
  turns it on.
* A code is accepted in the 30-second step it belongs to or the one before or after (clocks
  drift), and never twice: the step of the last code accepted is kept (``totp_last_step``) and
  claimed with a conditional ``UPDATE``, so even two requests racing with one code get one
  success.
* Ten recovery codes stand in for the app, once each. They are random (50 bits each, in an
  alphabet without look-alike characters) and only their SHA-256 is stored; a code is used up by
  a conditional ``UPDATE`` as well.
* Turning it on or off, an administrator's reset and new recovery codes are emailed to the
  person; everything but new codes is recorded in the audit trail too.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
import secrets

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from timetracker import audit, firm
from timetracker.audit import Kind
from timetracker.i18n import N_
from timetracker.models import RecoveryCode, User
from timetracker.notifications.accounts import AccountEmail, send_account_email

#: How many 30-second steps before and after the current one a code may belong to.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
#: Crockford's base32 in lower case: no i, l, o or u to mistake for 1, 0 or v.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RECOVERY_LENGTH = 10
_APP_CODE = re.compile(r"[0-9]{6}")
#: What people may type in a code besides its characters.
_SEPARATORS = re.compile(r"[\s-]+")
#: Look-alikes read as the character they resemble (Crockford's rule).
_LOOK_ALIKES = str.maketrans({"i": "1", "l": "1", "o": "0"})

# What the email to the person says changed (``change``, with ``admin`` for a reset by an
# administrator): in English here, translated when the email is written in their language.
TURNED_ON = N_("Two-factor sign-in was turned on for your account.")
TURNED_OFF = N_("Two-factor sign-in was turned off for your account.")
RESET = N_(
    "%(admin)s reset two-factor sign-in for your account: until you set it up again, your "
    "password alone signs you in."
)
RESET_ON_SERVER = N_(
    "Two-factor sign-in for your account was reset on the server by its operator: until you set "
    "it up again, your password alone signs you in."
)
#: The audit detail of a reset made with ``timetracker users reset-two-factor``.
ON_THE_COMMAND_LINE = "reset on the server's command line"
NEW_CODES = N_("New recovery codes were made for your account; the old ones no longer work.")


class Method(enum.StrEnum):
    """How a second factor was proved."""

    APP = "app"
    RECOVERY = "recovery"


# Who must use it --------------------------------------------------------------------------------


def required_for(user: User) -> bool:
    """Whether the firm requires ``user`` to use two-factor sign-in (Admin -> Settings). The one
    home of the rule: the sign-in, the confinement to the set-up page and the account page ask
    it."""
    rule = firm.get_settings().require_two_factor
    if rule == "all":
        return user.is_staff or user.is_client_contact
    if rule == "staff":
        return user.is_staff
    if rule == "clients":
        return user.is_client_contact
    return False


def must_enrol(user: User) -> bool:
    """Whether ``user`` may open nothing but the set-up page until they set it up."""
    return not user.has_two_factor and required_for(user)


# Set-up -----------------------------------------------------------------------------------------


def start_enrolment(user: User) -> str:
    """A fresh secret for the authenticator app, kept on ``user`` until a code confirms it."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None
    user.totp_last_step = None
    return user.totp_secret


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address the QR code holds."""
    issuer = firm.get_settings().company_name or "TimeTracker"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code(uri: str) -> str:
    """The QR code of ``uri`` as an SVG ``data:`` URI (``img-src data:`` in the CSP)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff"))


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enable(session: Session, user: User, code: str) -> list[str] | None:
    """Turn two-factor sign-in on when ``code`` fits the secret being set up; returns the new
    recovery codes (to show once), or ``None`` for a wrong code."""
    if user.has_two_factor or user.totp_secret is None:
        return None
    if not accept_app_code(session, user, code):
        return None
    user.totp_enabled_at = firm.now()
    codes = new_recovery_codes(session, user)
    audit.record(Kind.TWO_FACTOR_ENROLLED, actor=user, client_id=user.client_id)
    send_account_email(AccountEmail.TWO_FACTOR_CHANGED, user, change=TURNED_ON)
    return codes


def remove(
    session: Session, user: User, *, by_admin: User | None = None, on_server: bool = False
) -> None:
    """Turn two-factor sign-in off: the secret, its last step and the recovery codes go. By the
    person themselves (``TWO_FACTOR_REMOVED``), reset by an administrator or on the server's
    command line when no administrator can sign in (``TWO_FACTOR_RESET``, with the person as
    subject); the person is emailed either way."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    extra: dict[str, str] = {}
    if on_server:
        audit.record(
            Kind.TWO_FACTOR_RESET,
            session,
            subject=user,
            client_id=user.client_id,
            detail=ON_THE_COMMAND_LINE,
        )
        change = RESET_ON_SERVER
    elif by_admin is None:
        audit.record(Kind.TWO_FACTOR_REMOVED, actor=user, client_id=user.client_id)
        change = TURNED_OFF
    else:
        audit.record(Kind.TWO_FACTOR_RESET, actor=by_admin, subject=user, client_id=user.client_id)
        change = RESET
        extra["admin"] = by_admin.name
    send_account_email(AccountEmail.TWO_FACTOR_CHANGED, user, change=change, **extra)


# Codes ------------------------------------------------------------------------------------------


def _clean(code: str) -> str:
    return _SEPARATORS.sub("", code or "").lower()


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept_app_code(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` is a current code of the user's app that was not accepted before; an
    accepted code's step is claimed, so it never works again."""
    code = _clean(code)
    secret = user.totp_secret
    if secret is None or not _APP_CODE.fullmatch(code):
        return False
    step = _matching_step(secret, code, firm.now())
    if step is None:
        return False
    claimed = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _recovery_form(code: str) -> str | None:
    """A typed recovery code as stored (before hashing), or ``None`` if it cannot be one."""
    code = _clean(code).translate(_LOOK_ALIKES)
    if len(code) != _RECOVERY_LENGTH or any(ch not in _ALPHABET for ch in code):
        return None
    return code


def accept_recovery_code(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` is one of the user's unused recovery codes; it is used up if so."""
    typed = _recovery_form(code)
    if typed is None or not user.has_two_factor:
        return False
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash(typed),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=firm.now())
        .execution_options(synchronize_session=False)
    )
    return getattr(used, "rowcount", 0) == 1


def accept(session: Session, user: User, code: str) -> Method | None:
    """Check a second factor: a code of the app (six digits) or a recovery code. A recovery
    code used is recorded in the audit trail."""
    if not user.has_two_factor:
        return None
    if _APP_CODE.fullmatch(_clean(code)):
        return Method.APP if accept_app_code(session, user, code) else None
    if not accept_recovery_code(session, user, code):
        return None
    left = remaining_recovery_codes(session, user)
    audit.record(
        Kind.RECOVERY_CODE_USED,
        actor=user,
        client_id=user.client_id,
        detail=f"{left} recovery code{'' if left == 1 else 's'} left",
    )
    return Method.RECOVERY


def _new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH))


def show(code: str) -> str:
    """A recovery code as people read it: two groups of five."""
    half = _RECOVERY_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace every recovery code of ``user`` with ten new ones; returns them as shown."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(_new_code())
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    session.flush()
    return sorted(show(code) for code in codes)


def replace_recovery_codes(session: Session, user: User) -> list[str]:
    """New recovery codes asked for on the account page (emailed to the person)."""
    codes = new_recovery_codes(session, user)
    send_account_email(AccountEmail.TWO_FACTOR_CHANGED, user, change=NEW_CODES)
    return codes


def remaining_recovery_codes(session: Session, user: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )
