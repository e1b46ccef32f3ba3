"""The outbox relay: publishes committed events, marks them only after the broker confirms.

Woken by its own process's commits (`checkin_shared.events.wake`) and by NOTIFY from
processes without a relay, and polls anyway; after a wake it lingers a few milliseconds so
that one batch (one confirm round) carries many rows; takes batches with FOR UPDATE SKIP
LOCKED so any number of replicas can run it; backs off while the broker is away; on
shutdown it finishes its batch and drains what is pending, within a bound. The payload
goes out as PostgreSQL's own JSON text (never decoded and encoded again here), and the
backlog gauges are read at most once a second.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy import Table, Text, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from checkin_shared.events import wake
from checkin_shared.events.metrics import (
    EVENTS_PUBLISH_FAILED,
    EVENTS_PUBLISHED,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PENDING,
)
from checkin_shared.events.outbox import notify_channel
from checkin_shared.events.publisher import EventPublisher

log = logging.getLogger(__name__)


class PublishFailed(Exception):
    pass


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        outbox: Table,
        session_factory: async_sessionmaker[AsyncSession],
        listen_dsn: str,
        publisher: EventPublisher,
        batch_size: int = 100,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 5.0,
        keep_published_days: int = 7,
        linger_seconds: float = 0.005,
        backlog_every_seconds: float = 1.0,
    ) -> None:
        self.service = service
        self.outbox = outbox
        self.factory = session_factory
        self.listen_dsn = listen_dsn.replace("postgresql+asyncpg://", "postgresql://")
        self.publisher = publisher
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff = max_backoff_seconds
        self.keep_published_days = keep_published_days
        self.linger = linger_seconds
        self.backlog_every = backlog_every_seconds
        self._backlog_read_at = 0.0
        self._idle_rounds = 0
        self._wake = asyncio.Event()  # a hint, NOTIFY or stop: work may be waiting
        self._stop = asyncio.Event()  # only stop: cuts a back-off short
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._hinted = False
        self._unregister: Callable[[], None] | None = None

    def hint(self) -> None:
        """Rows were committed to the outbox (called from any thread of this process).
        Hints that come before the relay has woken are one wake-up."""
        loop = self._loop
        if loop is None or self._hinted:
            return
        self._hinted = True
        with contextlib.suppress(RuntimeError):  # the relay's loop has closed
            loop.call_soon_threadsafe(self._on_hint)

    def _on_hint(self) -> None:
        self._hinted = False
        self._wake.set()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._unregister = wake.register(self.outbox, self.hint)
        self._tasks = [
            asyncio.create_task(self._run(), name=f"outbox-relay-{self.service}"),
            asyncio.create_task(self._listen(), name=f"outbox-listen-{self.service}"),
        ]

    async def stop(self, drain_seconds: float = 5.0) -> None:
        """Finish the batch in hand, publish what is pending (bounded), then close."""
        self._stopping = True
        if self._unregister is not None:
            self._unregister()
        self._wake.set()
        self._stop.set()
        run, listen = self._tasks
        listen.cancel()
        try:
            await asyncio.wait_for(asyncio.shield(run), drain_seconds)
        except TimeoutError:
            run.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(run, listen, return_exceptions=True)
        await self.publisher.close()

    async def publish_batch(self) -> int:
        """Publish one batch; returns how many rows it took. Raises PublishFailed after
        recording the failure on the rows that could not be published."""
        failures: list[BaseException] = []
        try:
            await self.publisher.connect()  # before any row is locked
        except Exception as exc:
            await self.publisher.reset()
            raise PublishFailed(f"broker unreachable: {exc!r}") from exc
        async with self.factory() as session, session.begin():
            payload = self.outbox.c.payload
            rows = (
                await session.execute(
                    select(
                        self.outbox.c.id,
                        self.outbox.c.event_type,
                        payload["producer"].astext.label("producer"),
                        payload["correlation_id"].astext.label("correlation_id"),
                        cast(payload, Text).label("body"),
                    )
                    .where(self.outbox.c.published_at.is_(None))
                    .order_by(self.outbox.c.created_at)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            results = await asyncio.gather(
                *(
                    self.publisher.publish(
                        {
                            "id": r.id,
                            "type": r.event_type,
                            "producer": r.producer,
                            "correlation_id": r.correlation_id,
                        },
                        r.body.encode(),
                    )
                    for r in rows
                ),
                return_exceptions=True,
            )
            done = [r.id for r, result in zip(rows, results, strict=True) if result is None]
            failed = [r.id for r, result in zip(rows, results, strict=True) if result is not None]
            failures = [result for result in results if isinstance(result, BaseException)]
            if done:
                await session.execute(
                    update(self.outbox)
                    .where(self.outbox.c.id.in_(done))
                    .values(published_at=func.now())
                )
                for row, result in zip(rows, results, strict=True):
                    if result is None:
                        EVENTS_PUBLISHED.labels(self.service, row.event_type).inc()
            if failed:
                await session.execute(
                    update(self.outbox)
                    .where(self.outbox.c.id.in_(failed))
                    .values(
                        attempts=self.outbox.c.attempts + 1,
                        last_error=f"{type(failures[0]).__name__}: {failures[0]}"[:1000],
                    )
                )
        if failures:
            EVENTS_PUBLISH_FAILED.labels(self.service).inc(len(failures))
            await self.publisher.reset()
            raise PublishFailed(f"{len(failures)} of {len(rows)} not confirmed: {failures[0]!r}")
        return len(rows)

    async def _run(self) -> None:
        backoff = 0.0
        while True:
            try:
                taken = await self.publish_batch()
                backoff = 0.0
            except Exception as exc:  # the relay must outlive any single failure
                if self._stopping:
                    return
                backoff = min(self.max_backoff, max(0.25, backoff * 2))
                log.warning("outbox relay: %s; retrying in %.2fs", exc, backoff)
                # New events must not cut the back-off short: they would hammer the broker.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), backoff)
                continue
            if time.monotonic() - self._backlog_read_at >= self.backlog_every:
                await self._report_backlog()
                self._backlog_read_at = time.monotonic()
            if taken == self.batch_size:
                continue
            self._idle_rounds += 1
            if self._idle_rounds % 600 == 1:  # at start, then about every ten minutes idle
                await self.prune()
            if self._stopping:
                return
            await self._sleep(self.poll_seconds)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        if self._wake.is_set() and not self._stopping:
            await asyncio.sleep(self.linger)  # let the rows of the next few commits arrive
        self._wake.clear()

    async def prune(self) -> int:
        """Forget published rows older than the retention (kept meanwhile for inspection)."""
        cutoff = func.now() - timedelta(days=self.keep_published_days)
        try:
            async with self.factory() as session, session.begin():
                result = await session.execute(
                    delete(self.outbox).where(self.outbox.c.published_at < cutoff)
                )
        except Exception as exc:  # pruning is housekeeping; publishing goes on
            log.warning("outbox prune failed: %s", exc)
            return 0
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def _report_backlog(self) -> None:
        with contextlib.suppress(Exception):
            async with self.factory() as session:
                count, oldest = (
                    await session.execute(
                        select(func.count(), func.min(self.outbox.c.created_at)).where(
                            self.outbox.c.published_at.is_(None)
                        )
                    )
                ).one()
            OUTBOX_PENDING.labels(self.service).set(count)
            age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
            OUTBOX_OLDEST_AGE.labels(self.service).set(age)

    async def _listen(self) -> None:
        """NOTIFY (from a process without a relay) wakes the relay early; if this
        connection drops, polling still works."""
        while True:
            try:
                await self._listen_once()
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.info("outbox listener reconnecting: %s", exc)
            await asyncio.sleep(1)

    async def _listen_once(self) -> None:
        connection = await asyncpg.connect(self.listen_dsn, timeout=5)
        lost = asyncio.Event()
        connection.add_termination_listener(lambda *_: lost.set())
        try:
            await connection.add_listener(notify_channel(self.outbox), lambda *_: self._wake.set())
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 2)
