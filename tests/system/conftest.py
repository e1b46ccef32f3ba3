import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from checkin_testkit.database import drop_database
from checkin_testkit.events import private_exchange

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "devstack"))
from services import DEMO_SHOP, MAIL_SINK, SERVICES  # noqa: E402


def _ports_free(base: int, count: int) -> bool:
    for port in range(base, base + count):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def _anything_listens(base: int, count: int) -> bool:
    for port in range(base, base + count):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
    return False


STACK_PORTS = max(s.port_offset for s in [*SERVICES, MAIL_SINK, DEMO_SHOP]) + 1


def free_port_block(count: int = STACK_PORTS) -> int:
    for _ in range(100):
        # Below the ephemeral range (32768+ on Linux), so no outgoing connection can take
        # one of these ports between this check and the services binding them.
        base = random.randrange(20000, 32000, 10)
        if _ports_free(base, count):
            return base
    raise RuntimeError("no free block of ports")


@dataclass
class LocalStack:
    gateway: str
    base_port: int
    admin: tuple[str, str]
    process: subprocess.Popen[bytes]
    log: Path
    state: Path

    def service_url(self, offset: int) -> str:
        return f"http://127.0.0.1:{self.base_port + offset}"


@contextlib.asynccontextmanager
async def running_stack(
    name: str,
    run_id: str,
    postgres_admin_url: str,
    amqp_url: str,
    state: Path,
    extra_env: dict[str, str] | None = None,
    runner_args: tuple[str, ...] = (),
) -> AsyncIterator[LocalStack]:
    """The stack `make dev` runs, started by the same runner on free ports, with a
    database and an exchange of its own; stopped with Ctrl-C (SIGINT) afterwards."""
    database = f"checkin_{name}_{run_id}"
    base = free_port_block()
    log = state / "stack.log"
    admin = ("stack-admin@example.com", "stack admin pw 1")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AUTH_BOOTSTRAP_ADMIN_EMAIL": admin[0],
        "AUTH_BOOTSTRAP_ADMIN_PASSWORD": admin[1],
        "AUTH_ARGON2_TIME_COST": "1",
        "AUTH_ARGON2_MEMORY_KIB": "8192",
        # the fuzzing suite sends many requests from one IP and user
        "GATEWAY_RATE_PER_IP": "5000",
        "GATEWAY_BURST_PER_IP": "5000",
        "GATEWAY_RATE_PER_USER": "5000",
        "GATEWAY_BURST_PER_USER": "5000",
        **(extra_env or {}),
    }
    async with private_exchange(amqp_url, run_id) as exchange:
        argv = [
            sys.executable,
            str(REPO / "deploy/devstack/run.py"),
            "--base-port",
            str(base),
            "--database",
            database,
            "--state-dir",
            str(state),
            "--admin-url",
            postgres_admin_url,
            "--exchange",
            exchange,
            *runner_args,
        ]
        process = _spawn(argv, env, log)
        stack = LocalStack(f"http://127.0.0.1:{base}", base, admin, process, log, state)
        try:
            await _wait_for_seed(stack)
            yield stack
        finally:
            await asyncio.to_thread(_stop, process)
            await drop_database(postgres_admin_url, database)
        # Ctrl-C stops every process the runner started: clean exit, all ports free again.
        assert process.returncode == 0, stack.log.read_text()
        assert not _anything_listens(base, STACK_PORTS), "a service outlived the runner"


# Module scope: each test module gets a stack of its own (the fuzzing rewrites the campaign
# and tiers), and only one runs at a time (PostgreSQL's 100 connections).
@pytest.fixture(scope="module")
async def local_stack(
    test_run_id: str,
    postgres_admin_url: str,
    amqp_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[LocalStack]:
    state = tmp_path_factory.mktemp("stack-state")
    async with running_stack("stack", test_run_id, postgres_admin_url, amqp_url, state) as s:
        yield s


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as a developer would; the runner stops every service it started."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(30)
    if process.poll() is None:
        process.kill()


async def _wait_for_seed(stack: LocalStack) -> None:
    async with httpx.AsyncClient(timeout=2) as client:
        for _ in range(300):
            if stack.process.poll() is not None:
                raise RuntimeError(f"the stack exited early:\n{stack.log.read_text()}")
            if "The check-in stack is up" in stack.log.read_text(errors="replace"):
                return
            with contextlib.suppress(httpx.HTTPError):
                await client.get(f"{stack.gateway}/healthz")
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the stack did not come up:\n{stack.log.read_text()}")


@pytest.fixture(scope="session")
def stack_runner() -> Any:
    """`running_stack`, for tests that need a stack with settings of their own."""
    return running_stack
