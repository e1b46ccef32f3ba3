"""when a contact's email and name were set (the newest user event wins)

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

S = "notification"


def upgrade() -> None:
    op.add_column("contact", sa.Column("profile_at", sa.DateTime(timezone=True)), schema=S)


def downgrade() -> None:
    op.drop_column("contact", "profile_at", schema=S)
