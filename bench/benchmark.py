"""`make bench`: the system under load on this machine, through the gateway and straight
to the services, beside the machine's own ceilings. Prints a table, writes
bench-results/results.json and bench-results/bench.png, and checks correctness after
each run. See the README's "Measurements" for what each run is."""

import argparse
import asyncio
import os
import platform
import shutil
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import checkin_floor
import claim_floor
import event_floor
import httpx
import imports
import loads
import prepare
import reads_floor
import report
import stack as bench_stack
from checkin_testkit.database import drop_database
from checkin_testkit.events import private_exchange
from flow import QueueDepth, check_in_event_lag
from probes import CpuMeter, MetricsPoller
from settle import settle

REPO = Path(__file__).resolve().parents[1]
ZONE = "Asia/Seoul"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkin-seconds", type=int, default=60)
    parser.add_argument("--read-seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--checkin-tokens", type=int, default=150_000)
    parser.add_argument("--scale-seconds", type=int, default=10)
    parser.add_argument(
        "--scale", default="8,32,128,512", help="connections of the scale curve's check-in runs"
    )
    parser.add_argument("--scale-tokens", type=int, default=100_000)
    parser.add_argument(
        "--only",
        default="ceilings,checkins,scale,reads,storm,mail,imports",
        help="the runs to do, of: ceilings, checkins, scale, reads, storm, mail, imports",
    )
    parser.add_argument("--direct-tokens", type=int, default=100_000)
    parser.add_argument("--storm", type=int, default=10_000, help="shoppers in the claim storm")
    parser.add_argument("--storm-connections", type=int, default=200)
    parser.add_argument("--stock", type=int, default=100)
    parser.add_argument("--mail-claims", type=int, default=200)
    parser.add_argument(
        "--mail-in-flight", type=int, default=20, help="claims at a time in the mail run"
    )
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument(
        "--floor-events", type=int, default=10_000, help="events in the event-floor ceiling"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench-results")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "POSTGRES_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--amqp-url", default=os.environ.get("AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    parser.add_argument("--wrk", default=shutil.which("wrk") or str(REPO / ".tools/bin/wrk"))
    return parser.parse_args()


async def sql(admin_url: str, query: str, *args: Any) -> Any:
    connection = await asyncpg.connect(bench_stack.database_url(admin_url))
    try:
        return await connection.fetchval(query, *args)
    finally:
        await connection.close()


def check(ok: bool, detail: str) -> dict[str, Any]:
    return {"ok": ok, "detail": detail}


async def main() -> int:
    args = parse_args()
    if not Path(args.wrk).exists():
        raise SystemExit("wrk not found: `make bench` fetches it (apt-get download wrk)")
    state = args.out / "state"
    shutil.rmtree(state, ignore_errors=True)
    await drop_database(args.admin_url, bench_stack.DATABASE)
    results: dict[str, dict[str, Any]] = {}
    async with private_exchange(args.amqp_url, f"bench{int(time.time())}") as exchange:
        print("• starting the stack (make dev's runner, own database and exchange)")
        stack = bench_stack.start(state, args.admin_url, exchange)
        try:
            await measure(args, stack, state, results)
        finally:
            bench_stack.stop(stack)
            await drop_database(args.admin_url, bench_stack.DATABASE)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    report.write(results, machine, args.out)
    print()
    print(report.table(results))
    print()
    print(report.cost_table(results))
    print()
    print(report.targets_table(results))
    print(f"\nresults: {args.out / 'results.json'}   chart: {args.out / 'bench.png'}")
    failed = [name for name, r in results.items() if r.get("check") and not r["check"]["ok"]]
    if failed:
        print(f"correctness check FAILED: {', '.join(failed)}")
    return 1 if failed else 0


async def measure(
    args: argparse.Namespace, stack: bench_stack.BenchStack, state: Path, results: dict[str, Any]
) -> None:
    database_url = bench_stack.database_url(args.admin_url)

    async def settled() -> None:
        took = await settle(database_url, args.amqp_url, stack.exchange)
        if took >= 1:
            print(f"  (waited {took:.0f} s for the previous run's events to drain)")

    gateway, attendance, reward = (stack.url(n) for n in ("gateway", "attendance", "reward"))
    metrics_of = {gateway: stack.url("gateway_metrics"), attendance: attendance, reward: reward}
    only = set(args.only.split(","))
    key = state / "keys" / "signing.pem"
    tokens = state / "tokens"
    tokens.mkdir(exist_ok=True)
    print("• preparing shoppers: signing tokens with the stack's development key")
    started = time.monotonic()
    storm_users = prepare.new_users(args.storm)
    mail_users = prepare.new_users(args.mail_claims)
    for name, users in {
        "checkin-gateway": prepare.new_users(args.checkin_tokens),
        "checkin-direct": prepare.new_users(args.direct_tokens),
        "checkin-scale": prepare.new_users(args.scale_tokens),
        "storm": storm_users,
        "mail": mail_users,
    }.items():
        prepare.mint_tokens(key, users, tokens / f"{name}.txt")
    await prepare.give_claimers_days_and_an_address(
        database_url, storm_users, ZONE, "storm", days=1
    )
    await prepare.give_claimers_days_and_an_address(database_url, mail_users, ZONE, "mail", days=2)
    minted = args.checkin_tokens + args.direct_tokens + args.storm + args.mail_claims
    took = time.monotonic() - started
    print(f"  {minted:,} tokens, {args.storm + args.mail_claims:,} claimers in {took:.0f} s")

    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        admin = await client.post(
            "/auth/login", json={"email": bench_stack.ADMIN[0], "password": bench_stack.ADMIN[1]}
        )
        headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
        # The seeded campaign starts on the 1st: on that day a shopper's yesterday is
        # outside it, and the mail run's 2-day tier would refuse every claim.
        month_ago = datetime.now(ZoneInfo(ZONE)).date() - timedelta(days=30)
        moved = await client.put(
            "/rewards/admin/campaign",
            headers=headers,
            json={"name": "Bench campaign", "starts_on": month_ago.isoformat(), "timezone": ZONE},
        )
        moved.raise_for_status()
        tiers = {}
        # a tier per required day count (unique within the campaign)
        for name, days, stock in (
            ("Storm prize", 1, args.stock),
            ("Mail prize", 2, args.mail_claims * 2),
        ):
            created = await client.post(
                "/rewards/admin/tiers",
                headers=headers,
                json={
                    "name": name,
                    "required_days": days,
                    "kind": "item",
                    "stock": stock,
                    "low_stock_threshold": 0,
                },
            )
            created.raise_for_status()
            tiers[name] = created.json()["id"]

    meter = CpuMeter(stack.pids())
    if "ceilings" in only:
        print("• ceiling: a bare ASGI hello under uvicorn (10 s)")
        results["ceiling: ASGI hello, uvicorn"] = await loads.hello(
            args.wrk, 18100, tokens / "mail.txt", 10
        )
        print("• ceiling: PostgreSQL single-row inserts, pgbench (10 s)")
        results["ceiling: PostgreSQL insert (pgbench)"] = await loads.pgbench(
            bench_stack.database_url(args.admin_url), state, 10
        )
        print(f"• floor: {args.floor_events:,} events with nothing of ours (RabbitMQ, 2 consumers)")
        results["floor: one event, nothing of ours"] = await event_floor.event_floor(
            args.amqp_url, args.floor_events
        )
        print("• floor: check-ins made of the design's parts, nothing of ours (15 s)")
        results["floor: a check-in, nothing of ours"] = await checkin_floor.checkin_floor(
            args.wrk, database_url, args.amqp_url, key, tokens / "checkin-gateway.txt", 15
        )

    async def checkins(
        name: str, base: str, route: str, file: str, seconds: int, connections: int
    ) -> None:
        await settled()
        print(f"• {name} ({seconds} s, {connections} connections)")
        before = await sql(args.admin_url, "SELECT count(*) FROM attendance.check_in")
        since = await sql(args.admin_url, "SELECT now()")
        depth = QueueDepth(args.amqp_url, stack.exchange)
        watching = asyncio.Event()
        watch = asyncio.create_task(depth.run(watching))
        result = await loads.wrk(
            args.wrk,
            base,
            method="POST",
            path="/attendance/check-ins",
            tokens=tokens / file,
            seconds=seconds,
            connections=connections,
            cpu=meter,
            poller=MetricsPoller(metrics_of[base], "POST", route),
        )
        watching.set()
        await watch
        added = await sql(args.admin_url, "SELECT count(*) FROM attendance.check_in") - before
        await settled()
        result["event_lag"] = await check_in_event_lag(database_url, since)
        result["largest_queue"] = max(depth.largest.values(), default=0)
        created = result["statuses"].get("201", 0)
        server_errors = sum(n for s, n in result["statuses"].items() if s.startswith("5"))
        # wrk stops counting at the deadline: up to one request per connection is then
        # still in flight, written but not counted
        in_flight = added - created
        result["check"] = check(
            0 <= in_flight <= connections and server_errors == 0 and not result["repeats"],
            f"{created:,} answered 201, {added:,} rows written ({in_flight} in flight at "
            f"the deadline), {server_errors} 5xx" + loads.ran_out(result),
        )
        results[name] = result

    if "checkins" in only:
        await checkins(
            "check-ins through the gateway",
            gateway,
            "/attendance/*",
            "checkin-gateway.txt",
            args.checkin_seconds,
            args.connections,
        )
        await checkins(
            "check-ins straight to attendance",
            attendance,
            "/attendance/check-ins",
            "checkin-direct.txt",
            args.read_seconds,
            args.connections,
        )
    if "scale" in only:
        # The scale curve: one token file, its shoppers split between the runs.
        scale = [int(c) for c in args.scale.split(",") if c]
        scale_tokens = (tokens / "checkin-scale.txt").read_text().split()
        share = len(scale_tokens) // max(1, len(scale))
        for index, connections in enumerate(scale):
            part = tokens / f"checkin-scale-{connections}.txt"
            part.write_text("\n".join(scale_tokens[index * share : (index + 1) * share]) + "\n")
            await checkins(
                f"scale: check-ins, {connections} connections",
                gateway,
                "/attendance/*",
                part.name,
                args.scale_seconds,
                connections,
            )

    if "reads" in only:
        for name, base, route in (
            ("GET /rewards through the gateway", gateway, "/rewards/*"),
            ("GET /rewards straight to reward", reward, "/rewards"),
        ):
            await settled()
            print(f"• {name} ({args.read_seconds} s)")
            result = await loads.wrk(
                args.wrk,
                base,
                method="GET",
                path="/rewards",
                tokens=tokens / "storm.txt",
                seconds=args.read_seconds,
                connections=args.connections,
                cpu=meter,
                poller=MetricsPoller(metrics_of[base], "GET", route),
            )
            ok = set(result["statuses"]) == {"200"}
            result["check"] = check(ok, f"statuses {result['statuses']}")
            results[name] = result
        print(
            f"• floor: GET /rewards of the design's parts, nothing of ours ({args.read_seconds} s)"
        )
        reader = (tokens / "storm.txt").read_text().split()[0]
        async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
            sample = await client.get("/rewards", headers={"Authorization": f"Bearer {reader}"})
        sample.raise_for_status()
        results[report.READS_FLOOR] = await reads_floor.reads_floor(
            args.wrk, database_url, key, tokens / "storm.txt", sample.json(), args.read_seconds
        )

    if "storm" in only:
        storm = tiers["Storm prize"]
        await settled()
        print(
            f"• claim storm: {args.storm:,} shoppers, stock {args.stock}, "
            f"{args.storm_connections} connections"
        )
        result = await loads.storm(
            gateway,
            f"/rewards/{storm}/claims",
            (tokens / "storm.txt").read_text().split(),
            args.storm_connections,
            meter,
        )
        claims = await sql(
            args.admin_url, "SELECT count(*) FROM reward.claim WHERE tier_id = $1", storm
        )
        holders = await sql(
            args.admin_url,
            "SELECT count(DISTINCT user_id) FROM reward.claim WHERE tier_id = $1",
            storm,
        )
        left = await sql(args.admin_url, "SELECT stock FROM reward.tier WHERE id = $1", storm)
        statuses = result["statuses"]
        answered = sum(statuses.values())
        ok = (
            statuses.get("201", 0) == args.stock == claims == holders
            and left == 0
            and answered == args.storm
            and statuses.get("409", 0) == args.storm - args.stock
        )
        result["check"] = check(
            ok,
            f"{answered:,} answered: {statuses.get('201', 0)} granted, "
            f"{statuses.get('409', 0):,} out_of_stock; {claims} claims by {holders} shoppers "
            f"in the database, stock left {left}",
        )
        results[f"claim storm: {args.storm:,} shoppers, stock {args.stock}"] = result
        print("• floor: the claim storm of the design's parts, nothing of ours")
        results[report.STORM_FLOOR] = await claim_floor.claim_floor(
            database_url,
            key,
            (tokens / "storm.txt").read_text().split(),
            args.stock,
            args.storm_connections,
        )

    if "mail" in only:
        await settled()
        print(f"• claim to mail: {args.mail_claims} claims, {args.mail_in_flight} in flight")
        mail_tokens = (tokens / "mail.txt").read_text().split()
        emails = [f"mail-{u.replace('-', '')[:12]}@bench.example" for u in mail_users]
        result = await loads.claim_to_mail(
            gateway,
            tiers["Mail prize"],
            mail_tokens,
            emails,
            state / "mail",
            meter,
            database_url,
            args.mail_in_flight,
        )
        ok = result["errors"]["no_mail"] == 0 and result["mails_per_claim"] == [1]
        result["check"] = check(
            ok, f"{result['statuses']}; mails per claim {result['mails_per_claim']}"
        )
        results["event latency: claim answered -> mail accepted"] = result

    if "imports" in only:
        await settled()
        print(f"• CSV purchase import: {args.import_rows:,} rows through the gateway")
        result = await imports.import_rows(gateway, bench_stack.ADMIN, args.import_rows)
        job = result["job"]
        ok = job.get("status") == "done" and job.get("imported") == args.import_rows
        result["check"] = check(
            ok,
            f"{job.get('status')}: {job.get('imported')} imported of {job.get('total_rows')}, "
            f"{job.get('error_rows')} errors; {result['bytes'] / 1e6:.1f} MB uploaded in "
            f"{result['upload_seconds']:.1f} s, done after {result['seconds']:.1f} s "
            "(req/s column: rows/s)",
        )
        results[f"CSV import, {args.import_rows:,} rows (rows/s)"] = result


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
