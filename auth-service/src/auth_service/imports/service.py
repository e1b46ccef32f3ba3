"""Taking a CSV upload into a job: the header checked at once (nothing is kept for a file
without one), the rows stored in pieces as they arrive (bounded memory), counted, and at
most MAX_ROWS of them. Helpers flush; the unit of work commits."""

import csv
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from checkin_shared.errors import ProblemError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth_service.imports.csv_stream import COLUMNS, WITH_STATUS, first_row_end, pieces
from auth_service.imports.models import PurchaseImportChunk, PurchaseImportError, PurchaseImportJob

MAX_ROWS = 100_000


def invalid_csv(detail: str) -> ProblemError:
    return ProblemError(422, "invalid_csv", "Invalid CSV", detail)


async def _limited(stream: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > max_bytes:
            raise ProblemError(
                413,
                "payload_too_large",
                "Payload too large",
                f"An import may be at most {max_bytes} bytes",
            )
        yield chunk


async def upload(
    session: AsyncSession,
    stream: AsyncIterator[bytes],
    *,
    dry_run: bool,
    admin_id: uuid.UUID,
    max_bytes: int,
    now: datetime,
) -> PurchaseImportJob:
    job: PurchaseImportJob | None = None
    total, seq = 0, -1
    try:
        async for piece in pieces(_limited(stream, max_bytes)):
            seq += 1
            text, rows = piece.text, piece.rows
            if job is None:
                end = first_row_end(text)
                header = [h.strip().lower() for h in next(csv.reader([text[:end]]), [])]
                if header not in (COLUMNS, WITH_STATUS):
                    raise invalid_csv(
                        "The first row must be the header "
                        f"{','.join(COLUMNS)}[,status]; it is {','.join(header)[:200]!r}"
                    )
                job = PurchaseImportJob(
                    id=uuid.uuid4(),
                    status="queued",
                    dry_run=dry_run,
                    has_status_column=header == WITH_STATUS,
                    total_rows=0,
                    processed_rows=0,
                    imported=0,
                    skipped=0,
                    pending_shopper=0,
                    error_rows=0,
                    created_by=admin_id,
                    created_at=now,
                )
                session.add(job)
                await session.flush()
                text, rows = text[end:], rows - 1
            if total + rows > MAX_ROWS:
                raise ProblemError(
                    422,
                    "too_many_rows",
                    "Too many rows",
                    f"An import may have at most {MAX_ROWS:,} rows; split the file",
                )
            if rows:
                chunk = PurchaseImportChunk(
                    job_id=job.id, seq=seq, first_line=total + 2, rows=rows, data=text.encode()
                )
                session.add(chunk)
                await session.flush()
                session.expunge(chunk)  # written: let it go (bounded memory)
            total += rows
    except UnicodeDecodeError:
        raise invalid_csv("The file is not UTF-8 text") from None
    except csv.Error as exc:
        raise invalid_csv(f"Not CSV: {exc}") from None
    if job is None:
        raise invalid_csv("The file is empty: it needs at least the header row")
    job.total_rows = total
    if total == 0:
        job.status, job.finished_at = "done", now
    await session.flush()
    return job


async def find(session: AsyncSession, job_id: uuid.UUID) -> PurchaseImportJob:
    job = await session.get(PurchaseImportJob, job_id)
    if job is None:
        raise ProblemError(404, "import_not_found", "Import not found", "No such import")
    return job


async def error_lines(session: AsyncSession, job_id: uuid.UUID) -> AsyncIterator[tuple[int, str]]:
    result = await session.stream(
        select(PurchaseImportError.line, PurchaseImportError.error)
        .where(PurchaseImportError.job_id == job_id)
        .order_by(PurchaseImportError.line)
        .execution_options(yield_per=1000)
    )
    async for line, error in result:
        yield line, error
