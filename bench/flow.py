"""The event flow under load: how deep the consumers' queues got while a run went on,
and how long each check-in's event took to reach the reward service's projection (from
the outbox row's commit-time clock to the inbox row's, both PostgreSQL's `now()`), and
how much of that was spent waiting in the outbox (to `published_at`)."""

import asyncio
import contextlib
import statistics
import time
from typing import Any

import aio_pika
import asyncpg
from checkin_shared.events.topology import queue_names
from settle import CONSUMING_SERVICES


class QueueDepth:
    """The largest number of messages waiting in each consuming service's queue, read
    once a second while the run goes on."""

    def __init__(self, amqp_url: str, exchange: str) -> None:
        self.amqp_url = amqp_url
        self.queues = [queue_names(exchange, s).main for s in CONSUMING_SERVICES]
        self.largest = dict.fromkeys(self.queues, 0)

    async def run(self, stop: asyncio.Event) -> None:
        connection = await aio_pika.connect(self.amqp_url)
        async with connection:
            while not stop.is_set():
                for queue in self.queues:
                    with contextlib.suppress(Exception):
                        channel = await connection.channel()
                        declared = await channel.declare_queue(queue, passive=True)
                        waiting = declared.declaration_result.message_count or 0
                        self.largest[queue] = max(self.largest[queue], waiting)
                        await channel.close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 1.0)


ARRIVAL_WAIT_SECONDS = 30
LAG = """
SELECT count(*) AS written, count(i.event_id) AS arrived,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY published.ms) AS published_p99,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY lag.ms) AS p50,
       percentile_cont(0.99) WITHIN GROUP (ORDER BY lag.ms) AS p99,
       max(lag.ms) AS max
FROM attendance.outbox o
LEFT JOIN reward.inbox i ON i.event_id = o.id
CROSS JOIN LATERAL (
    SELECT 1000 * extract(epoch FROM i.received_at - o.created_at) AS ms
) AS lag
CROSS JOIN LATERAL (
    SELECT 1000 * extract(epoch FROM o.published_at - o.created_at) AS ms
) AS published
WHERE o.created_at >= $1 AND o.event_type = 'attendance.checked_in.v1'
"""


async def check_in_event_lag(database_url: str, since: Any) -> dict[str, float | int]:
    """Percentiles of (reward's inbox row) - (attendance's outbox row) for the check-ins
    written since `since`, in milliseconds; and how many arrived of how many written."""
    connection = await asyncpg.connect(database_url)
    deadline = time.monotonic() + ARRIVAL_WAIT_SECONDS
    try:
        while True:
            row = await connection.fetchrow(LAG, since)
            assert row is not None
            # A consumer may still hold the last few (unacked, not counted as queued by
            # `settle`): wait for them, so a late event is not reported as missing.
            if row["arrived"] >= row["written"] or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
    finally:
        await connection.close()
    return {
        "written": int(row["written"]),
        "arrived": int(row["arrived"]),
        "p50_ms": round(float(row["p50"] or 0), 1),
        "p99_ms": round(float(row["p99"] or 0), 1),
        "max_ms": round(float(row["max"] or 0), 1),
        "published_p99_ms": round(float(row["published_p99"] or 0), 1),
    }


async def claim_to_mail_legs(
    database_url: str, answered: dict[str, float], accepted: dict[str, float]
) -> dict[str, float | int]:
    """Where the time from a claim's answer to its mail's acceptance goes, the median of
    each leg in milliseconds: answered to its event published (reward's relay, after the
    commit), published to received (RabbitMQ and notification's consumer), received to
    sent (the notification queued, then notification's sender and the SMTP exchange) and
    sent to the file in the SMTP sink's Maildir. `answered` and `accepted` are the
    client's and the sink's times per recipient; the others PostgreSQL's `now()` (a
    transaction's start) and the sender's clock, all on this one machine."""
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            """
            SELECT n.recipient,
                   extract(epoch FROM o.published_at) AS published,
                   extract(epoch FROM i.received_at) AS received,
                   extract(epoch FROM n.sent_at) AS sent
            FROM notification.notification n
            JOIN reward.outbox o
              ON o.event_type = 'reward.claimed.v1'
             AND n.cause = 'claim:' || (o.payload->'data'->>'claim_id')
            JOIN notification.inbox i ON i.event_id = o.id
            WHERE n.channel = 'email' AND n.recipient = ANY($1::text[])
            """,
            list(answered),
        )
    finally:
        await connection.close()
    legs: dict[str, list[float]] = {"relay": [], "broker": [], "sender": [], "sink": []}
    for row in rows:
        recipient = row["recipient"]
        if recipient not in accepted or row["sent"] is None:
            continue
        published, received, sent = (float(row[k]) for k in ("published", "received", "sent"))
        legs["relay"].append(published - answered[recipient])
        legs["broker"].append(received - published)
        legs["sender"].append(sent - received)
        legs["sink"].append(accepted[recipient] - sent)
    medians: dict[str, float | int] = {"claims": len(legs["relay"])}
    for leg, times in legs.items():
        medians[f"{leg}_p50_ms"] = round(1000 * statistics.median(times), 1) if times else 0.0
    return medians
