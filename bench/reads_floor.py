"""The least a shopper's `GET /rewards` can cost on this machine when it is built from the
design's parts with nothing of ours in it: what the system's reads are measured against.

Three processes, each doing only what the design makes every read do:
- front (the gateway's part): uvicorn (uvloop, httptools), a bare ASGI app that verifies
  the RS256 access token with PyJWT, once per token (a cache keyed by the token until it
  expires), and forwards the request over a keep-alive aiohttp pool;
- service (reward's part): the same server and token cache; the campaign and its tiers
  held in memory (as a catalog cache is); one statement on an asyncpg pool for the
  shopper's check-in days in the window and the tiers they hold; each tier's status and
  days remaining; the answer in JSON, of the same fields as the system's own;
- PostgreSQL.

Left out, so this is a floor and not a rival: validation and problem+json answers, the
runs of consecutive days and the rules that read them, response models, metrics, rate
limits, timeouts, logging, and keeping the cached catalog fresh.

The service is `reads_floor:service` under uvicorn, set up by environment (FLOOR_KEY,
FLOOR_DATABASE, FLOOR_ANSWER: a file holding one answer of the system's `GET /rewards`,
whose campaign and tiers it serves)."""

import json
import os
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import floor_parts
import httpx
from floor_parts import Front, Scope, answer, public_key, stop_all, until_up, uvicorn

PORT = 18120

SET_UP = """
DROP SCHEMA IF EXISTS bench_reads_floor CASCADE;
CREATE SCHEMA bench_reads_floor;
CREATE TABLE bench_reads_floor.attendance_day (
    user_id uuid NOT NULL, day date NOT NULL, PRIMARY KEY (user_id, day));
CREATE TABLE bench_reads_floor.claim (
    id bigserial PRIMARY KEY, user_id uuid NOT NULL, tier_id uuid NOT NULL);
CREATE INDEX ON bench_reads_floor.claim (user_id);
"""
DAYS_AND_CLAIMS = """
SELECT (SELECT count(*) FROM bench_reads_floor.attendance_day
        WHERE user_id = $1 AND day >= $2 AND day <= $3)::int,
       ARRAY(SELECT tier_id::text FROM bench_reads_floor.claim WHERE user_id = $1)
"""
# What a shopper's answer adds to a tier; the rest of the tier is the catalog's.
MINE = {"status", "days_remaining", "claimable_count"}


def tier_view(tier: dict[str, Any], days: int, held: list[str]) -> dict[str, Any]:
    """A tier for one shopper: claimed, out of stock, claimable or locked."""
    claimed = tier["id"] in held
    reached = days >= tier["required_days"]
    if claimed:
        status = "claimed"
    elif not tier["in_stock"]:
        status = "out_of_stock"
    else:
        status = "claimable" if reached else "locked"
    return tier | {
        "status": status,
        "days_remaining": max(0, tier["required_days"] - days),
        "claimable_count": int(reached and not claimed and tier["in_stock"]),
    }


class Service(floor_parts.FloorService):
    """Reward's part: the token, one statement, the answer."""

    async def started(self) -> None:
        shown = json.loads(Path(os.environ["FLOOR_ANSWER"]).read_text())
        self.campaign, self.earlier = shown["campaign"], shown.get("earlier_campaign")
        self.tiers = [{k: v for k, v in t.items() if k not in MINE} for t in shown["tiers"]]
        self.zone = ZoneInfo(self.campaign["timezone"])
        self.starts_on = date.fromisoformat(self.campaign["starts_on"])
        ends_on = self.campaign.get("ends_on")
        self.ends_on = date.fromisoformat(ends_on) if ends_on else date.max

    async def handle(self, scope: Scope, subject: str, send: Any) -> None:
        today = datetime.now(self.zone).date()
        ends = min(self.ends_on, today)
        row = await self.pool.fetchrow(DAYS_AND_CLAIMS, uuid.UUID(subject), self.starts_on, ends)
        assert row is not None  # a SELECT of two subqueries: always one row
        days, held = row
        shown = {
            "campaign": self.campaign,
            "tiers": [tier_view(t, days, held) for t in self.tiers],
            "earlier_campaign": self.earlier,
        }
        await answer(send, 200, json.dumps(shown).encode())


front = Front()
service = Service()


def _same_fields(mine: dict[str, Any], theirs: dict[str, Any]) -> bool:
    """Whether two answers carry the same campaign fields and tier fields."""
    tiers = {frozenset(t) for t in mine["tiers"]} | {frozenset(t) for t in theirs["tiers"]}
    return (
        set(mine) == set(theirs)
        and set(mine["campaign"]) == set(theirs["campaign"])
        and (len(tiers) == 1 and len(mine["tiers"]) == len(theirs["tiers"]))
    )


async def reads_floor(
    wrk_bin: str, database_url: str, key: Path, tokens: Path, sample: dict[str, Any], seconds: int
) -> dict[str, Any]:
    """The floor's reads through its front for `seconds` at 32 connections, as the shoppers
    of `tokens` (each with one check-in day today, as the system's readers have), serving
    `sample`'s campaign and tiers: the usual run result, and its CPU per read in each
    process."""
    database = await asyncpg.connect(database_url)
    await database.execute(SET_UP)
    today = datetime.now(ZoneInfo(sample["campaign"]["timezone"])).date()
    await database.copy_records_to_table(
        "attendance_day",
        schema_name="bench_reads_floor",
        records=[(u, today) for u in floor_parts.subjects(tokens.read_text().split())],
    )
    answer_file = key.parent / "floor-answer.json"
    answer_file.write_text(json.dumps(sample))
    children: dict[str, Any] = {}
    try:
        env = {
            **os.environ,
            "FLOOR_KEY": str(public_key(key, key.parent / "floor-public.pem")),
            "FLOOR_DATABASE": database_url,
            "FLOOR_ANSWER": str(answer_file),
            "FLOOR_UPSTREAM": f"http://127.0.0.1:{PORT + 1}",
            "FLOOR_TOKEN_CACHE": "1",
        }
        children["service"] = uvicorn("reads_floor:service", PORT + 1, env)
        children["front"] = uvicorn("reads_floor:front", PORT, env)
        for port in (PORT + 1, PORT):
            await until_up(f"http://127.0.0.1:{port}/")
        first = tokens.read_text().split()[0]
        async with httpx.AsyncClient() as client:
            one = await client.get(
                f"http://127.0.0.1:{PORT}/rewards", headers={"authorization": f"Bearer {first}"}
            )
        result = await floor_parts.wrk_through_front(
            wrk_bin, PORT, children, method="GET", path="/rewards", tokens=tokens, seconds=seconds
        )
        shaped = one.status_code == 200 and _same_fields(one.json(), sample)
        ok = set(result["statuses"]) == {"200"} and shaped
        detail = f"statuses {result['statuses']}; an answer has the system's fields: {shaped}"
        result["check"] = {"ok": ok, "detail": detail}
        return result
    finally:
        stop_all(children)
        await database.execute("DROP SCHEMA IF EXISTS bench_reads_floor CASCADE")
        await database.close()
