"""The CSV purchase import, measured: 100,000 rows uploaded through the gateway as an
admin, the job polled until done; rows per second from upload to done."""

import asyncio
import time
import uuid
from typing import Any

import httpx


def csv_body(rows: int) -> bytes:
    tag = uuid.uuid4().hex[:8]
    lines = ["email,order_id,amount,currency,purchased_at"]
    lines += [
        f"import-{i}@bench.example,IMP-{tag}-{i},{1000 + i % 500},KRW,2026-11-20T10:00:00+09:00"
        for i in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


async def import_rows(gateway: str, admin: tuple[str, str], rows: int) -> dict[str, Any]:
    body = csv_body(rows)
    async with httpx.AsyncClient(base_url=gateway, timeout=120) as client:
        login = await client.post("/auth/login", json={"email": admin[0], "password": admin[1]})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        started = time.monotonic()
        queued = await client.post(
            "/auth/admin/purchase-imports",
            content=body,
            headers={**headers, "Content-Type": "text/csv"},
        )
        uploaded = time.monotonic() - started
        job: dict[str, Any] = {}
        while queued.status_code == 202:
            job = (
                await client.get(
                    f"/auth/admin/purchase-imports/{queued.json()['id']}", headers=headers
                )
            ).json()
            if job["status"] in ("done", "failed"):
                break
            await asyncio.sleep(0.25)
        took = time.monotonic() - started
    return {
        "rps": rows / took if job.get("status") == "done" else None,
        "latency_us": {},
        "statuses": {str(queued.status_code): 1},
        "rows": rows,
        "bytes": len(body),
        "upload_seconds": uploaded,
        "seconds": took,
        "job": job,
    }
