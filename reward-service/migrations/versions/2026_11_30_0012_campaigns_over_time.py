"""campaigns over time: many campaigns, each a draft until published; published windows
never overlap (an exclusion constraint); make-up days and eligibility rules per campaign

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"


def upgrade() -> None:
    op.drop_column("campaign", "singleton", schema=S)  # its unique and check constraints too
    # The campaign there was is the published one: it has been running all along.
    op.add_column(
        "campaign",
        sa.Column("status", sa.String(16), nullable=False, server_default="published"),
        schema=S,
    )
    op.alter_column("campaign", "status", server_default="draft", schema=S)
    op.create_check_constraint(
        op.f("ck_campaign_status"), "campaign", "status IN ('draft', 'published')", schema=S
    )
    op.add_column("campaign", sa.Column("published_at", sa.DateTime(timezone=True)), schema=S)
    op.execute(f"UPDATE {S}.campaign SET published_at = updated_at")  # noqa: S608
    op.add_column("campaign", sa.Column("makeup_cost_points", sa.Integer()), schema=S)
    op.add_column("campaign", sa.Column("makeup_max_per_campaign", sa.Integer()), schema=S)
    op.create_check_constraint(
        op.f("ck_campaign_makeup"),
        "campaign",
        "(makeup_cost_points IS NULL) = (makeup_max_per_campaign IS NULL)"
        " AND (makeup_cost_points IS NULL OR makeup_cost_points >= 0)"
        " AND (makeup_max_per_campaign IS NULL OR makeup_max_per_campaign > 0)",
        schema=S,
    )
    op.add_column(
        "campaign", sa.Column("eligibility_purchased_within_days", sa.Integer()), schema=S
    )
    op.add_column(
        "campaign", sa.Column("eligibility_min_total_amount", sa.Numeric(14, 2)), schema=S
    )
    # Two published campaigns never share a day: whatever runs concurrently, the second
    # publish fails here.
    op.execute(
        f"ALTER TABLE {S}.campaign ADD CONSTRAINT ex_campaign_published_window "
        "EXCLUDE USING gist (daterange(starts_on, ends_on, '[]') WITH &&) "
        "WHERE (status = 'published')"
    )
    op.create_index(op.f("ix_campaign_starts_on"), "campaign", ["starts_on"], schema=S)


def downgrade() -> None:
    op.drop_index(op.f("ix_campaign_starts_on"), "campaign", schema=S)
    op.execute(f"ALTER TABLE {S}.campaign DROP CONSTRAINT ex_campaign_published_window")
    for column in (
        "eligibility_min_total_amount",
        "eligibility_purchased_within_days",
        "makeup_max_per_campaign",
        "makeup_cost_points",
        "published_at",
        "status",
    ):
        op.drop_column("campaign", column, schema=S)
    op.add_column(
        "campaign",
        sa.Column("singleton", sa.Boolean(), nullable=False, server_default=sa.true()),
        schema=S,
    )
    op.create_unique_constraint("uq_campaign_singleton", "campaign", ["singleton"], schema=S)
    op.create_check_constraint("singleton", "campaign", "singleton", schema=S)
