"""the version of the last eligibility event applied to a contact

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


def upgrade() -> None:
    op.add_column(
        "contact",
        sa.Column("eligibility_version", sa.Integer(), nullable=False, server_default="0"),
        schema="notification",
    )


def downgrade() -> None:
    op.drop_column("contact", "eligibility_version", schema="notification")
