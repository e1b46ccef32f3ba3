import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from auth_service.config import AuthSettings
from auth_service.keys.signing import generate_private_key_pem
from auth_service.main import create_app
from checkin_testkit.apps import lifespan_client
from checkin_testkit.auth import ALEMBIC_INI, test_settings
from checkin_testkit.database import TestDatabase, run_migrations
from checkin_testkit.events import private_exchange
from pydantic import SecretStr

PASSWORD = "correct horse 42"
ADMIN_EMAIL = "root-admin@example.com"
ADMIN_PASSWORD = "admin pass 123"


@pytest.fixture(scope="session")
def signing_pem() -> str:
    return generate_private_key_pem()


@pytest.fixture(scope="session")
def auth_database_url(test_database: TestDatabase) -> str:
    url = test_database.url_for("auth_svc")
    run_migrations(ALEMBIC_INI, url)
    return url


@pytest.fixture(scope="session")
async def events_exchange(amqp_url: str, test_run_id: str) -> AsyncIterator[str]:
    async with private_exchange(amqp_url, test_run_id, consumers=("notification",)) as name:
        yield name


@pytest.fixture(scope="session")
def settings_for(
    auth_database_url: str, signing_pem: str, amqp_url: str, events_exchange: str
) -> Any:
    """Settings for an extra app instance, with some values changed."""

    def build(database_url: str = auth_database_url, **overrides: Any) -> AuthSettings:
        values = {"amqp_url": amqp_url, "events_exchange": events_exchange, **overrides}
        return test_settings(database_url, signing_pem, **values)

    return build


@pytest.fixture(scope="session")
def auth_settings(settings_for: Any) -> AuthSettings:
    settings: AuthSettings = settings_for(
        bootstrap_admin_email=ADMIN_EMAIL,
        bootstrap_admin_password=SecretStr(ADMIN_PASSWORD),
    )
    return settings


@pytest.fixture(scope="session")
async def client(auth_settings: AuthSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with lifespan_client(create_app(auth_settings)) as http:
        yield http


def new_email() -> str:
    return f"shopper-{uuid.uuid4().hex[:12]}@example.com"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class AuthApi:
    """Calls that many tests make, against whichever client it wraps."""

    password = PASSWORD

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    new_email = staticmethod(new_email)
    bearer = staticmethod(bearer)

    async def register(self, email: str | None = None) -> dict[str, Any]:
        email = email or new_email()
        response = await self.client.post(
            "/auth/register", json={"email": email, "password": PASSWORD, "name": "Kim"}
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        response = await self.client.post(
            "/auth/login", json={"email": email, "password": password}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def shopper(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """A new shopper and its token pair."""
        user = await self.register()
        return user, await self.login(user["email"])

    async def admin_token(self) -> str:
        pair = await self.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        token: str = pair["access_token"]
        return token


@pytest.fixture
def api(client: httpx.AsyncClient) -> AuthApi:
    return AuthApi(client)
