"""fulfilment of claims: the shipping address, the item's journey, or the claim cancelled

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fulfilment",
        sa.Column("claim_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(100)),
        sa.Column("phone", sa.String(30)),
        sa.Column("address1", sa.String(200)),
        sa.Column("address2", sa.String(200)),
        sa.Column("postal_code", sa.String(12)),
        sa.Column("country", sa.String(2)),
        sa.Column("carrier", sa.String(100)),
        sa.Column("tracking_number", sa.String(100)),
        sa.Column("shipped_at", TS),
        sa.Column("delivered_at", TS),
        sa.Column("cancelled_at", TS),
        sa.Column("cancel_reason", sa.String(500)),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint(
            "status IN ('awaiting_address', 'pending', 'shipped', 'delivered', 'cancelled')",
            name=op.f("ck_fulfilment_status"),
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], [f"{S}.claim.id"], name="fk_fulfilment_claim_id_claim", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", name="pk_fulfilment"),
        schema=S,
    )
    op.create_index("ix_fulfilment_status", "fulfilment", ["status"], schema=S)
    # Item claims made before fulfilment existed wait for their address like new ones.
    op.execute(
        f"""
        INSERT INTO {S}.fulfilment (claim_id, status, updated_at)
        SELECT c.id, 'awaiting_address', now()
        FROM {S}.claim c JOIN {S}.tier t ON t.id = c.tier_id
        WHERE t.kind = 'item'
        """  # noqa: S608
    )


def downgrade() -> None:
    op.drop_index("ix_fulfilment_status", "fulfilment", schema=S)
    op.drop_table("fulfilment", schema=S)
