"""Settings from the environment, read in one place."""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The folder the app keeps its own files in (the default SQLite database, the development
#: key), relative to the current directory unless absolute. Never inside the installed package.
DATA_ENV = "TIMETRACKER_DATA"
DEFAULT_DATA_DIR = "instance"
#: The development key that ``make run`` writes (``make instance/secret_key``), read from the
#: data folder: the CLI and the app use it when ``SECRET_KEY`` is not set, so that commands work
#: in a checkout as they do under ``make run``. ``None``: the data folder's ``secret_key``.
SECRET_KEY_FILE: Path | None = None
#: The shortest ``SECRET_KEY`` accepted outside development and tests.
MIN_SECRET_KEY_BYTES = 32


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Any, name: str, default: int) -> int:
    value = env.get(name) or ""
    if not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def _positive_number(env: Any, name: str, default: float) -> float:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number > 0 or number == float("inf"):
        raise ConfigError(f"{name} must be a number of seconds greater than 0, not {value!r}")
    return number


def _seconds_list(env: Any, name: str, default: tuple[int, ...]) -> tuple[int, ...]:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        delays = tuple(int(part) for part in value.split(","))
    except ValueError:
        delays = (-1,)
    if any(delay < 0 for delay in delays):
        raise ConfigError(
            f"{name} must be whole seconds separated by commas (e.g. 60,600), not {value!r}"
        )
    return delays


#: The email retry settings' defaults (see docs/operations.md).
DEFAULT_MAIL_MAX_ATTEMPTS = 3
DEFAULT_MAIL_RETRY_DELAYS = (60, 600)
DEFAULT_MAIL_INLINE_RETRY_DELAYS = (1, 3)
DEFAULT_SMTP_TIMEOUT = 10
DEFAULT_RQ_QUEUE = "timetracker"
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
#: Webhooks (docs/webhooks.md): seconds before each retry, failed deliveries in a row that turn
#: an endpoint off, and seconds one attempt may take.
DEFAULT_WEBHOOK_RETRY_DELAYS = (60, 300, 1800, 7200, 21600)
DEFAULT_WEBHOOK_DISABLE_AFTER = 5
DEFAULT_WEBHOOK_TIMEOUT = 10.0


def _mail_settings(env: Any) -> dict[str, Any]:
    attempts = _int(env, "MAIL_MAX_ATTEMPTS", DEFAULT_MAIL_MAX_ATTEMPTS)
    if attempts < 1:
        raise ConfigError(
            f"MAIL_MAX_ATTEMPTS must be at least 1, not {env.get('MAIL_MAX_ATTEMPTS')!r}"
        )
    queue = (env.get("RQ_QUEUE") or "").strip() or DEFAULT_RQ_QUEUE
    if not _QUEUE_NAME.fullmatch(queue):
        raise ConfigError(f"RQ_QUEUE must be 1 to 100 letters, digits, or . _ : -, not {queue!r}")
    return {
        "MAIL_MAX_ATTEMPTS": attempts,
        "MAIL_RETRY_DELAYS": _seconds_list(env, "MAIL_RETRY_DELAYS", DEFAULT_MAIL_RETRY_DELAYS),
        "MAIL_INLINE_RETRY_DELAYS": _seconds_list(
            env, "MAIL_INLINE_RETRY_DELAYS", DEFAULT_MAIL_INLINE_RETRY_DELAYS
        ),
        "SMTP_TIMEOUT": _positive_number(env, "SMTP_TIMEOUT", DEFAULT_SMTP_TIMEOUT),
        "RQ_QUEUE": queue,
    }


#: Where rate-limit counters live without Redis: the app's database, shared by every worker
#: and server (see timetracker/ratelimits.py). ``memory://`` counts per process.
DATABASE_RATE_LIMIT_STORAGE = "timetracker-db://"
#: Login limits (SECURITY.md): attempts at one account from one address; at one account from
#: all addresses together; from one address at any accounts.
DEFAULT_LOGIN_LIMITS = {
    "LOGIN_RATE_LIMIT_ACCOUNT_IP": ("TIMETRACKER_LOGIN_LIMIT_ACCOUNT_IP", "5 per minute"),
    "LOGIN_RATE_LIMIT_ACCOUNT": ("TIMETRACKER_LOGIN_LIMIT_ACCOUNT", "30 per minute"),
    "LOGIN_RATE_LIMIT_IP": ("TIMETRACKER_LOGIN_LIMIT_IP", "20 per minute"),
}


def _rate_limit_storage(env: Any, redis_url: str | None) -> str:
    """``TIMETRACKER_RATELIMIT_STORAGE_URI`` if set, else Redis, else the database."""
    explicit = (env.get("TIMETRACKER_RATELIMIT_STORAGE_URI") or "").strip()
    return explicit or redis_url or DATABASE_RATE_LIMIT_STORAGE


def _login_limits(env: Any) -> dict[str, str]:
    from limits import parse_many

    limits = {}
    for key, (name, default) in DEFAULT_LOGIN_LIMITS.items():
        value = (env.get(name) or "").strip() or default
        try:
            parse_many(value)
        except ValueError:
            raise ConfigError(
                f"{name} must be a rate such as '5 per minute' or '20/hour', not {value!r}"
            ) from None
        limits[key] = value
    return limits


def data_dir() -> Path:
    """``TIMETRACKER_DATA``, or ``./instance`` in the current directory."""
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR).resolve()


def secret_key_file() -> Path:
    return SECRET_KEY_FILE or data_dir() / "secret_key"


def _secret_key_from_file() -> str | None:
    try:
        return secret_key_file().read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'timetracker.db'}"


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ
    overrides = overrides or {}
    testing = bool(overrides.get("TESTING"))
    debug = _bool(env.get("TIMETRACKER_DEBUG"))
    production = not (testing or debug or _bool(env.get("TIMETRACKER_DEV")))

    secret = overrides.get("SECRET_KEY") or env.get("SECRET_KEY") or _secret_key_from_file()
    if not secret:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment to a long random value, "
                "for example: export SECRET_KEY=$(python3 -c 'import secrets; "
                "print(secrets.token_hex(32))')"
            )
        secret = secrets.token_hex(32)
    if production and len(str(secret).encode()) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            f"SECRET_KEY is too short ({len(str(secret).encode())} bytes); use at least "
            f"{MIN_SECRET_KEY_BYTES} random bytes, for example: export SECRET_KEY=$(python3 -c "
            "'import secrets; print(secrets.token_hex(32))')"
        )

    from timetracker.db import normalize_database_url

    database_url = normalize_database_url(
        overrides.get("DATABASE_URL") or env.get("DATABASE_URL") or default_database_url()
    )

    redis_url = env.get("REDIS_URL") or None
    config: dict[str, Any] = {
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url,
        "TIMEZONE_DEFAULT": env.get("TIMETRACKER_TIMEZONE") or "UTC",
        "REDIS_URL": redis_url,
        "BASE_URL": (env.get("TIMETRACKER_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # Sessions
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        # Also the longest a server-side session lives (auth/sessions.py).
        "REMEMBER_COOKIE_DURATION": dt.timedelta(days=_int(env, "TIMETRACKER_SESSION_DAYS", 30)),
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        # Requests
        "MAX_CONTENT_LENGTH": _int(env, "TIMETRACKER_MAX_CONTENT_LENGTH", 1024 * 1024),
        "PROXY_FIX_HOPS": _int(env, "TIMETRACKER_PROXY_HOPS", 0),
        "WTF_CSRF_TIME_LIMIT": None,
        # Rate limits (the policy is stated in SECURITY.md)
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(env, redis_url),
        "RATELIMIT_STRATEGY": "fixed-window",
        # Monitoring (docs/monitoring.md)
        "METRICS_TOKEN": env.get("TIMETRACKER_METRICS_TOKEN") or None,
        "LOG_FORMAT": env.get("TIMETRACKER_LOG_FORMAT") or None,
        "RATELIMIT_ENABLED": True,
        **_login_limits(env),
        # Mail
        "SMTP_HOST": env.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": _int(env, "SMTP_PORT", 25),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "SMTP_USE_TLS": _bool(env.get("SMTP_USE_TLS")),
        "MAIL_FROM": env.get("MAIL_FROM", "timetracker@localhost"),
        "MAIL_ENABLED": _bool(env.get("MAIL_ENABLED"), default=bool(env.get("SMTP_HOST"))),
        **_mail_settings(env),
        # Webhooks (docs/webhooks.md)
        "WEBHOOK_RETRY_DELAYS": _seconds_list(
            env, "TIMETRACKER_WEBHOOK_RETRY_DELAYS", DEFAULT_WEBHOOK_RETRY_DELAYS
        ),
        "WEBHOOK_DISABLE_AFTER": _int(
            env, "TIMETRACKER_WEBHOOK_DISABLE_AFTER", DEFAULT_WEBHOOK_DISABLE_AFTER
        ),
        "WEBHOOK_TIMEOUT": _positive_number(
            env, "TIMETRACKER_WEBHOOK_TIMEOUT", DEFAULT_WEBHOOK_TIMEOUT
        ),
        "WEBHOOK_ALLOW_PRIVATE": _bool(env.get("TIMETRACKER_WEBHOOK_ALLOW_PRIVATE")),
        "WEBHOOK_CA_BUNDLE": env.get("TIMETRACKER_WEBHOOK_CA_BUNDLE") or None,
        # Shared documents: the folder the local storage keeps their files in, outside the
        # web root (``timetracker/sharing/storage.py``).
        "DOCUMENTS_DIR": env.get("TIMETRACKER_DOCUMENTS_DIR") or str(data_dir() / "documents"),
        "PAGE_SIZE": 50,
        "TESTING": False,
        "DEBUG": debug,
    }
    config.update(overrides)
    config["DATABASE_URL"] = database_url
    return config
