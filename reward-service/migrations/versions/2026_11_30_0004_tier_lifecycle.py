"""tiers can be retired (active), described and illustrated

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"


def upgrade() -> None:
    op.add_column(
        "tier",
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        schema=S,
    )
    op.add_column("tier", sa.Column("description", sa.Text()), schema=S)
    op.add_column("tier", sa.Column("image_url", sa.String(1000)), schema=S)


def downgrade() -> None:
    for column in ("image_url", "description", "active"):
        op.drop_column("tier", column, schema=S)
