"""The least a whole check-in can cost on this machine when it is built from the design's
parts with nothing of ours in it: what the system's CPU per check-in is measured against.

Six processes, each doing only what the design makes every check-in do:
- front (the gateway's part): uvicorn (uvloop, httptools), a bare ASGI app that verifies
  the RS256 access token with PyJWT and forwards the request over a keep-alive aiohttp
  pool;
- service (attendance's part): the same server and token check, then one statement on an
  asyncpg pool that inserts the (user, day) row under its unique key and the event's
  outbox row together, and a 201 or 409 in JSON;
- the relay, in the service's process (as ours is): woken by each insert, it lingers
  40 ms, then in one transaction deletes up to 500 outbox rows and publishes them
  persistent and mandatory with publisher confirms, awaited together;
- PostgreSQL and RabbitMQ (a topic exchange, two durable quorum queues);
- two consumers (reward's and notification's part): aio-pika, prefetch 32, decode the
  envelope, ack in runs of 16 (or when the queue goes quiet).

Left out, so this is a floor and not a rival: validation and problem+json answers,
eligibility and campaign rules, streaks, metrics, timeouts and rate limits, the
consumers' inbox and their own writes, tracing, logging.

`python checkin_floor.py consume URL QUEUE` is one consumer (a child); the apps are
`checkin_floor:front` and `checkin_floor:service` under uvicorn, set up by environment
(FLOOR_KEY, FLOOR_UPSTREAM, FLOOR_DATABASE, FLOOR_AMQP, FLOOR_EXCHANGE)."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aio_pika
import asyncpg
import floor_parts
import loads
from checkin_shared.events.envelope import Envelope
from floor_parts import Front, Scope, answer, public_key, stop_all, until_up, uvicorn

HERE = Path(__file__).resolve().parent
PORT = 18110
ROUTING_KEY = "attendance.checked_in.v1"
ZONE = ZoneInfo("Asia/Seoul")
LINGER_SECONDS = 0.04
RELAY_BATCH = 500
ACKS_AT_ONCE = 16

SET_UP = """
DROP SCHEMA IF EXISTS bench_floor CASCADE;
CREATE SCHEMA bench_floor;
CREATE TABLE bench_floor.check_in (
    user_id uuid NOT NULL, day date NOT NULL, checked_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, day));
CREATE TABLE bench_floor.outbox (id bigserial PRIMARY KEY, payload text NOT NULL);
"""
CHECK_IN = """
WITH row AS (
    INSERT INTO bench_floor.check_in (user_id, day, checked_at) VALUES ($1, $2, $3)
    ON CONFLICT DO NOTHING RETURNING 1),
event AS (INSERT INTO bench_floor.outbox (payload) SELECT $4 FROM row RETURNING 1)
SELECT count(*) FROM row
"""
TAKE_EVENTS = """
DELETE FROM bench_floor.outbox WHERE id IN (
    SELECT id FROM bench_floor.outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING payload
"""


class Service(floor_parts.FloorService):
    """Attendance's part: the token, one statement, the answer; and the relay."""

    cached = False  # every check-in is a new shopper's: a cache would only cost

    async def started(self) -> None:
        self.relay_connection = await asyncpg.connect(os.environ["FLOOR_DATABASE"])
        self.broker = await aio_pika.connect(os.environ["FLOOR_AMQP"])
        channel = await self.broker.channel(publisher_confirms=True, on_return_raises=True)
        self.exchange = await channel.get_exchange(os.environ["FLOOR_EXCHANGE"])
        self.pending = asyncio.Event()
        self.relay = asyncio.create_task(self.relay_forever())

    async def stopping(self) -> None:
        self.relay.cancel()
        await self.broker.close()
        await self.relay_connection.close()

    async def relay_forever(self) -> None:
        while True:
            await self.pending.wait()
            await asyncio.sleep(LINGER_SECONDS)
            self.pending.clear()
            while await self.publish_some() == RELAY_BATCH:
                pass

    async def publish_some(self) -> int:
        async with self.relay_connection.transaction():
            rows = await self.relay_connection.fetch(TAKE_EVENTS, RELAY_BATCH)
            messages = [
                aio_pika.Message(
                    row["payload"].encode(),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    content_type="application/json",
                )
                for row in rows
            ]
            await asyncio.gather(
                *(self.exchange.publish(m, ROUTING_KEY, mandatory=True) for m in messages)
            )
        return len(rows)

    async def handle(self, scope: Scope, subject: str, send: Any) -> None:
        user_id, now = uuid.UUID(subject), datetime.now(UTC)
        day = now.astimezone(ZONE).date()
        data = {"user_id": str(user_id), "day": day.isoformat(), "checked_at": now.isoformat()}
        event: dict[str, Any] = {"id": str(uuid.uuid4()), "type": ROUTING_KEY, "data": data}
        event |= {"occurred_at": now.isoformat(), "producer": "attendance"}
        event["correlation_id"] = uuid.uuid4().hex
        inserted = await self.pool.fetchval(CHECK_IN, user_id, day, now, json.dumps(event))
        if not inserted:
            return await answer(send, 409, b'{"code":"already_checked_in"}')
        self.pending.set()
        await answer(send, 201, json.dumps(data).encode())


front = Front()
service = Service()


async def consume(url: str, queue_name: str) -> None:
    """Decode and ack every event until SIGTERM; then print how many came."""
    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=32)
    queue = await channel.get_queue(queue_name)
    underlay = await channel.get_underlay_channel()
    unacked: list[int] = []
    acking: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()

    async def ack(tag: int) -> None:
        await underlay.basic_ack(tag, multiple=True)

    def ack_now() -> None:
        if unacked:
            task = loop.create_task(ack(unacked[-1]))
            acking.add(task)
            task.add_done_callback(acking.discard)
            unacked.clear()

    seen = 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal seen
        Envelope.model_validate_json(message.body)
        seen += 1
        assert message.delivery_tag is not None
        unacked.append(message.delivery_tag)
        if len(unacked) >= ACKS_AT_ONCE:
            ack_now()
        elif len(unacked) == 1:
            loop.call_later(0.01, ack_now)  # the queue went quiet: ack what came

    await queue.consume(on_message)
    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    print("ready", flush=True)
    await stopping.wait()
    ack_now()
    await asyncio.gather(*acking)
    await connection.close()
    print(json.dumps({"seen": seen}), flush=True)


async def _drained(
    database: asyncpg.Connection,
    queues: list[aio_pika.abc.AbstractQueue],
    consumers: list[subprocess.Popen[Any]],
) -> list[int]:
    """Each consumer's count of events, once the outbox and both queues are empty (at most
    30 s); the consumers are stopped to tell it."""
    for _ in range(300):
        left = await database.fetchval("SELECT count(*) FROM bench_floor.outbox")
        ready = [(await q.declare()).message_count for q in queues]
        if left == 0 and ready == [0, 0]:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # what a consumer holds in its prefetch
    counts = []
    for consumer in consumers:
        consumer.terminate()
        assert consumer.stdout is not None
        counts.append(int(json.loads(consumer.stdout.readline() or "{}").get("seen", -1)))
    return counts


async def checkin_floor(
    wrk_bin: str, database_url: str, amqp_url: str, key: Path, tokens: Path, seconds: int
) -> dict[str, Any]:
    """The floor's check-ins through its front for `seconds` at 32 connections, each a new
    shopper of `tokens`: the usual run result, and its CPU per check-in in each process."""
    exchange_name = f"checkin.bench.checkin-floor.{uuid.uuid4().hex[:8]}"
    database = await asyncpg.connect(database_url)
    await database.execute(SET_UP)
    broker = await aio_pika.connect(amqp_url)
    children: dict[str, subprocess.Popen[Any]] = {}
    channel = await broker.channel()
    exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC)
    queues: list[aio_pika.abc.AbstractQueue] = []
    try:
        for n in (1, 2):
            queue = await channel.declare_queue(
                f"{exchange_name}.{n}", durable=True, arguments={"x-queue-type": "quorum"}
            )
            await queue.bind(exchange, ROUTING_KEY)
            queues.append(queue)
        for n, queue in enumerate(queues, 1):
            argv = [sys.executable, __file__, "consume", amqp_url, queue.name]
            child = subprocess.Popen(argv, cwd=HERE, stdout=subprocess.PIPE, text=True)
            children[f"consumer {n}"] = child
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        env = {
            **os.environ,
            "FLOOR_KEY": str(public_key(key, key.parent / "floor-public.pem")),
            "FLOOR_DATABASE": database_url,
            "FLOOR_AMQP": amqp_url,
            "FLOOR_EXCHANGE": exchange_name,
            "FLOOR_UPSTREAM": f"http://127.0.0.1:{PORT + 1}",
        }
        children["service"] = uvicorn("checkin_floor:service", PORT + 1, env)
        children["front"] = uvicorn("checkin_floor:front", PORT, env)
        for port in (PORT + 1, PORT):
            await until_up(f"http://127.0.0.1:{port}/")
        result = await floor_parts.wrk_through_front(
            wrk_bin,
            PORT,
            children,
            method="POST",
            path="/attendance/check-ins",
            tokens=tokens,
            seconds=seconds,
        )
        created = result["statuses"].get("201", 0)
        # the check-ins in flight at wrk's deadline land after it (in well under a second):
        # counted before they did, their events came out as more than the rows
        await asyncio.sleep(1)
        seen = await _drained(database, queues, [children["consumer 1"], children["consumer 2"]])
        rows = await database.fetchval("SELECT count(*) FROM bench_floor.check_in")
        # wrk stops counting at its deadline: up to one answer per connection is not seen
        ok = 0 <= rows - created <= 32 and seen == [rows, rows] and not result["repeats"]
        detail = f"{rows:,} rows for {created:,} answers 201; events consumed {seen}"
        detail += loads.ran_out(result)
        result["check"] = {"ok": ok, "detail": detail}
        return result
    finally:
        stop_all(children)  # the front first, the consumers last
        for queue in queues:
            await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
        await broker.close()
        await database.execute("DROP SCHEMA IF EXISTS bench_floor CASCADE")
        await database.close()


if __name__ == "__main__" and sys.argv[1:2] == ["consume"]:
    asyncio.run(consume(sys.argv[2], sys.argv[3]))
