"""campaigns' eligibility rules: the copy of who may check in learns each shopper's newest
paid purchase and paid total, and the service keeps a copy of the campaigns' windows and
rules (from reward.campaign_changed.v1)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "attendance"


def upgrade() -> None:
    op.add_column(
        "shopper_eligibility", sa.Column("last_paid_at", sa.DateTime(timezone=True)), schema=S
    )
    op.add_column("shopper_eligibility", sa.Column("paid_total", sa.Numeric(14, 2)), schema=S)
    op.create_table(
        "campaign_rules",
        sa.Column("campaign_id", sa.Uuid(), primary_key=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date()),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("purchased_within_days", sa.Integer()),
        sa.Column("min_total_amount", sa.Numeric(14, 2)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("campaign_rules", schema=S)
    op.drop_column("shopper_eligibility", "paid_total", schema=S)
    op.drop_column("shopper_eligibility", "last_paid_at", schema=S)
