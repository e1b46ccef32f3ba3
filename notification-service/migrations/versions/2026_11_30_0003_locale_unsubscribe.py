"""shoppers' mail language, one-click unsubscribe links and the key that signs them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "notification"


def upgrade() -> None:
    op.add_column("contact", sa.Column("locale", sa.String(8)), schema=S)
    op.add_column("notification", sa.Column("unsubscribe_url", sa.Text()), schema=S)
    op.create_table(
        "link_secret",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_link_secret"),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("link_secret", schema=S)
    op.drop_column("notification", "unsubscribe_url", schema=S)
    op.drop_column("contact", "locale", schema=S)
