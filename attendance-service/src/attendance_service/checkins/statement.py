"""The check-in as one statement (the hot path): the row under the (user_id, day) key,
the shopper's runs of consecutive days with the new day in them (eligibility: the copy of
who may take part, and the eligibility rules of the campaign holding the day), and the
event in the outbox (with a NOTIFY only where no relay runs in this process:
`checkin_shared.events.wake`), all or nothing. Its text is a constant, so the driver
prepares it once per connection; it runs on the pool's connection itself, without a session
(checkin_shared.single_statement)."""

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg
from checkin_shared.events.contracts import AttendanceCheckedInV1
from checkin_shared.events.eligibility import eligible_sql
from checkin_shared.events.envelope import wrap
from checkin_shared.events.outbox import hint_values, statement_committed
from checkin_shared.request_id import request_id_var
from checkin_shared.single_statement import Statement
from sqlalchemy import text

from attendance_service.checkins.campaign_rules import unmet_rule_sql
from attendance_service.checkins.models import CheckIn
from attendance_service.checkins.streaks import Run
from attendance_service.db import ELIGIBILITY, OUTBOX, SCHEMA

CHECK_INS = f"{SCHEMA}.{CheckIn.__tablename__}"


# Table names are the code's own constants, never input; every value is a bound parameter.
def _check_in(rules: str) -> Statement:
    """The statement; `rules`: the SQL of the campaign rule not met (NULL: none apply)."""
    return Statement.of(
        text(
            f"""
WITH allowed AS (
    SELECT {eligible_sql(ELIGIBILITY)} AS eligible, {rules} AS unmet_rule
),
inserted AS (
    INSERT INTO {CHECK_INS} (id, user_id, day, checked_at)
    SELECT :id, :user_id, :day, :checked_at
    WHERE (SELECT eligible AND unmet_rule IS NULL FROM allowed)
    ON CONFLICT (user_id, day) DO NOTHING
    RETURNING day
),
days AS (
    -- the statement's snapshot does not see its own insert: add the new day by hand
    SELECT day FROM {CHECK_INS} WHERE user_id = :user_id
    UNION ALL SELECT day FROM inserted
),
runs AS (
    -- day - row_number() is constant within a run of consecutive days
    SELECT min(day) AS first, max(day) AS last, count(*)::int AS length
    FROM (SELECT day, day - (row_number() OVER (ORDER BY day))::int AS island FROM days) AS d
    GROUP BY island
),
event AS (
    INSERT INTO {OUTBOX.fullname} (id, event_type, payload)
    SELECT :event_id, :event_type, jsonb_set(
        CAST(CAST(:payload AS text) AS jsonb),
        '{{data,total_days}}',
        to_jsonb((SELECT sum(length) FROM runs)::int)
    )
    WHERE EXISTS (SELECT FROM inserted)
    RETURNING CASE WHEN CAST(:notify AS boolean) THEN pg_notify(:channel, '') END
)
SELECT (SELECT eligible FROM allowed) AS eligible,
       (SELECT unmet_rule FROM allowed) AS unmet_rule,
       (SELECT count(*) FROM inserted)::int AS inserted,
       (SELECT count(*) FROM event)::int AS announced,
       array_agg(first ORDER BY first) AS firsts,
       array_agg(last ORDER BY first) AS lasts,
       array_agg(length ORDER BY first) AS lengths
FROM runs
"""  # noqa: S608
        )
    )


CHECK_IN = _check_in("CAST(NULL AS text)")
CHECK_IN_UNDER_RULES = _check_in(unmet_rule_sql())


@dataclass(frozen=True)
class CheckInOutcome:
    eligible: bool
    unmet_rule: str | None  # the campaign's eligibility rule the shopper does not meet
    inserted: bool
    runs: list[Run]


async def insert_check_in(
    connection: asyncpg.Connection,
    *,
    user_id: uuid.UUID,
    token_eligible: bool,
    day: date,
    now: datetime,
    under_rules: bool,
) -> CheckInOutcome:
    """One round trip. Nothing is written when the shopper may not check in (`eligible`
    False: the service's copy says so, or has not heard of them and the token says so) or
    when that day was checked in already (`inserted` False)."""
    # total_days is a placeholder here: the statement writes the real count.
    data = AttendanceCheckedInV1(user_id=user_id, day=day, checked_at=now, total_days=1)
    envelope = wrap(
        data,
        occurred_at=now,
        producer=OUTBOX.info["producer"],
        correlation_id=request_id_var.get(),
    )
    statement = CHECK_IN_UNDER_RULES if under_rules else CHECK_IN
    values = {
        "id": uuid.uuid4(),
        "user_id": user_id,
        "token_eligible": token_eligible,
        "day": day,
        "checked_at": now,
        "event_id": envelope.id,
        "event_type": envelope.type,
        "payload": json.dumps(envelope.model_dump(mode="json")),
        **hint_values(OUTBOX),
    }
    row = await statement.fetchrow(connection, values)
    assert row is not None  # an aggregate over runs: always one row
    if row["announced"]:
        statement_committed(OUTBOX, values)  # its own transaction: committed by now
    runs = [
        Run(first, last, length)
        for first, last, length in zip(
            row["firsts"] or [], row["lasts"] or [], row["lengths"] or [], strict=True
        )
    ]
    return CheckInOutcome(
        eligible=bool(row["eligible"]),
        unmet_rule=row["unmet_rule"],
        inserted=row["inserted"] == 1,
        runs=runs,
    )
