import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_gateway.config import GatewaySettings
from api_gateway.main import create_app
from auth_service.keys.signing import generate_private_key_pem
from auth_service.main import create_app as create_auth_app
from checkin_testkit.apps import free_port, lifespan_client, running_server
from checkin_testkit.auth import ALEMBIC_INI, signed_token, test_settings
from checkin_testkit.database import TestDatabase, isolated_database, run_migrations
from checkin_testkit.events import private_exchange
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).parent))
from upstream_app import create_upstream

ADMIN = ("gw-admin@example.com", "gateway admin 9")


@pytest.fixture(scope="session")
def gw_signing_pem() -> str:
    return generate_private_key_pem()


@pytest.fixture(scope="session")
async def auth_url(
    test_database: TestDatabase,
    gw_signing_pem: str,
    amqp_url: str,
    test_run_id: str,
    pytestconfig: pytest.Config,
) -> AsyncIterator[str]:
    # A database of its own: its outbox relay must not publish the auth tests' events.
    async with (
        isolated_database(test_database, "gateway", pytestconfig.rootpath) as database,
        private_exchange(amqp_url, test_run_id, consumers=("notification",)) as exchange,
    ):
        database_url = database.url_for("auth_svc")
        run_migrations(ALEMBIC_INI, database_url)
        settings = test_settings(
            database_url,
            gw_signing_pem,
            amqp_url=amqp_url,
            events_exchange=exchange,
            bootstrap_admin_email=ADMIN[0],
            bootstrap_admin_password=SecretStr(ADMIN[1]),
        )
        async with running_server(create_auth_app(settings)) as url:
            yield url


@pytest.fixture(scope="session")
async def upstream_url() -> AsyncIterator[str]:
    async with running_server(create_upstream()) as url:
        yield url


@pytest.fixture(scope="session")
def gateway_settings_for(auth_url: str, upstream_url: str) -> Any:
    def build(**overrides: Any) -> GatewaySettings:
        values: dict[str, Any] = {
            "environment": "test",
            "log_json": False,
            "routes": {
                "auth": auth_url,
                "echo": upstream_url,
                "slow": upstream_url,
                "dead": f"http://127.0.0.1:{free_port()}",
            },
            "jwks_url": f"{auth_url}/auth/.well-known/jwks.json",
            "upstream_timeout_seconds": 0.5,
            "max_body_bytes": 4096,
            "rate_per_ip": 1000.0,
            "burst_per_ip": 1000,
            "rate_per_user": 1000.0,
            "burst_per_user": 1000,
            "metrics_port": free_port(),
            **overrides,
        }
        return GatewaySettings(**values)

    return build


@pytest.fixture(scope="session")
async def gateway(gateway_settings_for: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with lifespan_client(create_app(gateway_settings_for())) as client:
        yield client


@pytest.fixture
def shopper_token(gw_signing_pem: str) -> str:
    return signed_token(gw_signing_pem, role="shopper")


@pytest.fixture
def admin_token(gw_signing_pem: str) -> str:
    return signed_token(gw_signing_pem, role="admin")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth_header() -> Any:
    return bearer
