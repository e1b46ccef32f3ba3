"""The loads: wrk with the shoppers script, pgbench's single-row inserts, the bare ASGI
hello, and claim-to-mail latency measured from a client and the SMTP sink's Maildir."""

import asyncio
import json
import mailbox
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from flow import claim_to_mail_legs
from probes import CpuMeter, MetricsPoller

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "wrk" / "shoppers.lua"


async def wrk(
    wrk_bin: str,
    url: str,
    *,
    method: str,
    path: str,
    tokens: Path,
    seconds: int,
    connections: int,
    cpu: CpuMeter,
    poller: MetricsPoller | None,
    threads: int = 1,
) -> dict[str, Any]:
    """One wrk run of `seconds`; each request as the next shopper of `tokens`."""
    env = {
        **os.environ,
        "BENCH_TOKENS": str(tokens),
        "BENCH_THREADS": str(threads),
        "BENCH_METHOD": method,
        "BENCH_PATH": path,
    }
    argv = [wrk_bin, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    argv += ["-s", str(SCRIPT), url]
    stop = asyncio.Event()
    polling = asyncio.create_task(poller.run(stop)) if poller else None
    cpu.start()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _, status, usage = await asyncio.to_thread(os.wait4, process.pid, 0)
    used = cpu.stop()
    stop.set()
    if polling:
        await polling
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    found = re.search(r"BENCH_JSON (\{.*\})", output)
    if not found:
        raise SystemExit(f"wrk gave no result (exit {status}):\n{output}")
    result: dict[str, Any] = json.loads(found.group(1))
    seconds_run = result["duration_us"] / 1e6
    result["rps"] = round(result["requests"] / seconds_run, 1)
    result["seconds"] = round(seconds_run, 2)
    used["wrk"] = round(100 * (usage.ru_utime + usage.ru_stime) / seconds_run, 1)
    result["cpu_percent"] = used
    result.update(cost(cpu, result["requests"]))
    result["series"] = poller.series() if poller else []
    return result


def ran_out(result: dict[str, Any]) -> str:
    """What a check-in run's check adds when the run outlasted its shoppers: each request
    after the last token repeats a shopper who has checked in today (a 409), so the rate
    and the CPU per request are no longer a check-in's."""
    repeats = int(result.get("repeats", 0))
    if not repeats:
        return ""
    return (
        f"; the tokens ran out: {repeats:,} requests repeated a shopper (a 409 each), "
        "give the run more tokens"
    )


def cost(cpu: CpuMeter, requests: int) -> dict[str, Any]:
    """CPU milliseconds per request in each process of the system (the load generator not
    counted) and their sum, and each process's resident memory at the end of the run."""
    per_request = {
        name: round(1000 * seconds / requests, 3)
        for name, seconds in cpu.seconds.items()
        if requests and seconds > 0
    }
    return {
        "cpu_ms_per_request": per_request,
        "system_cpu_ms_per_request": round(sum(per_request.values()), 2),
        "rss_mib": cpu.rss_mib,
    }


async def hello(wrk_bin: str, port: int, tokens: Path, seconds: int) -> dict[str, Any]:
    """The ceiling of one Python web process on this machine (the same wrk script: the
    hello app ignores the token it sends)."""
    argv = [sys.executable, "-m", "uvicorn", "hello:app", "--port", str(port), "--loop", "uvloop"]
    argv += ["--http", "httptools", "--no-access-log", "--log-level", "warning"]
    server = subprocess.Popen(argv, cwd=HERE)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                try:
                    await client.get(f"{url}/")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
        return await wrk(
            wrk_bin,
            url,
            method="GET",
            path="/",
            tokens=tokens,
            seconds=seconds,
            connections=32,
            cpu=CpuMeter({"hello": server.pid}),
            poller=None,
        )
    finally:
        server.terminate()
        server.wait(10)


async def pgbench(url: str, state: Path, seconds: int) -> dict[str, Any]:
    """PostgreSQL's single-row insert rate: one INSERT per transaction, 8 clients."""
    script = state / "insert.sql"
    script.write_text("INSERT INTO bench_insert (user_id, at) VALUES (gen_random_uuid(), now());\n")
    setup = (
        "CREATE TABLE IF NOT EXISTS bench_insert "
        "(id bigserial PRIMARY KEY, user_id uuid, at timestamptz)"
    )
    subprocess.run(["psql", url, "-q", "-c", setup], check=True)
    logs = state / "pgbench-logs"
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("*"):
        old.unlink()
    cpu = CpuMeter({})
    cpu.start()
    run = await asyncio.to_thread(
        subprocess.run,
        [
            "pgbench",
            "-n",
            "-c",
            "8",
            "-j",
            "2",
            "-T",
            str(seconds),
            "-f",
            str(script),
            "-l",
            "--log-prefix",
            str(logs / "tx"),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    used = cpu.stop()
    tps = float(re.search(r"tps = ([\d.]+)", run.stdout).group(1))  # type: ignore[union-attr]
    latencies = sorted(
        int(line.split()[2]) for path in logs.glob("tx*") for line in path.read_text().splitlines()
    )
    return {
        "rps": round(tps, 1),
        "requests": len(latencies),
        "seconds": seconds,
        "latency_us": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
        },
        "statuses": {},
        "errors": {
            "failed": int(m.group(1))
            if (m := re.search(r"failed transactions: (\d+)", run.stdout))
            else 0
        },
        "cpu_percent": {"postgres": used["postgres"]},
        "series": [],
    }


def percentile(values: list[float] | list[int], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
    return float(ordered[index])


async def claim_to_mail(
    gateway: str,
    tier: str,
    tokens: list[str],
    emails: list[str],
    maildir: Path,
    cpu: CpuMeter,
    database_url: str,
    in_flight: int,
) -> dict[str, Any]:
    """Claims, `in_flight` at a time; for each, the time from its answer to
    its mail being accepted by the SMTP sink (the file's time in the Maildir). The CPU is
    counted from the first claim to the last mail (the SMTP sink's included)."""
    answered: dict[str, float] = {}
    cpu.start()
    started = time.monotonic()
    limits = httpx.Limits(max_connections=in_flight)
    async with httpx.AsyncClient(base_url=gateway, timeout=30, limits=limits) as client:
        gate = asyncio.Semaphore(in_flight)

        async def claim(token: str, email: str) -> int:
            async with gate:
                response = await client.post(
                    f"/rewards/{tier}/claims", headers={"Authorization": f"Bearer {token}"}
                )
                answered[email] = time.time()
                return response.status_code

        statuses = await asyncio.gather(*(claim(t, e) for t, e in zip(tokens, emails, strict=True)))
    claiming = time.monotonic() - started
    wanted = set(emails)
    arrived: dict[str, list[float]] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        arrived = {}
        for key, message in mailbox.Maildir(maildir, create=False).items():
            if message["To"] in wanted:
                mtime = (
                    (maildir / "new" / key).stat().st_mtime
                    if (maildir / "new" / key).exists()
                    else (maildir / "cur" / key).stat().st_mtime
                )
                arrived.setdefault(message["To"], []).append(mtime)
        if len(arrived) == len(wanted):
            break
        await asyncio.sleep(0.5)
    used = cpu.stop()
    latencies = [1e6 * (min(times) - answered[e]) for e, times in arrived.items()]
    first = {e: min(times) for e, times in arrived.items()}
    return {
        "rps": round(len(tokens) / claiming, 1),
        "requests": len(tokens),
        "seconds": round(claiming, 2),
        "latency_us": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
        },
        "statuses": {str(s): statuses.count(s) for s in set(statuses)},
        "errors": {"no_mail": len(wanted) - len(arrived)},
        "mails_per_claim": sorted({len(t) for t in arrived.values()}),
        "mean_ms": round(statistics.mean(latencies) / 1000, 1) if latencies else None,
        "legs": await claim_to_mail_legs(database_url, answered, first),
        "cpu_percent": used,
        **cost(cpu, len(tokens)),
        "series": [],
    }


async def storm(
    url: str, path: str, tokens: list[str], connections: int, cpu: CpuMeter
) -> dict[str, Any]:
    """Every token sends one request, `connections` at a time (each connection takes the
    next shopper as soon as it is free, as wrk does); timed per request, so the series
    and percentiles are exact. aiohttp, measured at ~17,000 requests/s from one process
    here, is far from being the bottleneck at the rates below."""
    statuses: Counter[int] = Counter()
    done: list[tuple[float, float]] = []  # (answered at, seconds taken)
    pending = iter(tokens)
    before = resource.getrusage(resource.RUSAGE_SELF)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(url, connector=connector) as session:

        async def worker() -> None:
            for token in pending:
                started = time.monotonic()
                headers = {"Authorization": f"Bearer {token}"}
                async with session.post(path, headers=headers) as response:
                    await response.read()
                    statuses[response.status] += 1
                now = time.monotonic()
                done.append((now, now - started))

        cpu.start()
        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        wall = time.monotonic() - began
        used = cpu.stop()
    after = resource.getrusage(resource.RUSAGE_SELF)
    own = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    used["load generator"] = round(100 * own / wall, 1)
    latencies = [1e6 * taken for _, taken in done]
    return {
        "rps": round(len(done) / wall, 1),
        "requests": len(done),
        "seconds": round(wall, 2),
        "latency_us": {
            p: percentile(latencies, n) for p, n in (("p50", 50), ("p95", 95), ("p99", 99))
        },
        "statuses": {str(s): n for s, n in statuses.items()},
        "errors": {},
        "cpu_percent": used,
        **cost(cpu, len(done)),
        "series": per_second(done, began),
    }


def per_second(done: list[tuple[float, float]], began: float) -> list[dict[str, float]]:
    seconds: dict[int, list[float]] = {}
    for at, taken in done:
        seconds.setdefault(int(at - began), []).append(taken * 1000)
    return [
        {
            "t": second + 1,
            "rps": len(taken),
            "p50_ms": percentile(taken, 50),
            "p99_ms": percentile(taken, 99),
        }
        for second, taken in sorted(seconds.items())
    ]
