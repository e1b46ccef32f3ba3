"""what campaigns with eligibility rules decide from: each account's newest paid purchase
and paid total, kept beside its eligibility and told to every consumer once
(user.eligibility_changed.v1 with a new version, for every account with a purchase)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "auth"


def upgrade() -> None:
    op.add_column("account", sa.Column("last_paid_at", sa.DateTime(timezone=True)), schema=S)
    op.add_column(
        "account",
        sa.Column("paid_total", sa.Numeric(14, 2), nullable=False, server_default="0"),
        schema=S,
    )
    op.execute(
        f"""
        UPDATE {S}.account AS a
        SET last_paid_at = p.newest, paid_total = p.total,
            eligibility_version = a.eligibility_version + 1
        FROM (SELECT user_id, max(purchased_at) AS newest, sum(amount) AS total
              FROM {S}.purchase WHERE status = 'paid' AND user_id IS NOT NULL
              GROUP BY user_id) AS p
        WHERE p.user_id = a.id
        """  # noqa: S608
    )
    # The envelope the outbox relay publishes (checkin_shared/events/envelope.py).
    op.execute(
        f"""
        WITH fresh AS (SELECT gen_random_uuid() AS event_id, a.* FROM {S}.account a
                       WHERE a.last_paid_at IS NOT NULL)
        INSERT INTO {S}.outbox (id, event_type, payload)
        SELECT event_id, 'user.eligibility_changed.v1', jsonb_build_object(
            'id', event_id,
            'type', 'user.eligibility_changed.v1',
            'occurred_at', to_char(now() AT TIME ZONE 'UTC',
                                   'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
            'producer', 'auth',
            'correlation_id', NULL,
            'data', jsonb_build_object(
                'user_id', id, 'eligible', eligible, 'version', eligibility_version,
                'last_paid_at', to_char(last_paid_at AT TIME ZONE 'UTC',
                                        'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
                'paid_total', paid_total::text))
        FROM fresh
        """  # noqa: S608
    )


def downgrade() -> None:
    op.drop_column("account", "paid_total", schema=S)
    op.drop_column("account", "last_paid_at", schema=S)
