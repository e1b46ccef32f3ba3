"""The image tier: the five images built with the repository's Dockerfile in a Docker engine
of this run's own, and the system run from them (host networking, loopback ports, the
test database and exchange), as `docker-compose.yml` would run it."""

import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from checkin_testkit import docker_engine, image_stack
from checkin_testkit.apps import free_port
from checkin_testkit.database import drop_database, load_bootstrap
from checkin_testkit.docker_engine import Engine
from checkin_testkit.events import private_exchange
from checkin_testkit.image_stack import Container, Inputs

REPO = Path(__file__).resolve().parents[2]
# building the images and starting them takes minutes, not the suite's two
pytestmark = pytest.mark.timeout(900)


@dataclass
class BuiltImages:
    engine: Engine
    tags: dict[str, str]  # package -> tag
    seconds: dict[str, float]
    base: str

    def rebuild(self, image: Any) -> None:
        build(self.engine, image, self.base)


@dataclass
class ImageStack:
    engine: Engine
    inputs: Inputs
    containers: dict[str, Container]
    run_id: str
    mail: Path
    database_dsn: str  # as PostgreSQL's admin, to check what the services wrote
    ran_steps: list[Container] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.inputs.ports['gateway']}"

    def container_name(self, name: str) -> str:
        return f"checkin-{self.run_id}-{name}"

    def inspect(self, name: str) -> Any:
        out = self.engine.run("inspect", self.container_name(name)).stdout
        return json.loads(out)[0]

    def logs(self, name: str) -> str:
        done = self.engine.run("logs", "--tail", "60", self.container_name(name), check=False)
        return done.stdout + done.stderr

    async def wait_healthy(self, name: str, within: float = 90) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            state = self.inspect(name)["State"]
            if not state["Running"]:
                raise RuntimeError(f"{name} stopped:\n{self.logs(name)}")
            if state.get("Health", {}).get("Status") == "healthy":
                return
            await asyncio.sleep(0.5)
        raise RuntimeError(f"{name} did not turn healthy:\n{self.logs(name)}")


REPORT: list[str] = []  # printed at the end of the run: sizes, build times


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if REPORT:
        terminalreporter.section("images")
        for line in REPORT:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def image_report() -> list[str]:
    return REPORT


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    reason = docker_engine.unavailable_reason()
    if reason:
        pytest.skip(f"image tier skipped: {reason}")
    with docker_engine.private_engine() as started:
        yield started


def build(engine: Engine, image: Any, base: str) -> None:
    """As `make images` builds it (deploy/docker/build_images.py), from the debootstrap base
    and on the host's network (this engine has no bridge)."""
    argv = image_stack.build_images(REPO).build_argv(
        REPO, image, image_stack.TAG, python_image=base, network="host"
    )
    engine.run(*argv, timeout=600)


@pytest.fixture(scope="session")
def images(engine: Engine) -> BuiltImages:
    started = time.monotonic()
    base = docker_engine.base_image(engine, REPO)
    REPORT.append(f"base image ready in {time.monotonic() - started:.0f} s")
    seconds = {}
    distinct = image_stack.build_images(REPO).distinct(REPO)
    for image in distinct:
        began = time.monotonic()
        build(engine, image, base)
        seconds[image.package] = time.monotonic() - began
    tags = {b.package: b.tag(image_stack.TAG) for b in distinct}
    return BuiltImages(engine, tags, seconds, base)


def _env_file(folder: Path, container: Container) -> Path:
    path = folder / f"{container.name}.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in container.env.items()))
    path.chmod(0o600)
    return path


def run_argv(stack: ImageStack, container: Container, folder: Path, *, detach: bool) -> list[str]:
    argv = ["run", "--network", "host", "--env-file", str(_env_file(folder, container))]
    argv += ["-d", "--name", stack.container_name(container.name)] if detach else ["--rm"]
    if container.read_only:
        argv.append("--read-only")
    if container.user is not None:
        argv += ["--user", container.user]
    for volume in container.volumes:
        argv += ["-v", volume]
    argv.append(container.build.tag(image_stack.TAG))
    return argv + (container.command or [])


@contextlib.contextmanager
def mail_sink(folder: Path) -> Iterator[int]:
    port = free_port()
    handler = ["-c", "aiosmtpd.handlers.Mailbox", str(folder)]
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", *handler]
    )
    try:
        yield port
    finally:
        sink.terminate()
        sink.wait(10)


# Module scope: stopped (and its database connections closed) before the next tier starts.
@pytest.fixture(scope="module")
async def image_stack_running(
    engine: Engine,
    images: BuiltImages,
    test_run_id: str,
    postgres_admin_url: str,
    amqp_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[ImageStack]:
    folder = tmp_path_factory.mktemp("image-stack")
    keys = folder / "keys"
    keys.mkdir()
    database = f"checkin_images_{test_run_id}"
    await load_bootstrap(REPO).bootstrap(postgres_admin_url, database)
    ports = {name: free_port() for name in ("auth", "attendance", "reward", "notification")}
    ports |= {"gateway": free_port(), "gateway-metrics": free_port()}
    try:
        async with private_exchange(amqp_url, test_run_id) as exchange:
            with mail_sink(folder / "mail") as smtp_port:
                inputs = Inputs(
                    database=database,
                    amqp_url=amqp_url,
                    exchange=exchange,
                    keys_folder=keys,
                    smtp_port=smtp_port,
                    admin=("image-admin@example.com", "image admin pw 1"),
                    ports=ports,
                )
                services = image_stack.services(REPO, inputs)
                stack = ImageStack(
                    engine,
                    inputs,
                    {c.name: c for c in services},
                    test_run_id,
                    folder / "mail",
                    urlsplit(postgres_admin_url)._replace(path=f"/{database}").geturl(),
                )
                for step in image_stack.steps(REPO, inputs):
                    engine.run(*run_argv(stack, step, folder, detach=False), timeout=180)
                    stack.ran_steps.append(step)
                *backends, gateway = services
                for service in backends:
                    engine.run(*run_argv(stack, service, folder, detach=True))
                for service in backends:
                    await stack.wait_healthy(service.name)
                engine.run(*run_argv(stack, gateway, folder, detach=True))
                await stack.wait_healthy(gateway.name)
                async with httpx.AsyncClient(base_url=stack.gateway, timeout=10) as client:
                    ready = await client.get("/readyz")
                    assert ready.status_code == 200, ready.text
                yield stack
                for service in services:
                    engine.run("rm", "-f", stack.container_name(service.name), check=False)
    finally:
        await asyncio.shield(drop_database(postgres_admin_url, database))
