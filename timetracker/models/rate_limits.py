"""Rate-limit counters shared by every worker and server of one installation.

Without Redis, Flask-Limiter keeps its counters in this table (see :mod:`timetracker.ratelimits`),
so a limit means the same with one worker or many. Rows are written only by that storage, each
hit by one statement on its own short transaction, never through the request's session.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from timetracker.db import Base


class RateLimitCounter(Base):
    """One fixed window of one rate limit (for example, one account's logins from one address)."""

    __tablename__ = "rate_limit_counters"

    #: Flask-Limiter's key for the limit and what it is counted on (an address, an account...).
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    #: Hits in the current window.
    count: Mapped[int] = mapped_column(Integer)
    #: When the window ends, in seconds since the epoch (``time.time()`` of the application);
    #: a row past it counts as zero and is replaced by the next hit.
    expires_at: Mapped[float] = mapped_column(Float)
