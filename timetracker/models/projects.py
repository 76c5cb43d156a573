from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from timetracker.db import Base, Hours, Money, UTCDateTime
from timetracker.models._common import utcnow
from timetracker.models.clients import Client


class ProjectStatus(enum.StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("client_id", "name"),
        # Target of the time entries' (project_id, client_id) foreign key.
        UniqueConstraint("id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.ACTIVE, index=True)
    billable: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: Falls back to the client's default rate when empty.
    hourly_rate: Mapped[Decimal | None] = mapped_column(Money)
    budget_hours: Mapped[Decimal | None] = mapped_column(Hours)
    budget_amount: Mapped[Decimal | None] = mapped_column(Money)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="projects", lazy="raise_on_sql")

    @property
    def is_active(self) -> bool:
        return self.status == ProjectStatus.ACTIVE

    def effective_rate(self, client: Client | None = None) -> Decimal:
        if self.hourly_rate is not None:
            return self.hourly_rate
        return (client or self.client).default_hourly_rate

    def __repr__(self) -> str:
        return f"<Project {self.id} {self.name!r}>"
