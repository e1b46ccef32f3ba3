"""A grant in one statement: the unit of stock, the claim row, its fulfilment (an item) or
its ledger entry (points), the `reward.claimed` event (its claim number and `stock_left`
filled in by the statement) and, when the stock crosses the tier's threshold, the
`reward.stock_low` event.

The stock is taken first, and everything else is written only from what it returned,
so nothing is written when none was left. The claim row is a plain INSERT: a second
claim under the same key (the same claim at the same moment) breaks the unique key and
the whole statement is undone, the unit of stock with it (`already_claimed`). So the
statement is safe on its own, without BEGIN/COMMIT (a claim without an Idempotency-Key
on a tier without a daily limit: one round trip), and inside a transaction or savepoint
(the other claims, and grants on check-in). The tier's row is locked from the stock's
UPDATE to the statement's end (alone) or the COMMIT."""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from checkin_shared.events.contracts import RewardClaimedV1, RewardStockLowV1
from checkin_shared.events.envelope import wrap
from checkin_shared.events.outbox import hint_values, statement_committed, statement_in_session
from checkin_shared.request_id import request_id_var
from checkin_shared.single_statement import Statement
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from reward_service.claims.context import ClaimContext
from reward_service.claims.models import Claim, Fulfilment, claim_number
from reward_service.claims.schemas import ClaimCreated
from reward_service.claims.shipping import ShippingAddress
from reward_service.db import OUTBOX, SCHEMA
from reward_service.points.expiry import expiry_of
from reward_service.points.models import PointsEntry
from reward_service.tiers.models import Tier

CLAIM_KEY = "uq_claim_user_id_tier_id_seq"
ADDRESS = ("recipient", "phone", "address1", "address2", "postal_code", "country")

# Table names are the code's own constants; every value is a bound parameter. The claim
# number is written as `claim_number` writes it (C- and at least six digits).
GRANT = text(
    f"""
WITH taken AS (
    UPDATE {SCHEMA}.{Tier.__tablename__} SET stock = stock - 1
    WHERE id = :tier_id AND stock > 0
    RETURNING stock
),
claimed AS (
    INSERT INTO {SCHEMA}.{Claim.__tablename__} (id, user_id, tier_id, claimed_at, seq)
    SELECT :claim_id, :user_id, :tier_id, :now, :seq FROM taken
    RETURNING number, 'C-' || lpad(number::text, greatest(6, length(number::text)), '0') AS shown
),
fulfilment AS (
    INSERT INTO {SCHEMA}.{Fulfilment.__tablename__}
        (claim_id, status, updated_at, {", ".join(ADDRESS)})
    SELECT :claim_id, CAST(:status AS varchar), :now,
           {", ".join(f"CAST(:{field} AS varchar)" for field in ADDRESS)}
    FROM claimed WHERE CAST(:status AS varchar) IS NOT NULL
),
ledger AS (
    INSERT INTO {SCHEMA}.{PointsEntry.__tablename__}
        (id, user_id, amount, reason, claim_id, created_at, expires_at)
    SELECT :entry_id, :user_id, CAST(:points AS integer), :reason, :claim_id, :now,
           CAST(:expires_at AS timestamptz)
    FROM claimed WHERE CAST(:points AS integer) IS NOT NULL
),
event AS (
    INSERT INTO {OUTBOX.fullname} (id, event_type, payload)
    SELECT :event_id, :event_type,
           jsonb_set(
               jsonb_set(CAST(CAST(:payload AS text) AS jsonb), '{{data,stock_left}}',
                         to_jsonb(taken.stock)),
               '{{data,claim_number}}', to_jsonb(claimed.shown))
    FROM taken, claimed
    RETURNING CASE WHEN CAST(:notify AS boolean) THEN pg_notify(:channel, '') END
),
low AS (
    INSERT INTO {OUTBOX.fullname} (id, event_type, payload)
    SELECT :low_event_id, :low_event_type,
           jsonb_set(CAST(CAST(:low_payload AS text) AS jsonb), '{{data,stock}}',
                     to_jsonb(taken.stock))
    FROM taken, claimed
    WHERE taken.stock + 1 > CAST(:threshold AS integer)
      AND CAST(:threshold AS integer) >= taken.stock
    RETURNING CASE WHEN CAST(:notify AS boolean) THEN pg_notify(:channel, '') END
)
SELECT (SELECT number FROM claimed) AS number, (SELECT stock FROM taken) AS stock_left
"""  # noqa: S608
)
GRANT_ALONE = Statement.of(GRANT)


class AlreadyGranted(Exception):
    """The claim key was taken by another request at the same moment: nothing written."""


@dataclass(frozen=True)
class Grant:
    """The values of one grant's statement, and what it answers."""

    claim_id: uuid.UUID
    tier_id: uuid.UUID
    now: datetime
    params: dict[str, Any]

    @classmethod
    def of(
        cls,
        tier: ClaimContext,
        *,
        user_id: uuid.UUID,
        now: datetime,
        shipping: ShippingAddress | None,
    ) -> "Grant":
        claim_id = uuid.uuid4()
        claimed = RewardClaimedV1(
            claim_id=claim_id,
            claim_number="C-000000",  # placeholders: the statement writes both
            user_id=user_id,
            tier_id=tier.id,
            tier_name=tier.name,
            kind=tier.kind,
            points=tier.points,
            claimed_at=now,
            stock_left=0,
        )
        low = RewardStockLowV1(
            tier_id=tier.id, tier_name=tier.name, stock=0, threshold=tier.low_stock_threshold
        )
        producer, correlation_id = OUTBOX.info["producer"], request_id_var.get()
        claimed_event = wrap(
            claimed, occurred_at=now, producer=producer, correlation_id=correlation_id
        )
        low_event = wrap(low, occurred_at=now, producer=producer, correlation_id=correlation_id)
        item = tier.kind == "item"
        address = shipping.model_dump() if item and shipping else {}
        credits = tier.kind == "points" and tier.points is not None
        params: dict[str, Any] = {
            "tier_id": tier.id,
            "claim_id": claim_id,
            "user_id": user_id,
            "now": now,
            "seq": tier.held + 1,
            # an item's journey starts: waiting for the address, or ready to ship
            "status": ("pending" if shipping else "awaiting_address") if item else None,
            **{field: address.get(field) for field in ADDRESS},
            "entry_id": uuid.uuid4(),
            "points": tier.points if credits else None,
            "reason": f"reward: {tier.name}",
            "expires_at": (
                expiry_of(now, tier.timezone, tier.points_expire_after_days) if credits else None
            ),
            "event_id": claimed_event.id,
            "event_type": claimed_event.type,
            "payload": json.dumps(claimed_event.model_dump(mode="json")),
            "low_event_id": low_event.id,
            "low_event_type": low_event.type,
            "low_payload": json.dumps(low_event.model_dump(mode="json")),
            "threshold": tier.low_stock_threshold,
            **hint_values(OUTBOX),
        }
        return cls(claim_id, tier.id, now, params)

    def created(self, number: int | None) -> ClaimCreated | None:
        """What the claim answers; None when no stock was left (nothing written)."""
        if number is None:
            return None
        return ClaimCreated(
            claim_id=self.claim_id,
            claim_number=claim_number(number),
            tier_id=self.tier_id,
            claimed_at=self.now,
        )


async def in_session(session: AsyncSession, grant: Grant) -> ClaimCreated | None:
    """The grant inside the session's transaction. A broken claim key leaves that
    transaction to be rolled back: the refusal the caller raises does it (the request's
    unit of work, or the savepoint the caller opened)."""
    await session.flush()
    try:
        row = (await session.execute(GRANT, grant.params)).one()
    except IntegrityError as exc:
        if CLAIM_KEY in str(exc.orig):
            raise AlreadyGranted from exc
        raise
    if row.number is not None:
        statement_in_session(session, OUTBOX, grant.params)
    return grant.created(row.number)


async def alone(connection: asyncpg.Connection, grant: Grant) -> ClaimCreated | None:
    """The grant as a statement of its own (its own transaction) on the pool's connection."""
    try:
        row = await GRANT_ALONE.fetchrow(connection, grant.params)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == CLAIM_KEY:
            raise AlreadyGranted from exc
        raise
    assert row is not None
    if row["number"] is not None:
        statement_committed(OUTBOX, grant.params)  # its own transaction: committed by now
    return grant.created(row["number"])
