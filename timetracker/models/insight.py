"""What the firm tells a client about its budgets: which budget alerts were sent.

An alert is sent once per project, measure (hours or amount) and threshold (75, 90 and 100 % of
the budget); its row is written in the transaction that crossed the threshold, so two requests
that cross it together send it once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from timetracker.db import Base, UTCDateTime
from timetracker.models._common import utcnow


class BudgetAlert(Base):
    __tablename__ = "budget_alerts"
    __table_args__ = (
        CheckConstraint("measure IN ('hours', 'amount')", name="measure_known"),
        CheckConstraint("threshold IN (75, 90, 100)", name="threshold_known"),
    )

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    #: ``hours`` or ``amount``: which of the project's budgets.
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    #: Percent of the budget: 75, 90 or 100.
    threshold: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
