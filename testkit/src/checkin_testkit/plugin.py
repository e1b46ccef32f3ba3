"""pytest plugin (registered by checkin-shared): session fixtures for real infrastructure."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from checkin_testkit import infra
from checkin_testkit.database import TestDatabase, drop_database, load_bootstrap


@pytest.fixture(scope="session")
def test_run_id() -> str:
    """Unique per test run: names the database, exchanges and queues of this run."""
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    with infra.postgres_admin_url() as url:
        yield url


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    with infra.amqp_url() as url:
        yield url


@pytest.fixture(scope="session")
async def test_database(
    postgres_admin_url: str, test_run_id: str, pytestconfig: pytest.Config
) -> AsyncIterator[TestDatabase]:
    """A database of its own for this run, with the role-per-service bootstrap applied."""
    name = f"checkin_test_{test_run_id}"
    bootstrap = load_bootstrap(pytestconfig.rootpath)
    await bootstrap.bootstrap(postgres_admin_url, name)
    yield TestDatabase(name=name, admin_url=postgres_admin_url)
    await asyncio.shield(drop_database(postgres_admin_url, name))
