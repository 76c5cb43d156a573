"""The email retry settings (attempts, delays, SMTP timeout, queue) come from the environment,
with the documented defaults; a bad value is a one-line ConfigError."""

from __future__ import annotations

import pytest

from timetracker import config
from timetracker.config import ConfigError, load_config
from timetracker.notifications import invoices, jobs, mail

NAMES = (
    "MAIL_MAX_ATTEMPTS",
    "MAIL_RETRY_DELAYS",
    "MAIL_INLINE_RETRY_DELAYS",
    "SMTP_TIMEOUT",
    "RQ_QUEUE",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def settings() -> dict:
    return load_config({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://"})


def test_defaults_are_todays_values() -> None:
    loaded = settings()
    assert loaded["MAIL_MAX_ATTEMPTS"] == 3 == invoices.DEFAULT_MAX_ATTEMPTS
    assert loaded["MAIL_RETRY_DELAYS"] == (60, 600) == jobs.DEFAULT_RETRY_DELAYS
    assert loaded["MAIL_INLINE_RETRY_DELAYS"] == (1, 3) == jobs.DEFAULT_INLINE_RETRY_DELAYS
    assert loaded["SMTP_TIMEOUT"] == 10 == mail.DEFAULT_SMTP_TIMEOUT
    assert loaded["RQ_QUEUE"] == "timetracker" == jobs.DEFAULT_QUEUE


def test_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("MAIL_RETRY_DELAYS", "30, 120,900")
    monkeypatch.setenv("MAIL_INLINE_RETRY_DELAYS", "0")
    monkeypatch.setenv("SMTP_TIMEOUT", "2.5")
    monkeypatch.setenv("RQ_QUEUE", "tt-mail")
    loaded = settings()
    assert loaded["MAIL_MAX_ATTEMPTS"] == 5
    assert loaded["MAIL_RETRY_DELAYS"] == (30, 120, 900)
    assert loaded["MAIL_INLINE_RETRY_DELAYS"] == (0,)
    assert loaded["SMTP_TIMEOUT"] == 2.5
    assert loaded["RQ_QUEUE"] == "tt-mail"


def test_the_app_uses_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from timetracker import create_app

    monkeypatch.setenv("MAIL_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("MAIL_INLINE_RETRY_DELAYS", "2,4")
    monkeypatch.setenv("RQ_QUEUE", "other")
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://"})
    try:
        with app.app_context():
            assert invoices.max_attempts() == 7
            assert jobs.queue_name() == "other"
            assert jobs._delays("MAIL_INLINE_RETRY_DELAYS", ()) == [2, 4]
    finally:
        app.extensions["timetracker.engine"].dispose()


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("MAIL_MAX_ATTEMPTS", "three", "MAIL_MAX_ATTEMPTS must be a whole number"),
        ("MAIL_MAX_ATTEMPTS", "0", "MAIL_MAX_ATTEMPTS must be at least 1"),
        ("MAIL_RETRY_DELAYS", "60;600", "MAIL_RETRY_DELAYS must be whole seconds"),
        ("MAIL_RETRY_DELAYS", "60,-1", "MAIL_RETRY_DELAYS must be whole seconds"),
        ("MAIL_INLINE_RETRY_DELAYS", "1,,3", "MAIL_INLINE_RETRY_DELAYS must be whole seconds"),
        ("SMTP_TIMEOUT", "0", "SMTP_TIMEOUT must be a number of seconds greater than 0"),
        ("SMTP_TIMEOUT", "soon", "SMTP_TIMEOUT must be a number of seconds greater than 0"),
        ("SMTP_TIMEOUT", "nan", "SMTP_TIMEOUT must be a number of seconds greater than 0"),
        ("RQ_QUEUE", "my queue", "RQ_QUEUE must be 1 to 100 letters"),
    ],
)
def test_invalid_values_are_one_line_errors(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, reason: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        settings()
    message = str(raised.value)
    assert message.startswith(reason)
    assert repr(value) in message
    assert "\n" not in message


def test_the_defaults_live_in_one_place() -> None:
    assert config.DEFAULT_RQ_QUEUE is jobs.DEFAULT_QUEUE
