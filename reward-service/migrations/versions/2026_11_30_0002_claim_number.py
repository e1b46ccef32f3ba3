"""claim numbers a person can read (C-000042), existing claims numbered in claim order

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

S = "reward"


def upgrade() -> None:
    op.execute(f"CREATE SEQUENCE {S}.claim_number_seq")
    op.add_column("claim", sa.Column("number", sa.BigInteger(), nullable=True), schema=S)
    op.execute(
        f"""
        UPDATE {S}.claim SET number = numbered.n
        FROM (SELECT id, nextval('{S}.claim_number_seq') AS n
              FROM (SELECT id FROM {S}.claim ORDER BY claimed_at, id) AS ordered) AS numbered
        WHERE claim.id = numbered.id
        """  # noqa: S608
    )
    op.alter_column(
        "claim",
        "number",
        nullable=False,
        server_default=sa.text(f"nextval('{S}.claim_number_seq')"),
        schema=S,
    )
    op.execute(f"ALTER SEQUENCE {S}.claim_number_seq OWNED BY {S}.claim.number")
    op.create_unique_constraint("uq_claim_number", "claim", ["number"], schema=S)


def downgrade() -> None:
    op.drop_constraint("uq_claim_number", "claim", schema=S)
    op.drop_column("claim", "number", schema=S)
