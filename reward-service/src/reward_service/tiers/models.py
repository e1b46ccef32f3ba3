import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
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

RULES = ("cumulative", "consecutive", "every_n_days")


class Tier(Base):
    """A reward reached after `required_days` check-in days by its `rule`, with its stock:
    `cumulative` (that many days in the window), `consecutive` (a run of that many days in a
    row), `every_n_days` (once per that many days, again and again). `daily_limit`: at most
    that many claims of it per business day."""

    __tablename__ = "tier"
    __table_args__ = (
        UniqueConstraint(
            "campaign_id",
            "required_days",
            "rule",
            name="uq_tier_campaign_id_required_days_rule",
        ),
        CheckConstraint(f"rule IN {RULES}", name="rule"),
        CheckConstraint("daily_limit IS NULL OR daily_limit > 0", name="daily_limit_positive"),
        CheckConstraint("\"grant\" IN ('claim', 'auto')", name="grant"),
        CheckConstraint("\"grant\" = 'claim' OR kind = 'points'", name="auto_for_points"),
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
    rule: Mapped[str] = mapped_column(String(16), server_default="cumulative")
    daily_limit: Mapped[int | None] = mapped_column(Integer)
    # `claim`: the shopper claims it; `auto` (points tiers): credited when reached.
    grant: Mapped[str] = mapped_column(String(8), server_default="claim")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TierDayClaims(Base):
    """Claims of a tier with a daily limit on one business day: a conditional upsert of
    this row admits a claim only while under the limit, whatever runs concurrently."""

    __tablename__ = "tier_day_claims"
    __table_args__ = (CheckConstraint("claims > 0", name="claims_positive"),)

    tier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tier.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    claims: Mapped[int] = mapped_column(Integer)
