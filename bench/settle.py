"""Between runs, wait until the events of the last one are through: every outbox
published and every consuming service's queue empty, so a run does not pay for the
previous run's backlog."""

import asyncio
import time

import aio_pika
import asyncpg
from checkin_shared.events.topology import queue_names

OUTBOX_SCHEMAS = ("auth", "attendance", "reward", "notification")
CONSUMING_SERVICES = ("reward", "notification")


async def backlog(database_url: str, amqp_url: str, exchange: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        pending = 0
        for schema in OUTBOX_SCHEMAS:
            exists = await connection.fetchval("SELECT to_regclass($1)", f"{schema}.outbox")
            if exists:
                pending += await connection.fetchval(
                    f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL"  # noqa: S608
                )
    finally:
        await connection.close()
    broker = await aio_pika.connect(amqp_url)
    async with broker:
        channel = await broker.channel()
        for service in CONSUMING_SERVICES:
            queue = await channel.declare_queue(queue_names(exchange, service).main, passive=True)
            pending += queue.declaration_result.message_count or 0
    return pending


async def settle(database_url: str, amqp_url: str, exchange: str, *, within: float = 300) -> float:
    """Seconds it took for the backlog to drain."""
    started = time.monotonic()
    while await backlog(database_url, amqp_url, exchange):
        if time.monotonic() - started > within:
            raise SystemExit(f"events still pending after {within:g} s")
        await asyncio.sleep(1)
    return time.monotonic() - started
