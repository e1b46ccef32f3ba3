"""a lease on a notification being sent, on the database's clock

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

S = "notification"


def upgrade() -> None:
    op.add_column("notification", sa.Column("leased_until", sa.DateTime(timezone=True)), schema=S)


def downgrade() -> None:
    op.drop_column("notification", "leased_until", schema=S)
