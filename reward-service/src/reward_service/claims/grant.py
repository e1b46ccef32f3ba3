"""Grants in one statement: one or more claims of one tier, each with its unit of stock, its
claim row, its fulfilment (an item) or its ledger entry (points) and its `reward.claimed`
event (its claim number and `stock_left` filled in by the statement), and, when the stock
crosses the tier's threshold, one `reward.stock_low` event.

The tier's row is locked first (`SELECT ... FOR UPDATE`), then one conditional UPDATE takes
as many units as there are claims and stock left (`WHERE stock > 0`, never below zero). Its
`RETURNING` has only the stock after; the lock's read gives the stock before, and the units
taken are their difference. Both are the row's latest version: the lock waits for any grant
before it and reads what that left, and the UPDATE, whose snapshot may predate that grant,
re-checks and computes on the latest version (READ COMMITTED's rule for a row updated
since), which nobody else can change while the lock is held. (A condition comparing the two
would be checked against the snapshot's older version and skip the row: a claim that waited
would be refused with stock left.) The first claims in line get those units, and everything
else is written only from what it returned, so nothing is written for a claim that got none.
The claim row is a plain INSERT: a second claim under the same key (the same claim at the
same moment) breaks the unique key and the whole statement is undone, its units of stock
with it (`already_claimed`; `grant_lines.py` then grants a group's claims one at a time to
tell which). So the statement is safe on its own, without BEGIN/COMMIT (claims without an
Idempotency-Key on a tier without a daily limit: one round trip for a whole group), and
inside a transaction or savepoint (the other claims, one at a time). The tier's row is
locked from the statement's start to its end (alone) or the COMMIT: the fewer statements,
the fewer hand-overs of that lock."""

import json
import uuid
from collections.abc import Sequence
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
PER_CLAIM = (  # (array parameter, its element type, column name in `wanted`)
    ("claim_ids", "uuid", "claim_id"),
    ("user_ids", "uuid", "user_id"),
    ("claimed_ats", "timestamptz", "claimed_at"),
    ("seqs", "integer", "seq"),
    ("statuses", "varchar", "status"),
    *((f"{field}s", "varchar", field) for field in ADDRESS),
    ("entry_ids", "uuid", "entry_id"),
    ("expires_ats", "timestamptz", "expires_at"),
    ("event_ids", "uuid", "event_id"),
    ("payloads", "text", "payload"),
)
WANTED = ", ".join(f"CAST(:{array} AS {kind}[])" for array, kind, _ in PER_CLAIM)
COLUMNS = ", ".join(column for _, _, column in PER_CLAIM)
GRANT = text(
    f"""
WITH wanted AS (
    SELECT * FROM unnest({WANTED}) WITH ORDINALITY AS w({COLUMNS}, n)
),
locked AS (
    SELECT stock FROM {SCHEMA}.{Tier.__tablename__} WHERE id = :tier_id FOR UPDATE
),
taken AS (
    UPDATE {SCHEMA}.{Tier.__tablename__} AS t
    SET stock = t.stock - least(t.stock, CAST(:count AS integer))
    FROM locked
    WHERE t.id = :tier_id AND t.stock > 0
    RETURNING locked.stock AS before, t.stock AS after
),
granted AS (
    SELECT w.*, taken.before - w.n AS stock_left
    FROM wanted AS w, taken
    WHERE w.n <= taken.before - taken.after
),
claimed AS (
    INSERT INTO {SCHEMA}.{Claim.__tablename__} (id, user_id, tier_id, claimed_at, seq)
    SELECT claim_id, user_id, :tier_id, claimed_at, seq FROM granted ORDER BY n
    RETURNING id, number,
              'C-' || lpad(number::text, greatest(6, length(number::text)), '0') AS shown
),
fulfilment AS (
    INSERT INTO {SCHEMA}.{Fulfilment.__tablename__}
        (claim_id, status, updated_at, {", ".join(ADDRESS)})
    SELECT g.claim_id, g.status, g.claimed_at, {", ".join(f"g.{field}" for field in ADDRESS)}
    FROM granted AS g JOIN claimed AS c ON c.id = g.claim_id
    WHERE g.status IS NOT NULL
),
ledger AS (
    INSERT INTO {SCHEMA}.{PointsEntry.__tablename__}
        (id, user_id, amount, reason, claim_id, created_at, expires_at)
    SELECT g.entry_id, g.user_id, CAST(:points AS integer), :reason, g.claim_id,
           g.claimed_at, g.expires_at
    FROM granted AS g JOIN claimed AS c ON c.id = g.claim_id
    WHERE CAST(:points AS integer) IS NOT NULL
),
event AS (
    INSERT INTO {OUTBOX.fullname} (id, event_type, payload)
    SELECT g.event_id, :event_type,
           jsonb_set(
               jsonb_set(CAST(g.payload AS jsonb), '{{data,stock_left}}',
                         to_jsonb(g.stock_left)),
               '{{data,claim_number}}', to_jsonb(c.shown))
    FROM granted AS g JOIN claimed AS c ON c.id = g.claim_id
    RETURNING CASE WHEN CAST(:notify AS boolean) THEN pg_notify(:channel, '') END
),
low AS (
    INSERT INTO {OUTBOX.fullname} (id, event_type, payload)
    SELECT :low_event_id, :low_event_type,
           jsonb_set(CAST(CAST(:low_payload AS text) AS jsonb), '{{data,stock}}',
                     to_jsonb(taken.after))
    FROM taken
    WHERE taken.before > CAST(:threshold AS integer)
      AND CAST(:threshold AS integer) >= taken.after
    RETURNING CASE WHEN CAST(:notify AS boolean) THEN pg_notify(:channel, '') END
)
SELECT id AS claim_id, number FROM claimed
"""  # noqa: S608
)
GRANT_ALONE = Statement.of(GRANT)


class AlreadyGranted(Exception):
    """A claim key was taken by another request at the same moment: nothing written."""


@dataclass(frozen=True)
class Grant:
    """One claim's values for the statement (`claim`: one element of each array in
    `PER_CLAIM`; `tier`: the values every claim of its tier shares), and what it answers."""

    claim_id: uuid.UUID
    tier_id: uuid.UUID
    now: datetime
    claim: dict[str, Any]
    tier: dict[str, Any]

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
        claim: dict[str, Any] = {
            "claim_id": claim_id,
            "user_id": user_id,
            "claimed_at": now,
            "seq": tier.held + 1,
            # an item's journey starts: waiting for the address, or ready to ship
            "status": ("pending" if shipping else "awaiting_address") if item else None,
            **{field: address.get(field) for field in ADDRESS},
            "entry_id": uuid.uuid4(),
            "expires_at": (
                expiry_of(now, tier.timezone, tier.points_expire_after_days) if credits else None
            ),
            "event_id": claimed_event.id,
            "payload": json.dumps(claimed_event.model_dump(mode="json")),
        }
        shared: dict[str, Any] = {
            "tier_id": tier.id,
            "points": tier.points if credits else None,
            "reason": f"reward: {tier.name}",
            "event_type": claimed_event.type,
            "low_event_id": low_event.id,
            "low_event_type": low_event.type,
            "low_payload": json.dumps(low_event.model_dump(mode="json")),
            "threshold": tier.low_stock_threshold,
            **hint_values(OUTBOX),
        }
        return cls(claim_id, tier.id, now, claim, shared)

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


def values_of(grants: Sequence[Grant]) -> dict[str, Any]:
    """The statement's values for these claims of one tier, granted in this order while
    stock lasts (the tier's shared values are the first claim's)."""
    assert grants and all(g.tier_id == grants[0].tier_id for g in grants)
    return {
        **grants[0].tier,
        "count": len(grants),
        **{array: [g.claim[column] for g in grants] for array, _, column in PER_CLAIM},
    }


async def in_session(session: AsyncSession, grant: Grant) -> ClaimCreated | None:
    """The grant inside the session's transaction. A broken claim key leaves that
    transaction to be rolled back: the refusal the caller raises does it (the request's
    unit of work, or the savepoint the caller opened)."""
    await session.flush()
    values = values_of([grant])
    try:
        rows = (await session.execute(GRANT, values)).all()
    except IntegrityError as exc:
        if CLAIM_KEY in str(exc.orig):
            raise AlreadyGranted from exc
        raise
    if rows:
        statement_in_session(session, OUTBOX, values)
    return grant.created(rows[0].number if rows else None)


async def together(connection: asyncpg.Connection, grants: Sequence[Grant]) -> dict[uuid.UUID, int]:
    """The grants as one statement of its own (its own transaction) on the pool's
    connection: the claim number of each claim that got a unit of stock, by claim id
    (the others got none: the stock was gone). AlreadyGranted when any of them broke a
    claim key; then nothing was written."""
    values = values_of(grants)
    try:
        rows = await GRANT_ALONE.fetch(connection, values)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == CLAIM_KEY:
            raise AlreadyGranted from exc
        raise
    if rows:
        statement_committed(OUTBOX, values)  # its own transaction: committed by now
    return {row["claim_id"]: row["number"] for row in rows}
