"""Find a real PostgreSQL and RabbitMQ for tests: the environment's, else localhost, else
(only where a Docker engine answers) containers started with testcontainers."""

import contextlib
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672/"


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def docker_engine_up() -> bool:
    if shutil.which("docker") is None:
        return False
    result = subprocess.run(["docker", "info"], capture_output=True, timeout=10, check=False)  # noqa: S607
    return result.returncode == 0


@contextlib.contextmanager
def postgres_admin_url() -> Iterator[str]:
    url = os.environ.get("TEST_POSTGRES_ADMIN_URL", DEFAULT_POSTGRES)
    if reachable(url, 5432):
        yield url
        return
    if not docker_engine_up():
        raise RuntimeError(f"PostgreSQL is not reachable at {url} and no Docker engine is up")
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16-alpine", driver=None) as container:
        yield container.get_connection_url()


@contextlib.contextmanager
def amqp_url() -> Iterator[str]:
    url = os.environ.get("TEST_AMQP_URL", DEFAULT_AMQP)
    if reachable(url, 5672):
        yield url
        return
    if not docker_engine_up():
        raise RuntimeError(f"RabbitMQ is not reachable at {url} and no Docker engine is up")
    from testcontainers.rabbitmq import RabbitMqContainer

    with RabbitMqContainer("rabbitmq:3.13-management-alpine") as container:
        params = container.get_connection_params()
        yield f"amqp://guest:guest@{params.host}:{params.port}/"
