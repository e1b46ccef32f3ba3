import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from reward_service.db import Base


class StockAdjustment(Base):
    """The audit ledger of stock changes made by admins."""

    __tablename__ = "stock_adjustment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    tier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tier.id", ondelete="CASCADE"), index=True
    )
    admin_id: Mapped[uuid.UUID]
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    stock_after: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SweepRun(Base):
    """One row per business day the stock sweep ran: the key makes it once per day."""

    __tablename__ = "sweep_run"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
