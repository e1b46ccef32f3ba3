"""The stack under test: `make dev`'s runner on ports of its own, with its own database,
exchange and state folder, so a developer's `make dev` is untouched."""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASE_PORT = 18000
DATABASE = "checkin_bench"
ADMIN = ("bench-admin@example.com", "bench admin pw 1")
# gateway_metrics: the gateway's internal /metrics port (GATEWAY_METRICS_OFFSET)
OFFSETS = {
    "gateway": 0,
    "auth": 1,
    "attendance": 2,
    "reward": 3,
    "notification": 4,
    "gateway_metrics": 9,
}


def database_url(admin_url: str) -> str:
    """The bench database, on the server of the admin URL."""
    return admin_url.rsplit("/", 1)[0] + f"/{DATABASE}"


@dataclass
class BenchStack:
    state: Path
    process: subprocess.Popen[bytes]
    exchange: str

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{BASE_PORT + OFFSETS[name]}"

    def pids(self) -> dict[str, int]:
        return {p.stem: int(p.read_text()) for p in sorted((self.state / "pids").glob("*.pid"))}


def start(state: Path, admin_url: str, exchange: str) -> BenchStack:
    state.mkdir(parents=True, exist_ok=True)
    log = (state / "stack.log").open("wb")
    env = {
        **os.environ,
        "AUTH_BOOTSTRAP_ADMIN_EMAIL": ADMIN[0],
        "AUTH_BOOTSTRAP_ADMIN_PASSWORD": ADMIN[1],
        # one address sends everything: per-IP limits would measure the limiter
        "GATEWAY_RATE_PER_IP": "1000000",
        "GATEWAY_BURST_PER_IP": "1000000",
    }
    for prefix in ("AUTH", "ATTENDANCE", "REWARD", "NOTIFICATION", "GATEWAY"):
        env[f"{prefix}_LOG_LEVEL"] = "WARNING"
    argv = [
        sys.executable,
        str(REPO / "deploy/devstack/run.py"),
        "--base-port",
        str(BASE_PORT),
        "--database",
        DATABASE,
        "--exchange",
        exchange,
        "--state-dir",
        str(state),
        "--admin-url",
        admin_url,
    ]
    process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    stack = BenchStack(state, process, exchange)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the stack exited:\n{(state / 'stack.log').read_text()}")
        if "The check-in stack is up" in (state / "stack.log").read_text(errors="replace"):
            return stack
        time.sleep(0.5)
    stop(stack)
    raise SystemExit(f"the stack did not come up:\n{(state / 'stack.log').read_text()}")


def stop(stack: BenchStack) -> None:
    if stack.process.poll() is None:
        stack.process.send_signal(signal.SIGINT)
        try:
            stack.process.wait(60)
        except subprocess.TimeoutExpired:
            stack.process.kill()
