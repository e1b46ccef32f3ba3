"""an inbox, and the service's own copy of who may check in (user.eligibility_changed.v1)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "attendance"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("received_at", TS, nullable=False, server_default=sa.text("now()")),
        sa.PrimaryKeyConstraint("event_id", name="pk_inbox"),
        schema=S,
    )
    op.create_table(
        "shopper_eligibility",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_shopper_eligibility"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("shopper_eligibility", schema=S)
    op.drop_table("inbox", schema=S)
