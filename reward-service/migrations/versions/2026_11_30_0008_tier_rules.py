"""tier rules: cumulative, consecutive, every_n_days (claimed again and again: a claim's
`seq`), and a daily limit per tier counted per business day

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"
RULES = "rule IN ('cumulative', 'consecutive', 'every_n_days')"


def upgrade() -> None:
    op.add_column(
        "tier",
        sa.Column("rule", sa.String(16), nullable=False, server_default="cumulative"),
        schema=S,
    )
    op.add_column("tier", sa.Column("daily_limit", sa.Integer()), schema=S)
    op.create_check_constraint(op.f("ck_tier_rule"), "tier", RULES, schema=S)
    op.create_check_constraint(
        op.f("ck_tier_daily_limit_positive"),
        "tier",
        "daily_limit IS NULL OR daily_limit > 0",
        schema=S,
    )
    # Several tiers may need the same days when their rules differ.
    op.drop_constraint("uq_tier_campaign_id_required_days", "tier", schema=S)
    op.create_unique_constraint(
        op.f("uq_tier_campaign_id_required_days_rule"),
        "tier",
        ["campaign_id", "required_days", "rule"],
        schema=S,
    )
    # The n-th claim of a tier by a shopper: 1 for every rule but every_n_days.
    op.add_column(
        "claim", sa.Column("seq", sa.Integer(), nullable=False, server_default="1"), schema=S
    )
    op.create_check_constraint(op.f("ck_claim_seq_positive"), "claim", "seq > 0", schema=S)
    op.drop_constraint("uq_claim_user_id_tier_id", "claim", schema=S)
    op.create_unique_constraint(
        op.f("uq_claim_user_id_tier_id_seq"), "claim", ["user_id", "tier_id", "seq"], schema=S
    )
    op.create_table(
        "tier_day_claims",
        sa.Column("tier_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tier_id", "day", name="pk_tier_day_claims"),
        sa.ForeignKeyConstraint(
            ["tier_id"],
            [f"{S}.tier.id"],
            name="fk_tier_day_claims_tier_id_tier",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("claims > 0", name=op.f("ck_tier_day_claims_claims_positive")),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("tier_day_claims", schema=S)
    op.drop_constraint("uq_claim_user_id_tier_id_seq", "claim", schema=S)
    # A repeat claim cannot be kept under the old key; refuse rather than drop it.
    op.execute(
        f"DO $$ BEGIN IF EXISTS (SELECT FROM {S}.claim WHERE seq > 1) THEN "
        "RAISE EXCEPTION 'repeat claims exist: the old schema cannot hold them'; END IF; END $$"
    )
    op.create_unique_constraint(
        op.f("uq_claim_user_id_tier_id"), "claim", ["user_id", "tier_id"], schema=S
    )
    op.drop_constraint("ck_claim_seq_positive", "claim", schema=S)
    op.drop_column("claim", "seq", schema=S)
    op.drop_constraint("uq_tier_campaign_id_required_days_rule", "tier", schema=S)
    op.create_unique_constraint(
        op.f("uq_tier_campaign_id_required_days"),
        "tier",
        ["campaign_id", "required_days"],
        schema=S,
    )
    op.drop_constraint("ck_tier_daily_limit_positive", "tier", schema=S)
    op.drop_constraint("ck_tier_rule", "tier", schema=S)
    op.drop_column("tier", "daily_limit", schema=S)
    op.drop_column("tier", "rule", schema=S)
