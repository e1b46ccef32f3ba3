"""`make dev`: database, keys, migrations, every service and the gateway, demo data, URLs.

Runs until Ctrl-C, then stops every process. Options let tests run a second stack beside
a developer's (other ports, another database).
"""

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).parent))
from processes import Stack
from seed import seed_demo
from services import DEMO_SHOP, GATEWAY, GATEWAY_METRICS_OFFSET, MAIL_SINK, SERVICES

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "postgres"))
import bootstrap  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-port", type=int, default=int(os.environ.get("DEV_BASE_PORT", 8000)))
    parser.add_argument("--database", default=os.environ.get("DEV_DATABASE", "checkin"))
    parser.add_argument(
        "--admin-url", default=os.environ.get("POSTGRES_ADMIN_URL", bootstrap.DEFAULT_ADMIN_URL)
    )
    parser.add_argument(
        "--exchange",
        default=os.environ.get("DEV_EVENTS_EXCHANGE", "checkin.events"),
        help="the topic exchange of this stack (tests use one of their own)",
    )
    parser.add_argument("--state-dir", type=Path, default=REPO / ".dev")
    parser.add_argument("--no-seed", action="store_true", help="skip the demo data")
    parser.add_argument("--json-logs", action="store_true", help="JSON log lines (default: plain)")
    parser.add_argument(
        "--restart",
        action="store_true",
        help="start a service again when it dies, as a process supervisor would "
        "(default: one exiting stops the stack)",
    )
    return parser.parse_args()


def admin_credentials(state: Path) -> tuple[str, str]:
    email = os.environ.get("AUTH_BOOTSTRAP_ADMIN_EMAIL", "admin@example.com")
    password = os.environ.get("AUTH_BOOTSTRAP_ADMIN_PASSWORD")
    stored = state / "admin-password"
    if password is None:
        if not stored.exists():
            stored.write_text(f"{secrets.token_urlsafe(12)}-7\n")
            stored.chmod(0o600)
        password = stored.read_text().strip()
    return email, password


def environment(args: argparse.Namespace, key_file: Path, admin: tuple[str, str]) -> dict[str, str]:
    host = "127.0.0.1"
    admin_url = urlsplit(args.admin_url)
    db_host = f"{admin_url.hostname or host}:{admin_url.port or 5432}"
    env = {
        "AUTH_SIGNING_KEY_FILE": str(key_file),
        "AUTH_BOOTSTRAP_ADMIN_EMAIL": admin[0],
        "AUTH_BOOTSTRAP_ADMIN_PASSWORD": admin[1],
        # a local identity provider (a test's, a developer's) may listen on 127.0.0.1
        "AUTH_ALLOW_LOOPBACK_URLS": "true",
        "NOTIFICATION_ALLOW_LOOPBACK_URLS": "true",
        "NOTIFICATION_SMTP_PORT": str(args.base_port + MAIL_SINK.port_offset),
        "NOTIFICATION_ALERT_RECIPIENTS": json.dumps([admin[0]]),
        "NOTIFICATION_PUBLIC_URL": f"http://{host}:{args.base_port}",
        "GATEWAY_METRICS_PORT": str(args.base_port + GATEWAY_METRICS_OFFSET),
        "GATEWAY_ROUTES": json.dumps(
            {s.segment: f"http://{host}:{args.base_port + s.port_offset}" for s in SERVICES}
        ),
    }
    for service in [*SERVICES, GATEWAY]:
        prefix = service.name.upper()
        env[f"{prefix}_LOG_JSON"] = "true" if args.json_logs else "false"
        env[f"{prefix}_EVENTS_EXCHANGE"] = args.exchange
        env[f"{prefix}_JWKS_URL"] = f"http://{host}:{args.base_port + 1}/auth/.well-known/jwks.json"
        if service.role:
            url = f"postgresql+asyncpg://{service.role}@{db_host}/{args.database}"
            env.setdefault(f"{prefix}_DATABASE_URL", os.environ.get(f"{prefix}_DATABASE_URL", url))
    return env


async def main() -> int:
    args = parse_args()
    state = args.state_dir
    (state / "keys").mkdir(parents=True, exist_ok=True)
    print(f"• database {args.database}: roles and schemas")
    await bootstrap.bootstrap(args.admin_url, args.database)
    key_file = state / "keys" / "signing.pem"
    admin = admin_credentials(state)
    stack = Stack(
        REPO,
        {**os.environ, **environment(args, key_file, admin)},
        args.base_port,
        pid_dir=state / "pids",
        restart=args.restart,
    )
    await stack.run_step("keys", ["auth-admin", "generate-key", str(key_file)])
    for service in SERVICES:
        if service.folder:
            ini = str(REPO / service.folder / "alembic.ini")
            await stack.run_step(
                f"migrate {service.name}", ["alembic", "-c", ini, "upgrade", "head"]
            )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stack.request_stop)
    gateway_url = f"http://127.0.0.1:{args.base_port}"
    try:
        await stack.start(MAIL_SINK, state)
        await stack.start(DEMO_SHOP, state)
        for service in [*SERVICES, GATEWAY]:
            await stack.start(service)
        if not await stack.wait_ready(gateway_url, within=60):
            return 1
        if not args.no_seed:
            await seed_demo(gateway_url, admin)
        shop_url = f"http://127.0.0.1:{args.base_port + DEMO_SHOP.port_offset}"
        stack.print_urls(gateway_url, admin, state / "mail", shop_url)
        return await stack.wait()
    finally:
        await stack.stop()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
