"""campaign, tiers, stock ledger, projection, claims, points, idempotency, outbox, inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("singleton", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_campaign"),
        sa.UniqueConstraint("singleton", name="uq_campaign_singleton"),
        sa.CheckConstraint("singleton", name="ck_campaign_singleton"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_campaign_window"),
        schema=S,
    )
    op.create_table(
        "tier",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("required_days", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("low_stock_threshold", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tier"),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            [f"{S}.campaign.id"],
            name="fk_tier_campaign_id_campaign",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "campaign_id", "required_days", name="uq_tier_campaign_id_required_days"
        ),
        sa.CheckConstraint("stock >= 0", name="ck_tier_stock_not_negative"),
        sa.CheckConstraint("required_days > 0", name="ck_tier_required_days_positive"),
        sa.CheckConstraint("low_stock_threshold >= 0", name="ck_tier_threshold_not_negative"),
        sa.CheckConstraint("kind IN ('points', 'item')", name="ck_tier_kind"),
        sa.CheckConstraint("kind <> 'points' OR points > 0", name="ck_tier_points_for_points"),
        schema=S,
    )
    op.create_table(
        "stock_adjustment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tier_id", sa.Uuid(), nullable=False),
        sa.Column("admin_id", sa.Uuid(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("stock_after", sa.Integer(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_stock_adjustment"),
        sa.ForeignKeyConstraint(
            ["tier_id"],
            [f"{S}.tier.id"],
            name="fk_stock_adjustment_tier_id_tier",
            ondelete="CASCADE",
        ),
        schema=S,
    )
    op.create_index("ix_stock_adjustment_tier_id", "stock_adjustment", ["tier_id"], schema=S)
    op.create_table(
        "sweep_run",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ran_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_sweep_run"),
        schema=S,
    )
    op.create_table(
        "attendance_day",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "day", name="pk_attendance_day"),
        schema=S,
    )
    op.create_table(
        "claim",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tier_id", sa.Uuid(), nullable=False),
        sa.Column("claimed_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claim"),
        sa.ForeignKeyConstraint(
            ["tier_id"], [f"{S}.tier.id"], name="fk_claim_tier_id_tier", ondelete="RESTRICT"
        ),
        sa.UniqueConstraint("user_id", "tier_id", name="uq_claim_user_id_tier_id"),
        schema=S,
    )
    op.create_index("ix_claim_user_id", "claim", ["user_id"], schema=S)
    op.create_index("ix_claim_claimed_at", "claim", ["claimed_at"], schema=S)
    op.create_table(
        "points_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("claim_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_points_entry"),
        sa.ForeignKeyConstraint(
            ["claim_id"], [f"{S}.claim.id"], name="fk_points_entry_claim_id_claim"
        ),
        schema=S,
    )
    op.create_index("ix_points_entry_user_id", "points_entry", ["user_id"], schema=S)
    op.create_table(
        "idempotency_record",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("body", JSONB(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key", name="pk_idempotency_record"),
        schema=S,
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("payload", JSONB(), nullable=False),
        sa.Column("created_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.Column("published_at", TS, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        schema=S,
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["created_at"],
        schema=S,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("received_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox"),
        schema=S,
    )


def downgrade() -> None:
    for table in (
        "inbox",
        "outbox",
        "idempotency_record",
        "points_entry",
        "claim",
        "attendance_day",
        "sweep_run",
        "stock_adjustment",
        "tier",
        "campaign",
    ):
        op.drop_table(table, schema=S)
