"""points on every check-in (the campaign's daily_points, once per shopper and day) and
points tiers granted by themselves when reached (tier.grant = 'auto')

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"


def upgrade() -> None:
    op.add_column(
        "campaign",
        sa.Column("daily_points", sa.Integer(), nullable=False, server_default="0"),
        schema=S,
    )
    op.create_check_constraint(
        op.f("ck_campaign_daily_points_not_negative"), "campaign", "daily_points >= 0", schema=S
    )
    op.add_column(
        "tier", sa.Column("grant", sa.String(8), nullable=False, server_default="claim"), schema=S
    )
    op.create_check_constraint(
        op.f("ck_tier_grant"), "tier", "\"grant\" IN ('claim', 'auto')", schema=S
    )
    op.create_check_constraint(
        op.f("ck_tier_auto_for_points"), "tier", "\"grant\" = 'claim' OR kind = 'points'", schema=S
    )
    # The day a daily-points entry is for: one per shopper and day, whatever is redelivered.
    op.add_column("points_entry", sa.Column("day", sa.Date()), schema=S)
    op.create_index(
        "uq_points_entry_user_id_day",
        "points_entry",
        ["user_id", "day"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("day IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_points_entry_user_id_day", "points_entry", schema=S)
    op.drop_column("points_entry", "day", schema=S)
    op.drop_constraint("ck_tier_auto_for_points", "tier", schema=S)
    op.drop_constraint("ck_tier_grant", "tier", schema=S)
    op.drop_column("tier", "grant", schema=S)
    op.drop_constraint("ck_campaign_daily_points_not_negative", "campaign", schema=S)
    op.drop_column("campaign", "daily_points", schema=S)
