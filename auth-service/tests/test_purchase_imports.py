"""CSV purchase imports as background jobs: 202 and a job id, progress, a dry run,
per-row errors as CSV; a BOM, CRLF and quoted commas read right; a file without its
header, garbage, another media type and a 100,001st row refused at once with nothing
kept; a job whose worker died goes on from its last committed batch."""

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from auth_service.imports import service as imports
from auth_service.imports.models import PurchaseImportJob
from auth_service.imports.worker import ImportWorker
from checkin_shared.clock import SystemClock
from checkin_shared.db import make_engine
from checkin_testkit.events import eventually
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

HEADER = "email,order_id,amount,currency,purchased_at,status"


def rows(emails: list[str], tag: str) -> list[str]:
    return [f"{e},{tag}-{i},1000,KRW,2026-11-20T10:00:00+09:00,paid" for i, e in enumerate(emails)]


async def upload(
    client: httpx.AsyncClient, api: Any, body: bytes, *, dry_run: bool = False, **headers: str
) -> httpx.Response:
    admin = api.bearer(await api.admin_token())
    return await client.post(
        f"/auth/admin/purchase-imports?dry_run={str(dry_run).lower()}",
        content=body,
        headers={"Content-Type": "text/csv", **admin, **headers},
    )


async def finished(client: httpx.AsyncClient, api: Any, job_id: str) -> dict[str, Any]:
    admin = api.bearer(await api.admin_token())
    seen: dict[str, Any] = {}

    async def done() -> bool:
        answer = await client.get(f"/auth/admin/purchase-imports/{job_id}", headers=admin)
        seen.update(answer.json())
        return seen["status"] in ("done", "failed")

    await eventually(done, within=30)
    return seen


async def test_a_csv_with_a_bom_crlf_quotes_and_bad_rows_is_imported_row_by_row(
    client: httpx.AsyncClient, api: Any
) -> None:
    tag = f"CSV-{uuid.uuid4().hex[:6]}"
    known = await api.register()
    earlier = f"{tag}-earlier"
    admin = api.bearer(await api.admin_token())
    await client.post(
        "/auth/admin/purchases",
        json={
            "items": [
                {
                    "email": known["email"],
                    "order_id": earlier,
                    "amount": "5",
                    "currency": "KRW",
                    "purchased_at": "2026-11-01T00:00:00+09:00",
                }
            ]
        },
        headers=admin,
    )
    stranger = api.new_email()
    lines = [
        HEADER,
        f'{known["email"]},"{tag}-a,1",39000,KRW,2026-11-20T10:00:00+09:00,paid',  # quoted comma
        f"{stranger},{tag}-b,1000,KRW,2026-11-20T10:00:00+09:00,",  # empty status: paid
        f"{known['email']},{tag}-c,abc,KRW,2026-11-20T10:00:00+09:00,paid",  # bad amount
        f"{known['email']},{tag}-d,1000,KRW",  # missing columns
        f"{known['email']},{tag}-e,1000,KRW,2099-01-01T00:00:00+09:00,paid",  # future
        "",  # a blank line: not a row
        f"{known['email']},{earlier},5,KRW,2026-11-01T00:00:00+09:00,refunded",  # takes back
        f'{known["email"]},"{tag}-a,1",39000,KRW,2026-11-20T10:00:00+09:00,paid',  # again
    ]
    body = ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()
    queued = await upload(client, api, body)
    assert queued.status_code == 202 and queued.json()["status"] == "queued"
    job = await finished(client, api, queued.json()["id"])
    assert (job["status"], job["total_rows"], job["processed_rows"]) == ("done", 7, 7)
    assert (job["imported"], job["skipped"], job["pending_shopper"]) == (3, 1, 1)
    assert job["error_rows"] == 3
    errors = await client.get(
        f"/auth/admin/purchase-imports/{queued.json()['id']}/errors", headers=admin
    )
    assert errors.headers["content-type"].startswith("text/csv")
    listed = errors.text.strip().splitlines()
    assert listed[0] == "line,error"
    assert [row.split(",", 1)[0] for row in listed[1:]] == ["4", "5", "6"]
    assert "amount" in listed[1] and "fields" in listed[2] and "later than now" in listed[3]
    mine = await client.get(
        "/auth/me/purchases", headers=api.bearer((await api.login(known["email"]))["access_token"])
    )
    statuses = {p["order_id"]: p["status"] for p in mine.json()["items"]}
    assert statuses == {f"{tag}-a,1": "paid", earlier: "refunded"}


async def test_a_dry_run_counts_and_records_nothing(client: httpx.AsyncClient, api: Any) -> None:
    tag = f"DRY-{uuid.uuid4().hex[:6]}"
    user = await api.register()
    body = ("\n".join([HEADER, *rows([user["email"], api.new_email()], tag)]) + "\n").encode()
    queued = await upload(client, api, body, dry_run=True)
    job = await finished(client, api, queued.json()["id"])
    assert (job["dry_run"], job["imported"], job["pending_shopper"]) == (True, 2, 1)
    me = await client.get(
        "/auth/me", headers=api.bearer((await api.login(user["email"]))["access_token"])
    )
    assert me.json()["eligible"] is False  # nothing was recorded


async def jobs(auth_database_url: str) -> int:
    engine = make_engine(auth_database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(text("SELECT count(*) FROM auth.purchase_import")) or 0)
    finally:
        await engine.dispose()


async def test_files_that_are_not_an_import_are_refused_at_once(
    client: httpx.AsyncClient, api: Any, auth_database_url: str
) -> None:
    before = await jobs(auth_database_url)
    no_header = await upload(client, api, b"kim@example.com,O-1,1,KRW,2026-11-20T10:00:00Z\n")
    assert (no_header.status_code, no_header.json()["code"]) == (422, "invalid_csv")
    garbage = await upload(client, api, bytes(range(256)) * 40_000)  # 10 MB of bytes
    assert (garbage.status_code, garbage.json()["code"]) == (422, "invalid_csv")
    empty = await upload(client, api, b"")
    assert (empty.status_code, empty.json()["code"]) == (422, "invalid_csv")
    admin = api.bearer(await api.admin_token())
    as_json = await client.post(
        "/auth/admin/purchase-imports",
        json={"items": []},
        headers=admin,
    )
    assert (as_json.status_code, as_json.json()["code"]) == (415, "unsupported_media_type")
    many = "\n".join([HEADER, *rows(["a@example.com"] * 100_001, "MANY")]).encode()
    too_many = await upload(client, api, many)
    assert (too_many.status_code, too_many.json()["code"]) == (422, "too_many_rows")
    assert await jobs(auth_database_url) == before  # nothing kept of any of them
    unknown = await client.get(f"/auth/admin/purchase-imports/{uuid.uuid4()}", headers=admin)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "import_not_found")


class DiesAfterOneBatch(ImportWorker):
    """A worker killed (not failing: gone) right after its first batch committed."""

    async def _apply(self, *args: Any, **kwargs: Any) -> bool:
        await super()._apply(*args, **kwargs)
        raise asyncio.CancelledError  # not an Exception: nothing marks the job


async def test_a_job_whose_worker_died_goes_on_from_its_last_batch(
    client: httpx.AsyncClient, api: Any, auth_database_url: str
) -> None:
    tag = f"RES-{uuid.uuid4().hex[:6]}"
    emails = [api.new_email() for _ in range(25)]
    body = ("\n".join([HEADER, *rows(emails, tag)]) + "\n").encode()
    engine = make_engine(auth_database_url, pool_size=4)
    factory = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with factory() as session, session.begin():

            async def stream():  # type: ignore[no-untyped-def]
                yield body

            job = await imports.upload(
                session,
                stream(),
                dry_run=False,
                admin_id=uuid.uuid4(),
                max_bytes=1_000_000,
                now=datetime.now().astimezone(),
            )
            # held by a live worker (so the service's own worker leaves it alone)
            job.status = "running"
            job.leased_until = func.now() + timedelta(hours=1)
        with pytest.raises(asyncio.CancelledError):
            await DiesAfterOneBatch(factory, SystemClock(), batch_rows=10).run(job.id)
        async with factory() as session:
            stuck = await session.get(PurchaseImportJob, job.id)
            assert stuck is not None
            assert (stuck.status, stuck.processed_rows, stuck.imported) == ("running", 10, 10)
        async with factory() as session, session.begin():  # its lease runs out
            stuck = await session.get(PurchaseImportJob, job.id)
            assert stuck is not None
            stuck.leased_until = func.now() - timedelta(seconds=1)
        await ImportWorker(factory, SystemClock(), batch_rows=10).run_pending()
        async with factory() as session:
            done = await session.get(PurchaseImportJob, job.id)
            assert done is not None
            assert (done.status, done.processed_rows, done.imported) == ("done", 25, 25)
            recorded = await session.scalar(
                select(func.count())
                .select_from(text("auth.purchase"))
                .where(text("order_id LIKE :t"))
                .params(t=f"{tag}-%")
            )
            assert recorded == 25
    finally:
        await engine.dispose()
