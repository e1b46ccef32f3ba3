"""The inbox consumer of one service.

Effects and the inbox row commit together, then the message is acked; deliveries that
wait together share one transaction (a group commit), and a failing batch falls back to
one delivery at a time. A failing handler
is retried through the retry queue (a delay, a bounded number of times), then parked; an
undecodable message is parked at once. A message is acked only once its effects are
committed or a copy of it is confirmed in the retry or parking queue.

It keeps its own connection loop rather than relying on aio-pika's robust objects (whose
consumers are known not to come back after some reconnections): on every (re)connect it
declares the topology and starts consuming from scratch.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from pydantic import BaseModel, ValidationError
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from checkin_shared.events.acks import ChannelAcks
from checkin_shared.events.contracts import CONTRACTS
from checkin_shared.events.envelope import Envelope
from checkin_shared.events.inbox import first_deliveries
from checkin_shared.events.metrics import EVENTS_CONSUMED
from checkin_shared.events.queue_watch import QueueWatch
from checkin_shared.events.topology import (
    QueueNames,
    declare_exchange,
    declare_service_queues,
    queue_names,
)
from checkin_shared.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
Handler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]
ManyHandler = Callable[[AsyncSession, list[tuple[Envelope, Any]]], Awaitable[None]]


@dataclass(frozen=True)
class Batched:
    """A handler that takes a run of deliveries of its type at once (one statement for
    all of them, where per-delivery statements would cost a round trip each)."""

    handle_many: ManyHandler


ATTEMPTS = "x-attempts"


@dataclass
class Delivery:
    message: AbstractIncomingMessage
    envelope: Envelope
    data: BaseModel
    due: float = 0.0  # the loop's time by which its batch is handled (arrival + linger)
    first: bool = False
    done: bool = False


class InboxConsumer:
    def __init__(
        self,
        *,
        service: str,
        url: str,
        exchange: str,
        inbox: Table,
        session_factory: async_sessionmaker[AsyncSession],
        handlers: Mapping[str, Handler | Batched],
        prefetch: int = 32,
        max_attempts: int = 5,
        retry_delay_ms: int = 1000,
        watch_seconds: float = 15.0,
        batch_size: int = 64,
        linger_seconds: float = 0.0,
        linger_by_type: Mapping[str, float] | None = None,
        on_committed: Callable[[AsyncSession], None] | None = None,
    ) -> None:
        """`handlers` declare what this consumer binds: its queue gets exactly their types.
        Its own queues are watched as metrics every `watch_seconds`. Deliveries waiting
        together are handled in one transaction (at most `batch_size`): a batch is handled
        once it is full or once the earliest of its deliveries has waited its linger
        (`linger_by_type` for the types named there, `linger_seconds` for the others), so
        events nobody waits on (check-ins) can wait longer to make larger batches than a
        claim, whose mail is awaited; `on_committed` is called with the batch's
        session after each commit (the notification sender wakes on it when the batch
        queued notifications)."""
        unknown = set(handlers) - set(CONTRACTS)
        if unknown:
            raise ValueError(f"handlers for unknown event types: {sorted(unknown)}")
        self.service = service
        self.url = url
        self.exchange_name = exchange
        self.inbox = inbox
        self.factory = session_factory
        self.handlers = handlers
        self.prefetch = prefetch
        self.max_attempts = max_attempts
        self.retry_delay_ms = retry_delay_ms
        self.batch_size = batch_size
        self.linger = linger_seconds
        self.linger_by_type = dict(linger_by_type or {})
        self.on_committed = on_committed
        self._waiting: list[Delivery] = []
        self._arrived = asyncio.Event()
        self._acks: dict[int, ChannelAcks] = {}  # by channel (this connection's one)
        self._one_batch_at_a_time = asyncio.Lock()
        self.connected = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._channel: AbstractChannel | None = None
        self._names: QueueNames | None = None
        names = queue_names(exchange, service)
        self.watch = QueueWatch(url, [names.main, names.parked], watch_seconds)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name=f"consumer-{self.service}")
        self.watch.start()

    async def stop(self) -> None:
        self._stopping.set()
        await self.watch.stop()
        if self._task:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, 10)

    async def _supervise(self) -> None:
        backoff = 0.25
        while not self._stopping.is_set():
            try:
                await self._consume_until_closed()
                backoff = 0.25
            except Exception as exc:  # any failure: reconnect from scratch
                log.warning("consumer %s: %s; reconnecting in %.2fs", self.service, exc, backoff)
            self.connected.clear()
            if self._stopping.is_set():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), backoff)
            backoff = min(backoff * 2, 10.0)

    async def _consume_until_closed(self) -> None:
        connection = await aio_pika.connect(self.url, timeout=10)
        self._acks = {}
        closed = asyncio.Event()
        connection.close_callbacks.add(lambda *_: closed.set())
        try:
            channel = await connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=self.prefetch)
            exchange = await declare_exchange(channel, self.exchange_name)
            names = await declare_service_queues(
                channel, exchange, self.service, sorted(self.handlers), self.retry_delay_ms
            )
            self._channel, self._names = channel, names
            queue = await channel.get_queue(names.main, ensure=False)
            tag = await queue.consume(self._on_message)
            self.connected.set()
            log.info("consumer %s: consuming %s", self.service, names.main)
            stop = asyncio.create_task(self._stopping.wait())
            lost = asyncio.create_task(closed.wait())
            await asyncio.wait({stop, lost}, return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
            lost.cancel()
            if self._stopping.is_set():
                with contextlib.suppress(Exception):
                    await queue.cancel(tag)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 5)

    def _acks_of(self, message: AbstractIncomingMessage) -> ChannelAcks:
        channel = message.channel  # raises if closed: its deliveries come again
        acks = self._acks.get(id(channel))
        if acks is None or acks.channel is not channel:
            acks = self._acks[id(channel)] = ChannelAcks(channel)
        return acks

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        assert message.delivery_tag is not None
        self._acks_of(message).received(message.delivery_tag)
        try:
            envelope = Envelope.model_validate_json(message.body)
            contract = CONTRACTS[envelope.type]
            data: BaseModel = contract.model_validate(envelope.data)
        except (ValidationError, KeyError, ValueError) as exc:
            await self._park(message, f"undecodable: {type(exc).__name__}: {exc}"[:500])
            return
        if envelope.type not in self.handlers:
            await self._park(message, f"no handler for {envelope.type} in {self.service}")
            return
        linger = self.linger_by_type.get(envelope.type, self.linger)
        due = asyncio.get_running_loop().time() + linger
        delivery = Delivery(message, envelope, data, due)
        self._waiting.append(delivery)
        self._arrived.set()
        # Group commit: whoever holds the lock handles every delivery waiting by then (up
        # to `batch_size`) in one transaction; the others find theirs done.
        async with self._one_batch_at_a_time:
            if not delivery.done:
                await self._until_batch_due()
                batch = self._waiting[: self.batch_size]
                del self._waiting[: self.batch_size]
                await self._handle(batch)

    async def _until_batch_due(self) -> None:
        """Lets the next deliveries join: returns when `batch_size` are waiting or when the
        earliest due of the waiting ones has come (a new arrival may bring it closer)."""
        loop = asyncio.get_running_loop()
        while self._waiting and len(self._waiting) < self.batch_size:
            remaining = min(d.due for d in self._waiting) - loop.time()
            if remaining <= 0:
                return
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), remaining)

    async def _handle(self, batch: list["Delivery"]) -> None:
        """Effects and inbox rows of the whole batch commit together, then the messages are
        acked (in runs: see `acks.py`). If the batch fails, each delivery is handled alone,
        so only the failing one is retried or parked."""
        try:
            async with unit_of_work(self.factory) as session:
                firsts = await first_deliveries(session, self.inbox, [d.envelope for d in batch])
                for delivery in batch:
                    delivery.first = delivery.envelope.id in firsts
                    firsts.discard(delivery.envelope.id)  # a duplicate inside the batch
                await self._apply(session, [d for d in batch if d.first])
        except Exception as exc:
            if len(batch) > 1:
                for delivery in batch:
                    try:
                        await self._handle([delivery])
                    except Exception:  # its copy could not be forwarded: requeued instead
                        log.exception("consumer %s: could not retry or park", self.service)
                return
            [delivery] = batch
            delivery.done = True
            envelope = delivery.envelope
            log.warning(
                "consumer %s: %s %s failed: %r", self.service, envelope.type, envelope.id, exc
            )
            await self._retry_or_park(delivery.message, envelope.type, exc)
            return
        for delivery in batch:
            delivery.done = True
        await self._ack([delivery.message for delivery in batch])
        for delivery in batch:
            outcome = "handled" if delivery.first else "duplicate"
            EVENTS_CONSUMED.labels(self.service, delivery.envelope.type, outcome).inc()
        if self.on_committed is not None:
            self.on_committed(session)

    async def _apply(self, session: AsyncSession, deliveries: list[Delivery]) -> None:
        """Each delivery's handler, in delivery order; consecutive deliveries of a type
        whose handler is `Batched` go to it together."""
        index = 0
        while index < len(deliveries):
            event_type = deliveries[index].envelope.type
            handler = self.handlers[event_type]
            if isinstance(handler, Batched):
                run_end = index
                while run_end < len(deliveries) and deliveries[run_end].envelope.type == event_type:
                    run_end += 1
                run = deliveries[index:run_end]
                await handler.handle_many(session, [(d.envelope, d.data) for d in run])
                index = run_end
            else:
                await handler(session, deliveries[index].envelope, deliveries[index].data)
                index += 1

    async def _ack(self, messages: list[AbstractIncomingMessage]) -> None:
        """Settles these messages: one ack of many for each channel (one, but for a
        reconnect meanwhile: then the old channel's ack fails and they come again)."""
        runs: dict[int, tuple[ChannelAcks, list[int]]] = {}
        for message in messages:
            assert message.delivery_tag is not None
            acks = self._acks_of(message)
            runs.setdefault(id(acks), (acks, []))[1].append(message.delivery_tag)
        for acks, tags in runs.values():
            await acks.ack(tags)

    async def _retry_or_park(
        self, message: AbstractIncomingMessage, event_type: str, exc: Exception
    ) -> None:
        previous = (message.headers or {}).get(ATTEMPTS, 0)
        attempts = (previous if isinstance(previous, int) else 0) + 1
        reason = f"{type(exc).__name__}: {exc}"[:500]
        if attempts >= self.max_attempts:
            await self._park(message, reason, attempts=attempts, event_type=event_type)
            return
        assert self._names is not None
        await self._forward(
            message, self._names.retry, {ATTEMPTS: attempts, "x-last-error": reason}
        )
        EVENTS_CONSUMED.labels(self.service, event_type, "retried").inc()

    async def _park(
        self,
        message: AbstractIncomingMessage,
        reason: str,
        *,
        attempts: int | None = None,
        event_type: str = "undecodable",
    ) -> None:
        assert self._names is not None
        headers: dict[str, Any] = {"x-parked-reason": reason, "x-parked-from": self._names.main}
        if attempts is not None:
            headers[ATTEMPTS] = attempts
        await self._forward(message, self._names.parked, headers)
        EVENTS_CONSUMED.labels(self.service, event_type, "parked").inc()
        log.error("consumer %s: parked message %s: %s", self.service, message.message_id, reason)

    async def _forward(
        self, message: AbstractIncomingMessage, queue: str, headers: dict[str, Any]
    ) -> None:
        """Copy to `queue` (confirmed), then ack; if the copy fails, requeue the original."""
        assert self._channel is not None
        copy = aio_pika.Message(
            message.body,
            headers={**(message.headers or {}), **headers},
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message.message_id,
            type=message.type,
            content_type=message.content_type,
            correlation_id=message.correlation_id,
        )
        try:
            await self._channel.default_exchange.publish(copy, routing_key=queue, timeout=10)
        except Exception:
            with contextlib.suppress(Exception):
                assert message.delivery_tag is not None
                await self._acks_of(message).requeue(message.delivery_tag)
            raise
        await self._ack([message])
