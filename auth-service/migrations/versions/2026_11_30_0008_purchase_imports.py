"""CSV purchase imports: jobs, their rows in pieces, and the rows refused

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "auth"
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "purchase_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("has_status_column", sa.Boolean(), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("processed_rows", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("pending_shopper", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("leased_until", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_purchase_import"),
        schema=S,
    )
    for table, columns in (
        (
            "purchase_import_chunk",
            [
                sa.Column("seq", sa.Integer(), nullable=False),
                sa.Column("first_line", sa.Integer(), nullable=False),
                sa.Column("rows", sa.Integer(), nullable=False),
                sa.Column("data", sa.LargeBinary(), nullable=False),
            ],
        ),
        (
            "purchase_import_error",
            [
                sa.Column("line", sa.Integer(), nullable=False),
                sa.Column("error", sa.Text(), nullable=False),
            ],
        ),
    ):
        second = columns[0].name
        op.create_table(
            table,
            sa.Column("job_id", sa.Uuid(), nullable=False),
            *columns,
            sa.ForeignKeyConstraint(
                ["job_id"],
                [f"{S}.purchase_import.id"],
                name=f"fk_{table}_job_id_purchase_import",
                ondelete="CASCADE",
            ),
            sa.PrimaryKeyConstraint("job_id", second, name=f"pk_{table}"),
            schema=S,
        )


def downgrade() -> None:
    op.drop_table("purchase_import_error", schema=S)
    op.drop_table("purchase_import_chunk", schema=S)
    op.drop_table("purchase_import", schema=S)
