"""The event flow under load: how deep the consumers' queues got while a run went on,
and how long each check-in's event took to reach the reward service's projection (from
the outbox row's commit-time clock to the inbox row's, both PostgreSQL's `now()`), and
how much of that was spent waiting in the outbox (to `published_at`)."""

import asyncio
import contextlib
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


async def check_in_event_lag(database_url: str, since: Any) -> dict[str, float | int]:
    """Percentiles of (reward's inbox row) - (attendance's outbox row) for the check-ins
    written since `since`, in milliseconds; and how many arrived of how many written."""
    connection = await asyncpg.connect(database_url)
    try:
        row = await connection.fetchrow(
            """
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
            """,
            since,
        )
    finally:
        await connection.close()
    assert row is not None
    return {
        "written": int(row["written"]),
        "arrived": int(row["arrived"]),
        "p50_ms": round(float(row["p50"] or 0), 1),
        "p99_ms": round(float(row["p99"] or 0), 1),
        "max_ms": round(float(row["max"] or 0), 1),
        "published_p99_ms": round(float(row["published_p99"] or 0), 1),
    }


async def claim_to_mail_legs(database_url: str, tier_id: str) -> dict[str, float | int]:
    """Where a claim's way to its mail spends its time, p50 of each leg in milliseconds:
    the claim's clock to its event published (reward's relay), published to received
    (RabbitMQ and notification's consumer), and received to sent (the notification queued,
    notification's sender and the SMTP exchange). The claim's and the sending's times are
    the services' clocks, the others PostgreSQL's `now()` (a transaction's start), all on
    this one machine."""
    connection = await asyncpg.connect(database_url)
    try:
        row = await connection.fetchrow(
            """
            WITH legs AS (
                SELECT 1000 * extract(epoch FROM o.published_at - c.claimed_at) AS relay,
                       1000 * extract(epoch FROM i.received_at - o.published_at) AS broker,
                       1000 * extract(epoch FROM n.sent_at - i.received_at) AS sender
                FROM reward.claim c
                JOIN reward.outbox o
                  ON o.event_type = 'reward.claimed.v1'
                 AND o.payload->'data'->>'claim_id' = c.id::text
                JOIN notification.inbox i ON i.event_id = o.id
                JOIN notification.notification n
                  ON n.cause = 'claim:' || c.id AND n.channel = 'email'
                WHERE c.tier_id = $1::uuid
            )
            SELECT count(*) AS claims,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY relay) AS relay,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY broker) AS broker,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY sender) AS sender
            FROM legs
            """,
            tier_id,
        )
    finally:
        await connection.close()
    assert row is not None
    legs: dict[str, float | int] = {"claims": int(row["claims"])}
    for leg in ("relay", "broker", "sender"):
        legs[f"{leg}_p50_ms"] = round(float(row[leg] or 0), 1)
    return legs
