"""`auth-admin`: make an admin account, or generate a signing key."""

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from checkin_shared.clock import SystemClock
from checkin_shared.db import make_engine, make_session_factory
from checkin_shared.errors import ProblemError
from checkin_shared.unit_of_work import unit_of_work

from auth_service.admins import ensure_admin
from auth_service.config import AuthSettings
from auth_service.keys.signing import generate_private_key_pem
from auth_service.users.passwords import Passwords


async def _create_admin(email: str, password: str, name: str) -> str:
    settings = AuthSettings()
    engine = make_engine(settings.database_url, pool_size=1)
    passwords = Passwords(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    try:
        async with unit_of_work(make_session_factory(engine)) as session:
            outcome = await ensure_admin(
                session,
                passwords,
                email=email,
                password=password,
                name=name,
                now=SystemClock().now(),
            )
    finally:
        await engine.dispose()
    return outcome


def _generate_key(path: Path, *, force: bool) -> str:
    if path.exists() and not force:
        return f"kept existing key {path}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generate_private_key_pem())
    path.chmod(0o600)
    return f"wrote a new RS256 signing key to {path}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="auth-admin", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-admin", help="create or promote an admin (idempotent)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", default="Admin")
    create.add_argument("--password", help="default: $AUTH_ADMIN_PASSWORD, else a prompt")
    key = commands.add_parser("generate-key", help="write a PEM private key for signing")
    key.add_argument("path", type=Path)
    key.add_argument("--force", action="store_true", help="replace an existing key")
    args = parser.parse_args(argv)

    if args.command == "generate-key":
        print(_generate_key(args.path, force=args.force))
        return 0
    password = args.password or os.environ.get("AUTH_ADMIN_PASSWORD") or getpass.getpass()
    try:
        outcome = asyncio.run(_create_admin(args.email, password, args.name))
    except ProblemError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 2
    print(f"admin {args.email}: {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
