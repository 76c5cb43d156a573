"""Argon2id password hashing."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext as _

_hasher = PasswordHasher()

MIN_LENGTH = 8

# Compared against when the account does not exist, so that a failed login takes as long
# whether or not the email is known.
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, for people to read, or ``None``."""
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(num)d characters.", num=MIN_LENGTH)
    if len(password) > 1024:
        return _("The password must have at most %(num)d characters.", num=1024)
    return None
