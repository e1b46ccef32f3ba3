"""accounts, purchases, refresh tokens, login failures

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "auth"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("role IN ('shopper', 'admin')", name="ck_account_role"),
        sa.PrimaryKeyConstraint("id", name="pk_account"),
        schema=S,
    )
    op.create_index(
        "uq_account_email_lower", "account", [sa.text("lower(email)")], unique=True, schema=S
    )
    op.create_index("ix_account_created_at", "account", ["created_at", "id"], schema=S)
    op.create_table(
        "purchase",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("purchased_at", TS, nullable=False),
        sa.Column("imported_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_purchase"),
        sa.UniqueConstraint("order_id", name="uq_purchase_order_id"),
        sa.ForeignKeyConstraint(
            ["user_id"], [f"{S}.account.id"], name="fk_purchase_user_id_account", ondelete="CASCADE"
        ),
        schema=S,
    )
    op.create_index("ix_purchase_email", "purchase", ["email"], schema=S)
    op.create_index("ix_purchase_user_id", "purchase", ["user_id"], schema=S)
    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("issued_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("rotated_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_token"),
        sa.UniqueConstraint("token_hash", name="uq_refresh_token_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            [f"{S}.account.id"],
            name="fk_refresh_token_user_id_account",
            ondelete="CASCADE",
        ),
        schema=S,
    )
    op.create_index("ix_refresh_token_family_id", "refresh_token", ["family_id"], schema=S)
    op.create_index("ix_refresh_token_user_id", "refresh_token", ["user_id"], schema=S)
    op.create_table(
        "login_failure",
        sa.Column("key", sa.String(400), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("key", "window_start", name="pk_login_failure"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("login_failure", schema=S)
    op.drop_table("refresh_token", schema=S)
    op.drop_table("purchase", schema=S)
    op.drop_table("account", schema=S)
