"""Child processes of the local stack: start with prefixed logs, wait, stop them all.
Each child's pid is written to `<state>/pids/<name>.pid` (to kill one on purpose)."""

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import httpx
from services import GATEWAY_METRICS_OFFSET, SERVICES, Service

COLORS = ["\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m", "\033[31m"]
RESET = "\033[0m"


def uvicorn_argv(app: str, port: int, *, proxy_headers: bool = True) -> list[str]:
    return [
        "uvicorn",
        app,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--loop",
        "checkin_shared.accept_loop:new_event_loop",  # uvloop, taking connections in bursts
        "--http",  # httptools, with header-read and body-idle timeouts
        "checkin_shared.http_protocol:TimedHttpToolsProtocol",
        "--no-access-log",
        "--timeout-keep-alive",
        "75",  # longer than the gateway's upstream keep-alive (see GatewaySettings)
        "--timeout-graceful-shutdown",
        "10",
        *([] if proxy_headers else ["--no-proxy-headers"]),
    ]


class Stack:
    def __init__(
        self,
        repo: Path,
        env: dict[str, str],
        base_port: int,
        *,
        pid_dir: Path,
        restart: bool = False,
    ) -> None:
        self.repo = repo
        self.env = env
        self.base_port = base_port
        self.pid_dir = pid_dir
        self.restart = restart
        self.children: dict[str, asyncio.subprocess.Process] = {}
        self.stopping = asyncio.Event()
        self._pumps: list[asyncio.Task[None]] = []

    def _label(self, name: str) -> str:
        if not sys.stdout.isatty():
            return f"{name:<12}| "
        color = COLORS[hash(name) % len(COLORS)]
        return f"{color}{name:<12}|{RESET} "

    async def run_step(self, name: str, argv: list[str]) -> None:
        print(f"• {name}")
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=self.repo,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await process.communicate()
        if process.returncode != 0:
            sys.stdout.write(output.decode(errors="replace"))
            raise SystemExit(f"step '{name}' failed with exit code {process.returncode}")

    async def start(self, service: Service, state: Path | None = None) -> None:
        port = self.base_port + service.port_offset
        if service.command:
            filled = [a.format(port=port, state=state) for a in service.command]
            await self._spawn(service.name, filled)
            return
        argv = uvicorn_argv(service.app, port, proxy_headers=service.proxy_headers)
        await self._spawn(service.name, argv)

    async def _spawn(self, name: str, argv: list[str]) -> None:
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=self.repo,
            env=self.env,
            start_new_session=True,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self.children[name] = process
        self.pid_dir.mkdir(parents=True, exist_ok=True)
        (self.pid_dir / f"{name}.pid").write_text(f"{process.pid}\n")
        self._pumps.append(asyncio.create_task(self._pump(name, argv, process)))

    async def _pump(self, name: str, argv: list[str], process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        label = self._label(name)
        async for line in process.stdout:
            sys.stdout.write(label + line.decode(errors="replace"))
            sys.stdout.flush()
        await process.wait()
        if self.stopping.is_set():
            return
        if self.restart:
            print(f"{label}exited with code {process.returncode}; starting it again", flush=True)
            await asyncio.sleep(0.5)
            if not self.stopping.is_set():
                await self._spawn(name, argv)
            return
        print(f"{label}exited with code {process.returncode}; stopping the stack")
        self.stopping.set()

    async def wait_ready(self, gateway_url: str, *, within: float) -> bool:
        deadline = asyncio.get_running_loop().time() + within
        async with httpx.AsyncClient(timeout=2) as client:
            while asyncio.get_running_loop().time() < deadline:
                if self.stopping.is_set():
                    return False
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{gateway_url}/readyz")).status_code == 200:
                        return True
                await asyncio.sleep(0.3)
        print(f"the stack did not become ready within {within:g} s (see {gateway_url}/readyz)")
        return False

    def request_stop(self) -> None:
        self.stopping.set()

    async def wait(self) -> int:
        await self.stopping.wait()
        if self.restart:  # a child that died was started again: only its last run counts
            return 0
        failed = [p.returncode for p in self.children.values() if p.returncode not in (None, 0)]
        return 1 if failed else 0

    async def stop(self) -> None:
        self.stopping.set()
        for process in self.children.values():
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.children.values():
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        for pump in self._pumps:
            pump.cancel()
        # A pid file left behind could make a later `kill $(cat ...)` hit another process.
        for name in self.children:
            (self.pid_dir / f"{name}.pid").unlink(missing_ok=True)

    def print_urls(
        self, gateway_url: str, admin: tuple[str, str], mail_dir: Path, shop_url: str
    ) -> None:
        lines = [
            "",
            "The check-in stack is up. Everything public goes through the gateway:",
            f"  gateway      {gateway_url}   (API docs: {gateway_url}/docs and /redoc)",
            f"  shopper page {gateway_url}/app/   (English: {gateway_url}/app/?lang=en)",
            f"  console      {gateway_url}/admin/   (staff: admin or support)",
            f"  metrics      http://127.0.0.1:{self.base_port + GATEWAY_METRICS_OFFSET}/metrics"
            "   (the gateway's, internal only; each service's on its own port)",
        ]
        for service in SERVICES:
            port = self.base_port + service.port_offset
            lines.append(f"  {service.name:<12} http://127.0.0.1:{port}   (direct, for debugging)")
        lines += [
            f"  mail         every mail sent lands in {mail_dir}/new (a Maildir)",
            f"  demo shop    {shop_url}   (stand-ins for the shop's sign-in and its webhook"
            f" receiver: what it receives is in {mail_dir.parent}/shop-hooks.jsonl)",
            f"  admin        {admin[0]} / {admin[1]}",
            "  demo shopper demo@example.com / check in 2026! (has a purchase)",
            "Press Ctrl-C to stop.",
            "",
        ]
        print("\n".join(lines), flush=True)
