"""the audit log of admin writes

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "reward"


def upgrade() -> None:
    from checkin_shared.audit_migration import create_audit_table

    create_audit_table(S)


def downgrade() -> None:
    from checkin_shared.audit_migration import drop_audit_table

    drop_audit_table(S)
