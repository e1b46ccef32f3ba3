"""tell every consumer who the existing accounts are (user.profile_changed.v1 per account),
so the copies that name shoppers in admin views start complete

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "auth"


def upgrade() -> None:
    # The envelope the outbox relay publishes (checkin_shared/events/envelope.py).
    op.execute(
        f"""
        WITH fresh AS (SELECT gen_random_uuid() AS event_id, a.* FROM {S}.account a)
        INSERT INTO {S}.outbox (id, event_type, payload)
        SELECT event_id, 'user.profile_changed.v1', jsonb_build_object(
            'id', event_id,
            'type', 'user.profile_changed.v1',
            'occurred_at', to_char(now() AT TIME ZONE 'UTC',
                                   'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
            'producer', 'auth',
            'correlation_id', NULL,
            'data', jsonb_build_object('user_id', id, 'email', email, 'name', name))
        FROM fresh
        """  # noqa: S608
    )


def downgrade() -> None:
    pass  # events already told cannot be untold; the copies they made are harmless
