"""the shop's webhooks, and their deliveries in the notification log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "notification"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shop_webhook",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("events", sa.ARRAY(sa.String(64)), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("deleted_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_shop_webhook"),
        schema=S,
    )
    op.add_column("notification", sa.Column("webhook_id", sa.Uuid()), schema=S)
    op.add_column("notification", sa.Column("event_id", sa.Uuid()), schema=S)
    op.add_column("notification", sa.Column("payload", JSONB()), schema=S)
    op.add_column("notification", sa.Column("response_status", sa.Integer()), schema=S)
    op.create_index(
        "ix_notification_webhook_id",
        "notification",
        ["webhook_id", "created_at", "id"],
        schema=S,
    )
    # 0001 named it twice over (the naming convention prefixed a prefixed name)
    op.drop_constraint("ck_notification_ck_notification_channel", "notification", schema=S)
    op.create_check_constraint(
        op.f("ck_notification_channel"),
        "notification",
        "channel IN ('email', 'webhook', 'shop_webhook')",
        schema=S,
    )


def downgrade() -> None:
    op.execute("DELETE FROM notification.notification WHERE channel = 'shop_webhook'")
    op.drop_constraint("ck_notification_channel", "notification", schema=S)
    op.create_check_constraint(
        op.f("ck_notification_ck_notification_channel"),
        "notification",
        "channel IN ('email', 'webhook')",
        schema=S,
    )
    op.drop_index("ix_notification_webhook_id", "notification", schema=S)
    for column in ("response_status", "payload", "event_id", "webhook_id"):
        op.drop_column("notification", column, schema=S)
    op.drop_table("shop_webhook", schema=S)
