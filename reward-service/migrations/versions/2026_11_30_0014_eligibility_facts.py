"""the copy of who may take part learns each shopper's newest paid purchase and paid
total (user.eligibility_changed.v1 carries them now)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"


def upgrade() -> None:
    op.add_column(
        "shopper_eligibility", sa.Column("last_paid_at", sa.DateTime(timezone=True)), schema=S
    )
    op.add_column("shopper_eligibility", sa.Column("paid_total", sa.Numeric(14, 2)), schema=S)


def downgrade() -> None:
    op.drop_column("shopper_eligibility", "paid_total", schema=S)
    op.drop_column("shopper_eligibility", "last_paid_at", schema=S)
