"""The import worker: takes a queued job (or one whose worker died: its lease expired),
and applies its rows in batches, each batch one transaction that also moves the job's
`processed_rows`, so a restart goes on exactly where the last commit left off. A job
that cannot go on is marked failed with its reason: never half-done and silent."""

import asyncio
import contextlib
import csv
import io
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from checkin_shared.clock import Clock
from checkin_shared.unit_of_work import unit_of_work
from pydantic import ValidationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_service.imports.csv_stream import COLUMNS, WITH_STATUS
from auth_service.imports.models import PurchaseImportChunk, PurchaseImportError, PurchaseImportJob
from auth_service.purchases import service as purchases
from auth_service.purchases.models import Purchase
from auth_service.purchases.schemas import PurchaseImportItem
from auth_service.users.models import Account
from auth_service.users.service import normalize_email

log = logging.getLogger(__name__)
Row = tuple[int, list[str]]  # (line, fields)


class ImportWorker:
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        batch_rows: int = 1000,
        lease_seconds: float = 60.0,
        poll_seconds: float = 2.0,
    ) -> None:
        self.factory = factory
        self.clock = clock
        self.batch_rows = batch_rows
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="purchase-imports")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await self.run_pending()
            except Exception as exc:  # the loop outlives any single failure
                log.warning("purchase imports: %s", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()

    async def run_pending(self) -> int:
        """Every job that is due, one after another; returns how many were run."""
        done = 0
        while (job_id := await self._take()) is not None:
            await self.run(job_id)
            done += 1
        return done

    async def _take(self) -> uuid.UUID | None:
        async with unit_of_work(self.factory) as session:
            job = await session.scalar(
                select(PurchaseImportJob)
                .where(
                    or_(
                        PurchaseImportJob.status == "queued",
                        (PurchaseImportJob.status == "running")
                        & (PurchaseImportJob.leased_until < func.now()),
                    )
                )
                .order_by(PurchaseImportJob.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if job is None:
                return None
            job.status = "running"
            job.leased_until = func.now() + self.lease
            return job.id

    async def run(self, job_id: uuid.UUID) -> None:
        try:
            await self._run(job_id)
        except Exception as exc:
            log.warning("purchase import %s failed: %r", job_id, exc)
            async with unit_of_work(self.factory) as session:
                await session.execute(
                    update(PurchaseImportJob)
                    .where(PurchaseImportJob.id == job_id)
                    .values(
                        status="failed",
                        error=f"stopped at an unexpected error: {exc!r}"[:2000],
                        finished_at=self.clock.now(),
                        leased_until=None,
                    )
                )

    async def _run(self, job_id: uuid.UUID) -> None:
        async with self.factory() as session:
            job = await session.get(PurchaseImportJob, job_id)
            assert job is not None
            start, columns = job.processed_rows, WITH_STATUS if job.has_status_column else COLUMNS
            seqs = list(
                (
                    await session.execute(
                        select(PurchaseImportChunk.seq, PurchaseImportChunk.rows)
                        .where(PurchaseImportChunk.job_id == job_id)
                        .order_by(PurchaseImportChunk.seq)
                    )
                ).all()
            )
        position = 0  # data rows before the current piece
        batch: list[Row] = []
        for seq, rows in seqs:
            if position + rows <= start:
                position += rows
                continue
            async with self.factory() as session:
                data = await session.scalar(
                    select(PurchaseImportChunk.data).where(
                        PurchaseImportChunk.job_id == job_id, PurchaseImportChunk.seq == seq
                    )
                )
            assert data is not None
            for fields in csv.reader(io.StringIO(data.decode())):
                if not fields:
                    continue
                position += 1
                if position <= start:
                    continue
                batch.append((position + 1, fields))  # the header is line 1
                if len(batch) == self.batch_rows:
                    if not await self._apply(
                        job_id, batch, columns, expected=position - len(batch)
                    ):
                        return
                    batch = []
        if batch and not await self._apply(job_id, batch, columns, expected=position - len(batch)):
            return
        async with unit_of_work(self.factory) as session:
            await session.execute(
                update(PurchaseImportJob)
                .where(PurchaseImportJob.id == job_id, PurchaseImportJob.status == "running")
                .values(status="done", finished_at=self.clock.now(), leased_until=None)
            )

    async def _apply(
        self, job_id: uuid.UUID, batch: list[Row], columns: list[str], *, expected: int
    ) -> bool:
        """One batch in one transaction, with the job's progress. False when the job is
        not ours to go on with (another worker went on after our lease ran out)."""
        now = self.clock.now()
        async with unit_of_work(self.factory) as session:
            job = await session.get(PurchaseImportJob, job_id, with_for_update=True)
            if job is None or job.status != "running" or job.processed_rows != expected:
                return False
            items, errors = parse(batch, columns, now=now)
            if job.dry_run:
                imported, skipped, pending = await _would_import(session, items)
            else:
                result = await purchases.import_purchases(
                    session, [item for _, item in items], now=now
                )
                imported, skipped, pending = (
                    result.imported,
                    result.skipped,
                    result.unregistered,
                )
            if errors:
                await session.execute(
                    insert(PurchaseImportError).on_conflict_do_nothing(),
                    [{"job_id": job_id, "line": line, "error": error} for line, error in errors],
                )
            job.processed_rows += len(batch)
            job.imported += imported
            job.skipped += skipped
            job.pending_shopper += pending
            job.error_rows += len(errors)
            job.leased_until = func.now() + self.lease
        return True


def parse(
    batch: list[Row], columns: list[str], *, now: datetime
) -> tuple[list[tuple[int, PurchaseImportItem]], list[tuple[int, str]]]:
    """Each row as an order, or the reason it is not one."""
    items: list[tuple[int, PurchaseImportItem]] = []
    errors: list[tuple[int, str]] = []
    for line, fields in batch:
        if len(fields) != len(columns):
            errors.append((line, f"{len(fields)} fields; {len(columns)} expected"))
            continue
        values: dict[str, Any] = dict(zip(columns, (f.strip() for f in fields), strict=True))
        if not values.get("status"):
            values.pop("status", None)
        try:
            item = PurchaseImportItem.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            errors.append((line, f"{where}: {first['msg']}"))
            continue
        if item.purchased_at > now + purchases.CLOCK_SKEW:
            errors.append((line, "purchased_at: later than now"))
            continue
        items.append((line, item))
    return items, errors


async def _would_import(
    session: AsyncSession, items: list[tuple[int, PurchaseImportItem]]
) -> tuple[int, int, int]:
    """A dry run's counts: (new orders, orders seen before, new ones with no account yet)."""
    orders = {item.order_id: item for _, item in items}
    known = set(
        (
            await session.execute(
                select(Purchase.order_id).where(Purchase.order_id.in_(list(orders)))
            )
        ).scalars()
    )
    fresh = [item for order_id, item in orders.items() if order_id not in known]
    emails = {normalize_email(item.email) for item in fresh}
    registered = set(
        (
            await session.execute(
                select(func.lower(Account.email)).where(func.lower(Account.email).in_(emails))
            )
        ).scalars()
    )
    pending = sum(1 for item in fresh if normalize_email(item.email) not in registered)
    return len(fresh), len(items) - len(fresh), pending
