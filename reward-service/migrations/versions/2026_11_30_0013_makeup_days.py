"""make-up days: a shopper's request to fill a missed day, paid in points, until the
attendance service applies or refuses it

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"


def upgrade() -> None:
    op.create_table(
        "makeup",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "campaign_id",
            sa.Uuid(),
            sa.ForeignKey(f"{S}.campaign.id", name=op.f("fk_makeup_campaign_id_campaign")),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("cost_points", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("code", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "status IN ('pending', 'applied', 'refused')", name=op.f("ck_makeup_status")
        ),
        sa.CheckConstraint("cost_points >= 0", name=op.f("ck_makeup_cost_not_negative")),
        schema=S,
    )
    # One live make-up per shopper and day (a refused one may be asked for again).
    op.create_index(
        op.f("uq_makeup_user_id_day_live"),
        "makeup",
        ["user_id", "day"],
        unique=True,
        postgresql_where=sa.text("status <> 'refused'"),
        schema=S,
    )
    op.create_index(
        op.f("ix_makeup_user_id_campaign_id"), "makeup", ["user_id", "campaign_id"], schema=S
    )


def downgrade() -> None:
    op.drop_table("makeup", schema=S)
