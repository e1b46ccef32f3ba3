"""The support role: reads every admin view and changes fulfilment

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "auth"


def upgrade() -> None:
    op.drop_constraint("ck_account_role", "account", schema=S, type_="check")
    op.create_check_constraint(
        op.f("ck_account_role"), "account", "role IN ('shopper', 'support', 'admin')", schema=S
    )


def downgrade() -> None:
    op.execute(f"UPDATE {S}.account SET role = 'shopper' WHERE role = 'support'")  # noqa: S608
    op.drop_constraint("ck_account_role", "account", schema=S, type_="check")
    op.create_check_constraint(
        op.f("ck_account_role"), "account", "role IN ('shopper', 'admin')", schema=S
    )
