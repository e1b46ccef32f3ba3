"""Shoppers for the benchmark, made quickly: access tokens signed with the stack's own
development key (what the auth service would issue at login), and, for the shoppers who
claim, their check-in day and their address written straight into the reward and
notification schemas (what the events would have brought), in bulk."""

import os
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from auth_service.keys.signing import SigningKeys
from checkin_testkit.tokens import base_claims

TOKEN_TTL = 3 * 3600


def _sign_chunk(args: tuple[str, list[str]]) -> list[str]:
    pem, user_ids = args
    keys = SigningKeys.from_pem(pem)
    return [keys.sign(base_claims(user_id=uuid.UUID(u), ttl=TOKEN_TTL)) for u in user_ids]


def mint_tokens(key_file: Path, user_ids: list[str], out: Path) -> None:
    """One token per user, one a line, signed on every core."""
    pem = key_file.read_text()
    workers = os.cpu_count() or 1
    size = max(1, len(user_ids) // (workers * 4))
    chunks = [(pem, user_ids[i : i + size]) for i in range(0, len(user_ids), size)]
    with ProcessPoolExecutor(workers) as pool, out.open("w") as file:
        for tokens in pool.map(_sign_chunk, chunks):
            file.write("\n".join(tokens) + "\n")


def new_users(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


async def give_claimers_days_and_an_address(
    database_url: str, user_ids: list[str], zone: str, tag: str, days: int
) -> None:
    """`days` check-in days up to today in the reward projection and a contact with an
    address in the notification directory, for every user."""
    today = datetime.now(ZoneInfo(zone)).date()
    ids = [uuid.UUID(u) for u in user_ids]
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            await connection.copy_records_to_table(
                "attendance_day",
                schema_name="reward",
                records=[(u, today - timedelta(days=d)) for u in ids for d in range(days)],
                columns=["user_id", "day"],
            )
            await connection.copy_records_to_table(
                "contact",
                schema_name="notification",
                records=[
                    (
                        u,
                        f"{tag}-{u.hex[:12]}@bench.example",
                        "Bench",
                        True,
                        False,
                        datetime.now(ZoneInfo(zone)),
                    )
                    for u in ids
                ],
                columns=["user_id", "email", "name", "eligible", "reminders", "updated_at"],
            )
    finally:
        await connection.close()
