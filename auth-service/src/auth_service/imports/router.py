"""CSV purchase imports as background jobs: upload (202 and a job id), progress, and the
rows that could not be imported, as CSV."""

import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from checkin_shared import audit
from checkin_shared.csv_upload import csv_request_body, require_csv
from checkin_shared.security import AdminUser, StaffUser
from checkin_shared.unit_of_work import SessionDep
from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse

from auth_service.db import AUDIT
from auth_service.dependencies import ClockDep
from auth_service.imports import service
from auth_service.imports.schemas import ImportJobRead, ImportQueued

router = APIRouter(prefix="/auth/admin/purchase-imports", tags=["shop integration"])
CSV_EXAMPLE = (
    "email,order_id,amount,currency,purchased_at,status\r\n"
    "kim@example.com,ORD-2026-000123,39000,KRW,2026-11-29T14:03:00+09:00,paid\r\n"
)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Upload a CSV of orders, imported in the background",
    openapi_extra=csv_request_body(CSV_EXAMPLE),
    responses={
        413: {"description": "payload_too_large"},
        415: {"description": "unsupported_media_type"},
        422: {"description": "invalid_csv or too_many_rows"},
    },
)
async def upload_import(
    request: Request,
    admin: AdminUser,
    session: SessionDep,
    clock: ClockDep,
    dry_run: Annotated[
        bool, Query(description="Check every row and count, but record nothing")
    ] = False,
) -> ImportQueued:
    """The body is `text/csv` (UTF-8, a BOM allowed, CRLF or LF), its first row the header
    `email,order_id,amount,currency,purchased_at` and optionally `,status` (`paid`,
    `refunded`, `cancelled`); at most 100,000 rows. A file without that header is refused
    at once and nothing is kept. Each row is then applied as `POST /auth/admin/purchases`
    would, in batches; a row that cannot be is listed at `.../errors` and the rest go on."""
    require_csv(request)
    job = await service.upload(
        session,
        request.stream(),
        dry_run=dry_run,
        admin_id=admin.user_id,
        max_bytes=request.app.state.settings.import_max_bytes,
        now=clock.now(),
    )
    await audit.record(
        session,
        AUDIT,
        actor_id=admin.user_id,
        action="purchase_import.queued",
        target=f"purchase_import:{job.id}",
        after={"dry_run": dry_run},
        at=clock.now(),
    )
    request.app.state.import_worker.wake()
    return ImportQueued(id=job.id, status="queued")


@router.get(
    "/{job_id}",
    summary="An import's progress and counts",
    responses={404: {"description": "import_not_found"}},
)
async def import_status(job_id: uuid.UUID, _: StaffUser, session: SessionDep) -> ImportJobRead:
    """`processed_rows` of `total_rows`; `imported`, `skipped` (seen before),
    `pending_shopper` (no account yet: counted when they sign up), `error_rows`. A dry run
    counts what a real one would do."""
    job = await service.find(session, job_id)
    return ImportJobRead.model_validate(job, from_attributes=True)


@router.get(
    "/{job_id}/errors",
    summary="The rows that could not be imported, as CSV",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/csv": {"example": "line,error\r\n7,amount: Input should be ...\r\n"}}
        },
        404: {"description": "import_not_found"},
    },
)
async def import_errors(
    job_id: uuid.UUID, request: Request, _: StaffUser, session: SessionDep
) -> StreamingResponse:
    """`line,error`: the row's line in the file (the header is line 1, blank lines not
    counted) and why. Streamed from a session of its own (the request's has ended)."""
    await service.find(session, job_id)
    factory = request.app.state.session_factory

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["line", "error"])
        async with factory() as own:
            async for line, error in service.error_lines(own, job_id):
                writer.writerow([line, error])
                if buffer.tell() > 65536:
                    yield _take(buffer)
        yield _take(buffer)

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job_id}-errors.csv"'},
    )


def _take(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
