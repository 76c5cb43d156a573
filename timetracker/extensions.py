"""Flask extensions, created unbound and initialised by ``create_app``."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

# Registers the ``timetracker-db://`` rate-limit storage (the default without Redis) with
# ``limits`` before the limiter is initialised from ``RATELIMIT_STORAGE_URI``.
from timetracker import ratelimits  # noqa: F401

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
