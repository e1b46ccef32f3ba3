"""Which HTTP client should the gateway use upstream? Measure it here, on this machine.

Starts a minimal upstream (uvicorn + uvloop + httptools, own process), then drives it from
this process with each candidate client: N requests, C in flight, keep-alive pool of C.
Reports requests/s and this process's CPU per request (what a gateway would pay).

    uv run python bench/upstream_client.py [--requests 20000] [--concurrency 64]
"""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
import uvloop

HELLO_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'{"hello":"world"}'})
"""

Fetch = Callable[[], Awaitable[int]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def drive(fetch: Fetch, requests: int, concurrency: int) -> dict[str, float]:
    remaining = requests
    errors = 0

    async def worker() -> None:
        nonlocal remaining, errors
        while remaining > 0:
            remaining -= 1
            if await fetch() != 200:
                errors += 1

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "requests_per_s": round(requests / wall),
        "client_cpu_us_per_request": round(cpu / requests * 1e6, 1),
        "errors": errors,
    }


async def measure(url: str, requests: int, concurrency: int) -> dict[str, dict[str, float]]:
    results = {}
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    ) as session:

        async def via_aiohttp() -> int:
            async with session.get(url) as response:
                await response.read()
                return response.status

        await drive(via_aiohttp, 500, concurrency)
        results["aiohttp"] = await drive(via_aiohttp, requests, concurrency)

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits) as client:

        async def via_httpx() -> int:
            return (await client.get(url)).status_code

        await drive(via_httpx, 500, concurrency)
        results["httpx"] = await drive(via_httpx, requests, concurrency)

    from httpx_aiohttp import AiohttpTransport

    transport = AiohttpTransport(
        client=lambda: aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
        )
    )
    async with httpx.AsyncClient(transport=transport) as client:

        async def via_httpx_aiohttp() -> int:
            return (await client.get(url)).status_code

        await drive(via_httpx_aiohttp, 500, concurrency)
        results["httpx+aiohttp transport"] = await drive(via_httpx_aiohttp, requests, concurrency)

    # The gateway's own (gateway/src/api_gateway/upstream_http.py), as the proxy calls it.
    from api_gateway.upstream_http import UpstreamPool, parse_base_url

    pool = UpstreamPool(limit=concurrency, connect_timeout=2.0, keepalive_seconds=30.0)
    origin, _ = parse_base_url(url.rstrip("/"))

    async def via_gateway_pool() -> int:
        response = await pool.request("GET", origin, b"/", [("accept", "*/*")], b"")
        try:
            await response.read()
            return response.status
        finally:
            response.release()

    await drive(via_gateway_pool, 500, concurrency)
    results["the gateway's pool"] = await drive(via_gateway_pool, requests, concurrency)
    pool.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args()
    port = free_port()
    app_dir = os.path.join(os.path.dirname(__file__), ".hello")
    os.makedirs(app_dir, exist_ok=True)
    with open(os.path.join(app_dir, "hello_app.py"), "w") as module:
        module.write(HELLO_APP)
    upstream = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "hello_app:app",
            "--port",
            str(port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
            "--app-dir",
            app_dir,
        ],
    )
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/"
        results = uvloop.run(measure(url, args.requests, args.concurrency))
    finally:
        upstream.terminate()
        upstream.wait(10)
    print(f"{args.requests} requests, {args.concurrency} in flight, one upstream process")
    print(f"{'client':<26}{'req/s':>10}{'CPU µs/req':>12}{'errors':>8}")
    for name, row in results.items():
        print(
            f"{name:<26}{row['requests_per_s']:>10}{row['client_cpu_us_per_request']:>12}"
            f"{row['errors']:>8}"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
