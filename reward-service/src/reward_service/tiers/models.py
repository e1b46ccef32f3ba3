import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from reward_service.db import Base


class Tier(Base):
    """A reward reached after `required_days` check-in days, with its stock."""

    __tablename__ = "tier"
    __table_args__ = (
        UniqueConstraint("campaign_id", "required_days", name="uq_tier_campaign_id_required_days"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("required_days > 0", name="required_days_positive"),
        CheckConstraint("low_stock_threshold >= 0", name="threshold_not_negative"),
        CheckConstraint("kind IN ('points', 'item')", name="kind"),
        CheckConstraint("kind <> 'points' OR points > 0", name="points_for_points"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    campaign_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    required_days: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int | None] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer)
    low_stock_threshold: Mapped[int] = mapped_column(Integer)
    # Retired tiers are hidden from shoppers and refuse claims; their claims stay.
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
