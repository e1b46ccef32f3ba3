"""What the auth service announces, and that a broker outage loses nothing."""

import asyncio
import json
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from auth_service.main import create_app
from checkin_shared.db import make_engine
from checkin_shared.events.topology import queue_names
from checkin_testkit.apps import lifespan_client
from checkin_testkit.auth import ALEMBIC_INI
from checkin_testkit.database import TestDatabase, isolated_database, run_migrations
from checkin_testkit.events import drain_queue, eventually, private_exchange
from checkin_testkit.tcp_proxy import TcpProxy
from sqlalchemy import text


class Collected:
    """Events taken from the notification queue of one exchange, kept across polls."""

    def __init__(self, amqp_url: str, exchange: str) -> None:
        self.amqp_url = amqp_url
        self.queue = queue_names(exchange, "notification").main
        self.events: list[dict[str, Any]] = []
        self.message_ids: list[str | None] = []

    async def poll(self) -> list[dict[str, Any]]:
        for message in await drain_queue(self.amqp_url, self.queue):
            self.events.append(json.loads(message.body))
            self.message_ids.append(message.message_id)
        return self.events

    def of(self, event_type: str, **data: Any) -> list[dict[str, Any]]:
        return [
            e
            for e in self.events
            if e["type"] == event_type and all(e["data"].get(k) == v for k, v in data.items())
        ]


async def test_registration_announces_user_registered(
    client: httpx.AsyncClient, api: Any, amqp_url: str, events_exchange: str
) -> None:
    collected = Collected(amqp_url, events_exchange)
    user = await api.register()

    async def arrived() -> bool:
        await collected.poll()
        return len(collected.of("user.registered.v1", user_id=user["id"])) == 1

    await eventually(arrived)
    [event] = collected.of("user.registered.v1", user_id=user["id"])
    assert event["data"] == {
        "user_id": user["id"],
        "email": user["email"],
        "name": "Kim",
        "locale": None,
    }
    assert event["producer"] == "auth"
    assert event["correlation_id"]  # the request id of the registration


async def test_the_language_of_sign_up_travels_with_the_registration(
    client: httpx.AsyncClient, api: Any, amqp_url: str, events_exchange: str
) -> None:
    """From the body, else the client's Accept-Language, else none (the shop's language)."""
    collected = Collected(amqp_url, events_exchange)
    cases = [
        ({"locale": "en"}, {"Accept-Language": "ko-KR,ko;q=0.9"}, "en"),
        ({}, {"Accept-Language": "fr-FR, ko;q=0.8, en;q=0.5"}, "ko"),
        ({}, {"Accept-Language": "en-US,en;q=0.9,ko;q=0.1"}, "en"),
        ({}, {"Accept-Language": "fr, de;q=0.5, *;q=0.1"}, None),
        ({}, {}, None),
    ]
    made = []
    for extra, headers, expected in cases:
        email = api.new_email()
        body = {"email": email, "password": api.password, "name": "Kim", **extra}
        answer = await client.post("/auth/register", json=body, headers=headers)
        assert answer.status_code == 201 and answer.json()["locale"] == expected
        made.append((answer.json()["id"], expected))

    async def arrived() -> bool:
        await collected.poll()
        return all(collected.of("user.registered.v1", user_id=user) for user, _ in made)

    await eventually(arrived)
    for user, expected in made:
        [event] = collected.of("user.registered.v1", user_id=user)
        assert event["data"]["locale"] == expected
    bad = await client.post(
        "/auth/register",
        json={"email": api.new_email(), "password": api.password, "name": "K", "locale": "xx"},
    )
    assert bad.status_code == 422


async def test_imports_announce_purchases_of_known_shoppers_and_linking_does_later(
    client: httpx.AsyncClient, api: Any, amqp_url: str, events_exchange: str
) -> None:
    collected = Collected(amqp_url, events_exchange)
    known = await api.register()
    later_email = api.new_email()
    admin = api.bearer(await api.admin_token())
    items = [
        {
            "email": e,
            "order_id": f"EV-{uuid.uuid4().hex[:8]}",
            "amount": "1000",
            "currency": "KRW",
            "purchased_at": "2026-11-20T10:00:00+09:00",
        }
        for e in (known["email"], later_email)
    ]
    await client.post("/auth/admin/purchases", json={"items": items}, headers=admin)
    later = await api.register(later_email)

    async def both() -> bool:
        await collected.poll()
        return all(
            collected.of("purchase.recorded.v1", user_id=u["id"], order_id=i["order_id"])
            for u, i in ((known, items[0]), (later, items[1]))
        )

    await eventually(both)
    again = await client.post("/auth/admin/purchases", json={"items": items}, headers=admin)
    assert again.json()["skipped"] == 2
    await asyncio.sleep(0.5)  # give a wrong second announcement the time to show up
    await collected.poll()
    assert len(collected.of("purchase.recorded.v1", order_id=items[0]["order_id"])) == 1


async def pending_in_outbox(database_url: str) -> int:
    engine = make_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            count = await conn.scalar(
                text("SELECT count(*) FROM auth.outbox WHERE published_at IS NULL")
            )
    finally:
        await engine.dispose()
    return int(count or 0)


async def test_200_registrations_during_a_broker_outage_all_succeed_and_all_arrive(
    settings_for: Any,
    amqp_url: str,
    test_run_id: str,
    test_database: TestDatabase,
    pytestconfig: pytest.Config,
) -> None:
    broker = urlsplit(amqp_url)
    proxy = await TcpProxy(broker.hostname or "127.0.0.1", broker.port or 5672).start()
    # Its own database: no other relay of this run may see (and publish) its outbox.
    async with (
        isolated_database(test_database, "outage", pytestconfig.rootpath) as database,
        private_exchange(amqp_url, test_run_id, consumers=("notification",)) as exchange,
    ):
        database_url = database.url_for("auth_svc")
        run_migrations(ALEMBIC_INI, database_url)
        settings = settings_for(
            database_url=database_url,
            amqp_url=proxy.url_for(amqp_url, 5672),
            events_exchange=exchange,
        )
        try:
            async with lifespan_client(create_app(settings)) as client:
                proxy.cut()
                emails = [f"outage-{uuid.uuid4().hex[:10]}@example.com" for _ in range(200)]
                statuses = await asyncio.gather(
                    *(
                        client.post(
                            "/auth/register",
                            json={"email": e, "password": "outage pass 1", "name": "O"},
                        )
                        for e in emails
                    )
                )
                assert [s.status_code for s in statuses] == [201] * 200
                ready = await client.get("/readyz")
                assert ready.status_code == 200  # still serving, broker reported down
                assert ready.json()["checks"]["broker"].startswith("down")
                await asyncio.sleep(1)  # the relay tries, fails and backs off meanwhile
                assert await pending_in_outbox(database_url) == 200  # held, not lost
                proxy.heal()
                collected = Collected(amqp_url, exchange)

                async def all_arrived() -> bool:
                    await collected.poll()
                    return len(collected.of("user.registered.v1")) >= 200

                await eventually(all_arrived, within=60)
                await asyncio.sleep(0.5)
                await collected.poll()
            registered = collected.of("user.registered.v1")
            assert len(registered) == 200
            assert {e["data"]["email"] for e in registered} == set(emails)
            assert len({e["id"] for e in registered}) == 200
        finally:
            await proxy.stop()


async def test_event_metrics_are_exported(client: httpx.AsyncClient, api: Any) -> None:
    await api.register()

    async def published_counted() -> bool:
        text_ = (await client.get("/metrics")).text
        return 'events_published_total{service="auth",type="user.registered.v1"}' in text_

    await eventually(published_counted)
    metrics = (await client.get("/metrics")).text
    for name in (
        "outbox_pending_events",
        "outbox_oldest_pending_age_seconds",
        "events_publish_failed_total",
        "events_consumed_total",
    ):
        assert f"# TYPE {name}" in metrics
