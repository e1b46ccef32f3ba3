"""purchase status (paid, refunded, cancelled); accounts' eligibility as last announced

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

S = "auth"


def upgrade() -> None:
    op.add_column(
        "purchase",
        sa.Column("status", sa.String(16), nullable=False, server_default="paid"),
        schema=S,
    )
    op.create_check_constraint(
        "ck_purchase_status", "purchase", "status IN ('paid', 'refunded', 'cancelled')", schema=S
    )
    op.add_column(
        "account",
        sa.Column("eligible", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema=S,
    )
    op.add_column(
        "account",
        sa.Column("eligibility_version", sa.Integer(), nullable=False, server_default="0"),
        schema=S,
    )
    # Accounts eligible before events carried it: their tokens say so, and the services
    # fall back to the token while they have heard nothing of a shopper.
    op.execute(
        f"UPDATE {S}.account SET eligible = EXISTS "  # noqa: S608 (constants only)
        f"(SELECT FROM {S}.purchase WHERE purchase.user_id = account.id)"
    )


def downgrade() -> None:
    op.drop_column("account", "eligibility_version", schema=S)
    op.drop_column("account", "eligible", schema=S)
    op.drop_constraint("ck_purchase_status", "purchase", schema=S)
    op.drop_column("purchase", "status", schema=S)
