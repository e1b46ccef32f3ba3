"""the warning before points expire: whether a credit's shopper was told (once)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"


def upgrade() -> None:
    op.add_column(
        "points_entry",
        sa.Column("expiry_warned", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema=S,
    )


def downgrade() -> None:
    op.drop_column("points_entry", "expiry_warned", schema=S)
