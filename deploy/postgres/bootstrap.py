"""Create the database (when missing) and apply bootstrap.sql to it.

Usage: python deploy/postgres/bootstrap.py [--admin-url URL] [--database NAME]
Passwords for the service roles come from <SVC>_DB_PASSWORD (for example AUTH_DB_PASSWORD)
when set; on a developer machine with trust auth none are needed.
"""

import argparse
import asyncio
import contextlib
import os
from pathlib import Path

import asyncpg

SERVICES = ("auth", "attendance", "reward", "notification")
SQL = (Path(__file__).parent / "bootstrap.sql").read_text()
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def create_database(admin_url: str, database: str) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


async def apply_bootstrap(admin_url: str, database: str) -> None:
    conn = await asyncpg.connect(admin_url, database=database)
    try:
        await conn.execute(SQL)
        for svc in SERVICES:
            password = os.environ.get(f"{svc.upper()}_DB_PASSWORD")
            if password:
                literal = await conn.fetchval("SELECT quote_literal($1::text)", password)
                await conn.execute(f'ALTER ROLE "{svc}_svc" PASSWORD {literal}')
    finally:
        await conn.close()


async def bootstrap(admin_url: str, database: str) -> None:
    await create_database(admin_url, database)
    await apply_bootstrap(admin_url, database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--admin-url", default=os.environ.get("POSTGRES_ADMIN_URL", DEFAULT_ADMIN_URL)
    )
    parser.add_argument("--database", default=os.environ.get("POSTGRES_DB", "checkin"))
    args = parser.parse_args()
    asyncio.run(bootstrap(args.admin_url, args.database))
    print(f"bootstrapped database {args.database}: roles and schemas for {', '.join(SERVICES)}")


if __name__ == "__main__":
    main()
