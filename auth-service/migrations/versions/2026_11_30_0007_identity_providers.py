"""identity providers (the shop's OIDC issuers) and accounts keyed by (provider, sub)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "auth"


def upgrade() -> None:
    op.create_table(
        "identity_provider",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("audience", sa.String(500), nullable=False),
        sa.Column("jwks_uri", sa.String(1000), nullable=False),
        sa.Column("email_claim", sa.String(100), nullable=False),
        sa.Column("name_claim", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_identity_provider"),
        sa.UniqueConstraint("issuer", name="uq_identity_provider_issuer"),
        schema=S,
    )
    op.alter_column("account", "password_hash", nullable=True, schema=S)
    op.add_column("account", sa.Column("identity_provider_id", sa.Uuid()), schema=S)
    op.add_column("account", sa.Column("subject", sa.String(255)), schema=S)
    op.create_foreign_key(
        "fk_account_identity_provider_id_identity_provider",
        "account",
        "identity_provider",
        ["identity_provider_id"],
        ["id"],
        source_schema=S,
        referent_schema=S,
        ondelete="RESTRICT",
    )
    op.create_unique_constraint(
        "uq_account_provider_subject", "account", ["identity_provider_id", "subject"], schema=S
    )


def downgrade() -> None:
    op.drop_constraint("uq_account_provider_subject", "account", schema=S)
    op.drop_constraint("fk_account_identity_provider_id_identity_provider", "account", schema=S)
    op.drop_column("account", "subject", schema=S)
    op.drop_column("account", "identity_provider_id", schema=S)
    op.alter_column("account", "password_hash", nullable=False, schema=S)
    op.drop_table("identity_provider", schema=S)
