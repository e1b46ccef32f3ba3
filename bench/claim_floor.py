"""The least a claim storm can cost on this machine when it is built from the design's
parts with nothing of ours in it: what the system's storm is measured against.

Three processes, each doing only what the design makes every claim do:
- front (the gateway's part): uvicorn (uvloop, httptools), a bare ASGI app that verifies
  the RS256 access token with PyJWT, once per token (a cache keyed by the token until it
  expires), and forwards the request over a keep-alive aiohttp pool;
- service (reward's part): the same server and token cache, then one statement on an
  asyncpg pool (its own transaction): the tier's stock taken by one if some is left and
  the shopper has the days, the claim written under its (shopper, tier) key and the
  event's outbox row with it; a 201 or a 409 in JSON;
- PostgreSQL.

Both caches are warmed first with one request per shopper, as the system's are by the
reads run before its storm. Left out, so this is a floor and not a rival: validation and
problem+json answers, idempotency keys, daily limits and campaign rules, points, the
shipping address, metrics, and publishing the granted claims' events (a hundred events
against ten thousand answers).

The service is `claim_floor:service` under uvicorn, set up by environment (FLOOR_KEY,
FLOOR_DATABASE)."""

import asyncio
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import floor_parts
import loads
from floor_parts import Front, Scope, answer, public_key, stop_all, until_up, uvicorn
from probes import CpuMeter

PORT = 18130
REQUIRED_DAYS = 1

SET_UP = """
DROP SCHEMA IF EXISTS bench_claim_floor CASCADE;
CREATE SCHEMA bench_claim_floor;
CREATE TABLE bench_claim_floor.attendance_day (
    user_id uuid NOT NULL, day date NOT NULL, PRIMARY KEY (user_id, day));
CREATE TABLE bench_claim_floor.tier (
    id uuid PRIMARY KEY, required_days int NOT NULL, stock int NOT NULL CHECK (stock >= 0));
CREATE TABLE bench_claim_floor.claim (
    user_id uuid NOT NULL, tier_id uuid NOT NULL, claimed_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, tier_id));
CREATE TABLE bench_claim_floor.outbox (id bigserial PRIMARY KEY, payload text NOT NULL);
"""
CLAIM = """
WITH taken AS (
    UPDATE bench_claim_floor.tier SET stock = stock - 1
    WHERE id = $2 AND stock > 0 AND required_days <= (
        SELECT count(*) FROM bench_claim_floor.attendance_day WHERE user_id = $1)
    RETURNING id),
claim AS (
    INSERT INTO bench_claim_floor.claim (user_id, tier_id, claimed_at)
    SELECT $1, id, $3 FROM taken RETURNING 1),
event AS (INSERT INTO bench_claim_floor.outbox (payload) SELECT $4 FROM claim RETURNING 1)
SELECT count(*) FROM claim
"""


class Service(floor_parts.FloorService):
    """Reward's part: the token, one statement, the answer."""

    async def handle(self, scope: Scope, subject: str, send: Any) -> None:
        if scope["method"] == "GET":  # the warm-up
            return await answer(send, 200, b"{}")
        user_id, tier_id = uuid.UUID(subject), uuid.UUID(scope["path"].split("/")[2])
        now = datetime.now(UTC)
        data = {"user_id": subject, "tier_id": str(tier_id), "claimed_at": now.isoformat()}
        event = {"id": str(uuid.uuid4()), "type": "reward.claimed.v1", "data": data}
        try:
            granted = await self.pool.fetchval(CLAIM, user_id, tier_id, now, json.dumps(event))
        except asyncpg.UniqueViolationError:
            granted = 0
        if not granted:
            return await answer(send, 409, b'{"code":"out_of_stock"}')
        await answer(send, 201, json.dumps(data).encode())


front = Front()
service = Service()


async def _warm(url: str, tokens: list[str], connections: int) -> None:
    """One GET per shopper through the front: both token caches then know every token."""
    pending = iter(tokens)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(url, connector=connector) as session:

        async def worker() -> None:
            for token in pending:
                headers = {"Authorization": f"Bearer {token}"}
                async with session.get("/warm", headers=headers) as response:
                    await response.read()

        await asyncio.gather(*(worker() for _ in range(connections)))


async def claim_floor(
    database_url: str, key: Path, tokens: list[str], stock: int, connections: int
) -> dict[str, Any]:
    """The floor's storm through its front: every shopper of `tokens` (each with a
    check-in day) claims one tier of `stock`, `connections` at a time; the storm's result
    and its CPU per claim in each process."""
    database = await asyncpg.connect(database_url)
    await database.execute(SET_UP)
    tier_id = uuid.uuid4()
    await database.execute(
        "INSERT INTO bench_claim_floor.tier VALUES ($1, $2, $3)", tier_id, REQUIRED_DAYS, stock
    )
    today = datetime.now(UTC).date()
    await database.copy_records_to_table(
        "attendance_day",
        schema_name="bench_claim_floor",
        records=[(u, today) for u in floor_parts.subjects(tokens)],
    )
    children: dict[str, Any] = {}
    try:
        env = {
            **os.environ,
            "FLOOR_KEY": str(public_key(key, key.parent / "floor-public.pem")),
            "FLOOR_DATABASE": database_url,
            "FLOOR_UPSTREAM": f"http://127.0.0.1:{PORT + 1}",
            "FLOOR_TOKEN_CACHE": "1",
        }
        children["service"] = uvicorn("claim_floor:service", PORT + 1, env)
        children["front"] = uvicorn("claim_floor:front", PORT, env)
        for port in (PORT + 1, PORT):
            await until_up(f"http://127.0.0.1:{port}/")
        url = f"http://127.0.0.1:{PORT}"
        await _warm(url, tokens, connections)
        cpu = CpuMeter({name: child.pid for name, child in children.items()})
        result = await loads.storm(url, f"/rewards/{tier_id}/claims", tokens, connections, cpu)
        claims = await database.fetchval("SELECT count(*) FROM bench_claim_floor.claim")
        left = await database.fetchval("SELECT stock FROM bench_claim_floor.tier")
        statuses = result["statuses"]
        ok = statuses.get("201", 0) == stock == claims and left == 0
        ok = ok and statuses.get("409", 0) == len(tokens) - stock
        detail = f"statuses {statuses}; {claims} claims in the database, stock left {left}"
        result["check"] = {"ok": ok, "detail": detail}
        return result
    finally:
        stop_all(children)
        await database.execute("DROP SCHEMA IF EXISTS bench_claim_floor CASCADE")
        await database.close()
