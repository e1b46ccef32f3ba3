"""points that expire: the campaign's points_expire_after_days, each credit's expires_at
(the zone's midnight that many days after it), and whether its expiry was settled

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"


def upgrade() -> None:
    op.add_column("campaign", sa.Column("points_expire_after_days", sa.Integer()), schema=S)
    op.create_check_constraint(
        op.f("ck_campaign_points_expire_after_days_positive"),
        "campaign",
        "points_expire_after_days IS NULL OR points_expire_after_days > 0",
        schema=S,
    )
    op.add_column("points_entry", sa.Column("expires_at", sa.DateTime(timezone=True)), schema=S)
    op.add_column(
        "points_entry",
        sa.Column("expiry_settled", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema=S,
    )
    op.create_index(
        "ix_points_entry_expiry_due",
        "points_entry",
        ["expires_at"],
        schema=S,
        postgresql_where=sa.text("expires_at IS NOT NULL AND NOT expiry_settled"),
    )


def downgrade() -> None:
    op.drop_index("ix_points_entry_expiry_due", "points_entry", schema=S)
    op.drop_column("points_entry", "expiry_settled", schema=S)
    op.drop_column("points_entry", "expires_at", schema=S)
    op.drop_constraint("ck_campaign_points_expire_after_days_positive", "campaign", schema=S)
    op.drop_column("campaign", "points_expire_after_days", schema=S)
