"""A claim's unit of stock and its `reward.claimed` event in one statement: the tier's row
is locked by this statement and stays locked until the claim's transaction commits, so
nothing that can run before it runs after it. In a storm the grants queue on that row;
each now holds it for this statement and the COMMIT, where it held it for the UPDATE, the
outbox insert and a flush of the claim's own rows."""

import json
import uuid

from checkin_shared.events.envelope import Envelope
from checkin_shared.events.outbox import notify_channel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.db import OUTBOX, SCHEMA
from reward_service.tiers.models import Tier

# Table names are the code's own constants; every value is a bound parameter.
TAKE_ONE = text(
    f"""
WITH taken AS (
    UPDATE {SCHEMA}.{Tier.__tablename__} SET stock = stock - 1
    WHERE id = :tier_id AND stock > 0
    RETURNING stock
),
event AS (
    INSERT INTO {OUTBOX.fullname} (id, event_type, payload)
    SELECT :event_id, :event_type,
           jsonb_set(CAST(CAST(:payload AS text) AS jsonb), '{{data,stock_left}}',
                     to_jsonb(taken.stock))
    FROM taken
    RETURNING pg_notify(:channel, '')
)
SELECT (SELECT stock FROM taken) AS stock_left, (SELECT count(*) FROM event) AS announced
"""  # noqa: S608
)


async def take_one(session: AsyncSession, tier_id: uuid.UUID, claimed: Envelope) -> int | None:
    """The stock left after taking one, with `claimed` (its `stock_left` filled in here)
    staged in the outbox; None, and nothing staged, when none was left."""
    row = (
        await session.execute(
            TAKE_ONE,
            {
                "tier_id": tier_id,
                "event_id": claimed.id,
                "event_type": claimed.type,
                "payload": json.dumps(claimed.model_dump(mode="json")),
                "channel": notify_channel(OUTBOX),
            },
        )
    ).one()
    return None if row.stock_left is None else int(row.stock_left)
