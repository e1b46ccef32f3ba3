import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from checkin_shared.keysets import StaticKeySet
from checkin_testkit.apps import free_port, lifespan_client, running_server
from checkin_testkit.database import TestDatabase, run_migrations
from checkin_testkit.events import private_exchange
from checkin_testkit.tokens import TokenMinter
from notification_service.config import NotificationSettings
from notification_service.main import create_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).parent))
from mail import SmtpServer

ALEMBIC_INI = Path(__file__).parents[1] / "alembic.ini"
ALERT_RECIPIENTS = ["ops@example.com", "buyer@example.com"]
WEBHOOK_POSTS: list[dict[str, Any]] = []


@pytest.fixture(scope="session")
def minter() -> TokenMinter:
    return TokenMinter()


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def webhook_url() -> AsyncIterator[str]:
    async def hook(request: Request) -> JSONResponse:
        WEBHOOK_POSTS.append(await request.json())
        return JSONResponse({"ok": True})

    async with running_server(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield f"{url}/hook"


@pytest.fixture(scope="session")
async def events_exchange(amqp_url: str, test_run_id: str) -> AsyncIterator[str]:
    async with private_exchange(amqp_url, test_run_id) as name:
        yield name


@pytest.fixture(scope="session")
def settings(
    test_database: TestDatabase,
    amqp_url: str,
    events_exchange: str,
    smtp: SmtpServer,
    webhook_url: str,
) -> NotificationSettings:
    url = test_database.url_for("notification_svc")
    run_migrations(ALEMBIC_INI, url)
    return NotificationSettings(
        environment="test",
        database_url=url,
        amqp_url=amqp_url,
        events_exchange=events_exchange,
        smtp_port=smtp.port,
        slack_webhook_url=webhook_url,
        alert_recipients=ALERT_RECIPIENTS,
        locale="en",
        shop_name="Seoul Mart",
        event_page_url="https://shop.example/event",
        logo_url="https://shop.example/logo.png",
        public_url="https://rewards.shop.example",
        allow_loopback_urls=True,  # the shop's webhook receivers of the tests listen here
        sender_poll_seconds=0.1,
        retry_base_seconds=0.2,
        retry_max_seconds=1.0,
        max_attempts=4,
        consumer_retry_delay_ms=200,
        reminder_check_seconds=3600,
        log_json=False,
    )


@pytest.fixture(scope="session")
async def client(
    settings: NotificationSettings, minter: TokenMinter
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, keys=StaticKeySet(minter.jwks()))
    async with lifespan_client(app) as http:
        # Its queue exists and is bound once the consumer is connected; events published
        # before that would have nowhere to go.
        await asyncio.wait_for(app.state.consumer.connected.wait(), 15)
        http.app = app  # type: ignore[attr-defined]
        yield http


@pytest.fixture
def webhook_posts() -> list[dict[str, Any]]:
    """What the webhook server received (the list its handler appends to)."""
    return WEBHOOK_POSTS


@pytest.fixture
def alert_recipients() -> list[str]:
    return ALERT_RECIPIENTS


@pytest.fixture
def new_email() -> Any:
    return lambda: f"n-{uuid.uuid4().hex[:10]}@example.com"
