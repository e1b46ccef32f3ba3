"""List or replay a service's parked messages.

    python -m checkin_shared.events.parking list   --service notification
    python -m checkin_shared.events.parking replay --service notification [--limit N]

Broker and exchange come from AMQP_URL and EVENTS_EXCHANGE (or --amqp-url, --exchange).
Replay puts each message back on the service's queue with its attempts reset.
"""

import argparse
import asyncio
import json
import os
import sys
from dataclasses import asdict, dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from checkin_shared.events.topology import queue_names

DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


@dataclass(frozen=True)
class ParkedMessage:
    message_id: str | None
    type: str | None
    reason: str
    attempts: int


def describe(message: AbstractIncomingMessage) -> ParkedMessage:
    headers: dict[str, Any] = dict(message.headers or {})
    return ParkedMessage(
        message.message_id,
        message.type,
        str(headers.get("x-parked-reason", "")),
        attempts if isinstance(attempts := headers.get("x-attempts"), int) else 0,
    )


async def list_parked(
    url: str, exchange: str, service: str, limit: int = 1000
) -> list[ParkedMessage]:
    """Look without taking: every message read is put back."""
    names = queue_names(exchange, service)
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(names.parked)
        held: list[AbstractIncomingMessage] = []
        while len(held) < limit:
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            held.append(message)
        found = [describe(m) for m in held]
        for message in held:
            await message.nack(requeue=True)
    return found


async def replay_parked(url: str, exchange: str, service: str, limit: int = 1000) -> int:
    """Move parked messages back to the service's queue, attempts reset; returns how many."""
    names = queue_names(exchange, service)
    moved = 0
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.get_queue(names.parked)
        while moved < limit:
            message = await queue.get(fail=False, no_ack=False)
            if message is None:
                break
            headers = {
                k: v
                for k, v in (message.headers or {}).items()
                if k not in ("x-attempts", "x-parked-reason", "x-last-error")
            }
            headers["x-replayed"] = True
            copy = aio_pika.Message(
                message.body,
                headers=headers,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message.message_id,
                type=message.type,
                content_type=message.content_type,
                correlation_id=message.correlation_id,
            )
            await channel.default_exchange.publish(copy, routing_key=names.main, timeout=10)
            await message.ack()
            moved += 1
    return moved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("--service", required=True)
    parser.add_argument("--amqp-url", default=os.environ.get("AMQP_URL", DEFAULT_AMQP))
    parser.add_argument("--exchange", default=os.environ.get("EVENTS_EXCHANGE", "checkin.events"))
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    if args.command == "list":
        parked = asyncio.run(list_parked(args.amqp_url, args.exchange, args.service, args.limit))
        for item in parked:
            print(json.dumps(asdict(item)))
        print(
            f"{len(parked)} parked message(s) in {queue_names(args.exchange, args.service).parked}"
        )
    else:
        moved = asyncio.run(replay_parked(args.amqp_url, args.exchange, args.service, args.limit))
        print(f"replayed {moved} message(s) to {queue_names(args.exchange, args.service).main}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
