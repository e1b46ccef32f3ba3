"""The test fixtures reach a real broker and a real database of this run's own."""

import aio_pika
import asyncpg
from checkin_testkit.database import TestDatabase


async def test_the_broker_fixture_is_a_real_rabbitmq(amqp_url: str, test_run_id: str) -> None:
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(f"probe.{test_run_id}", exclusive=True)
        await channel.default_exchange.publish(aio_pika.Message(b"ping"), routing_key=queue.name)
        message = await queue.get(timeout=5)
        assert message is not None
        await message.ack()
        assert message.body == b"ping"


async def test_the_run_has_its_own_bootstrapped_database(test_database: TestDatabase) -> None:
    conn = await asyncpg.connect(test_database.admin_dsn)
    try:
        schemas = {r["nspname"] for r in await conn.fetch("SELECT nspname FROM pg_namespace")}
        owners = dict(
            await conn.fetch(
                "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace "
                "WHERE nspname IN ('auth', 'attendance', 'reward', 'notification')"
            )
        )
    finally:
        await conn.close()
    assert test_database.name.startswith("checkin_test_")
    assert {"auth", "attendance", "reward", "notification"} <= schemas
    assert owners == {s: f"{s}_svc" for s in ("auth", "attendance", "reward", "notification")}


def test_a_business_time_zone_this_machine_does_not_know_is_refused_at_start() -> None:
    import pydantic
    import pytest
    from checkin_shared.settings import BusinessTimeSettings

    assert BusinessTimeSettings(business_timezone="Europe/Paris").zone.key == "Europe/Paris"
    with pytest.raises(pydantic.ValidationError, match="unknown time zone 'Mars/Olympus'"):
        BusinessTimeSettings(business_timezone="Mars/Olympus")
