from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow


class UserSession(Base):
    """One signed-in browser.

    Flask keeps the session in a signed cookie, which a copy could replay after logout. The
    cookie therefore carries a random key whose hash is stored here: a session is valid only
    while its row exists, so logging out (deleting the row) ends it on the server.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the key in the cookie (hex); the key itself is never stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Refreshed at most every few minutes while the session is used (see auth/sessions.py).
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
