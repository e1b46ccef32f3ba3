"""The audit table's migration steps, the same in every service with admin writes (each
service's own migration calls them for its schema)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB


def create_audit_table(schema: str) -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("before", JSONB()),
        sa.Column("after", JSONB()),
        sa.Column("request_id", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entry"),
        schema=schema,
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at"], schema=schema)


def drop_audit_table(schema: str) -> None:
    op.drop_index("ix_audit_entry_at", "audit_entry", schema=schema)
    op.drop_table("audit_entry", schema=schema)
