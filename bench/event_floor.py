"""The least one event can cost on this machine with the design's use of RabbitMQ and
nothing else of ours: a persistent, mandatory message with publisher confirms (64 awaited
together, as the relay does) into a topic exchange bound to two durable quorum queues, each
consumed by its own Python process (aio-pika, prefetch 32) that decodes the envelope and
acks (one ack of many per 16, as a consumer acks a batch). Every check-in is one such
event, consumed by reward and notification; this run says what that part of the cost
model would be if everything else were free.

`python event_floor.py consume URL QUEUE N` is one of the two consumers (a child)."""

import asyncio
import json
import subprocess
import sys
import time
import uuid
from typing import Any

import aio_pika
from checkin_shared.events.envelope import Envelope
from probes import cpu_seconds, pids_named

ROUTING_KEY = "attendance.checked_in.v1"
CONFIRMS_AT_ONCE = 64
ACKS_AT_ONCE = 16


def _envelope() -> bytes:
    """An envelope shaped like a check-in's (its size and fields)."""
    at = "2026-11-30T09:12:03.120000+00:00"
    data: dict[str, Any] = {"user_id": str(uuid.uuid4()), "day": "2026-11-30", "checked_at": at}
    data |= {"total_days": 6, "current_streak": 3}
    envelope: dict[str, Any] = {"id": str(uuid.uuid4()), "type": ROUTING_KEY, "occurred_at": at}
    envelope |= {"producer": "attendance", "correlation_id": uuid.uuid4().hex, "data": data}
    return json.dumps(envelope).encode()


async def consume(url: str, queue_name: str, messages: int) -> None:
    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=32)
    queue = await channel.get_queue(queue_name)
    done = asyncio.Event()
    seen = 0
    started = 0.0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal seen, started
        if not seen:
            started = time.process_time()
        Envelope.model_validate_json(message.body)
        seen += 1
        if seen % ACKS_AT_ONCE == 0 or seen >= messages:  # in runs, as the consumers ack
            assert message.delivery_tag is not None
            await message.channel.basic_ack(message.delivery_tag, multiple=True)
        if seen >= messages:
            done.set()

    await queue.consume(on_message)
    print("ready", flush=True)
    await asyncio.wait_for(done.wait(), 300)
    print(json.dumps({"cpu_seconds": time.process_time() - started}), flush=True)
    await connection.close()


def _cpu_of(pids: list[int]) -> float:
    return sum(s for pid in pids if (s := cpu_seconds(pid)) is not None)


async def event_floor(url: str, messages: int) -> dict[str, Any]:
    """CPU ms per event of the publisher, RabbitMQ and each consumer (the `cost model` shape
    of a run's result)."""
    name = f"checkin.bench.floor.{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect(url)
    children: list[subprocess.Popen[str]] = []
    try:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC)
        queues = []
        for consumer in ("reward", "notification"):
            queue = await channel.declare_queue(
                f"{name}.{consumer}", durable=True, arguments={"x-queue-type": "quorum"}
            )
            await queue.bind(exchange, ROUTING_KEY)
            queues.append(queue)
        for queue in queues:
            argv = [sys.executable, __file__, "consume", url, queue.name, str(messages)]
            children.append(subprocess.Popen(argv, stdout=subprocess.PIPE, text=True))
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        broker = pids_named("beam.smp")
        broker_before, own_before = _cpu_of(broker), time.process_time()
        started = time.perf_counter()
        for first in range(0, messages, CONFIRMS_AT_ONCE):
            batch = [
                aio_pika.Message(
                    _envelope(),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    content_type="application/json",
                    message_id=str(uuid.uuid4()),
                )
                for _ in range(min(CONFIRMS_AT_ONCE, messages - first))
            ]
            await asyncio.gather(
                *(exchange.publish(m, routing_key=ROUTING_KEY, mandatory=True) for m in batch)
            )
        publisher = time.process_time() - own_before
        consumed = [
            json.loads(child.stdout.readline())["cpu_seconds"]
            for child in children
            if child.stdout is not None
        ]
        wall = time.perf_counter() - started
        broker_seconds = _cpu_of(broker) - broker_before
        for queue in queues:
            await queue.delete(if_unused=False, if_empty=False)
        await exchange.delete()
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
            child.wait(10)
        await connection.close()
    seconds = {
        "publisher": publisher,
        "rabbitmq": broker_seconds,
        "consumer 1": consumed[0],
        "consumer 2": consumed[1],
    }
    per_event = {k: round(1000 * v / messages, 3) for k, v in seconds.items()}
    return {
        "rps": messages / wall,
        "latency_us": {},
        "statuses": {},
        "cpu_percent": {k: 100 * v / wall for k, v in seconds.items()},
        "cpu_ms_per_request": per_event,
        "system_cpu_ms_per_request": round(sum(per_event.values()), 2),
        "rss_mib": {},
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["consume"]:
        asyncio.run(consume(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    else:
        print(asyncio.run(event_floor(sys.argv[1], int(sys.argv[2]))))
