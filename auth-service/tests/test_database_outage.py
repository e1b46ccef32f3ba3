"""PostgreSQL cut: clear 503 problem+json answers (never a 500), and full recovery without
a restart once it is back."""

import asyncio
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from auth_service.main import create_app
from checkin_testkit.apps import lifespan_client
from checkin_testkit.tcp_proxy import TcpProxy


def through(proxy: TcpProxy, url: str) -> str:
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}@127.0.0.1:{proxy.port}"))


async def test_a_database_outage_gives_503_and_recovers(
    settings_for: Any, auth_database_url: str, api: Any
) -> None:
    database = urlsplit(auth_database_url)
    proxy = await TcpProxy(database.hostname or "127.0.0.1", database.port or 5432).start()
    try:
        settings = settings_for(database_url=through(proxy, auth_database_url))
        async with lifespan_client(create_app(settings)) as client:
            body = {"email": api.new_email(), "password": "outage pass 1", "name": "O"}
            assert (await client.post("/auth/register", json=body)).status_code == 201
            proxy.cut()
            answers = await asyncio.gather(
                client.post("/auth/register", json={**body, "email": api.new_email()}),
                client.post("/auth/login", json={"email": body["email"], "password": "x"}),
                client.get("/readyz"),
            )
            for response in answers:
                assert response.status_code == 503, response.text
                assert response.headers["content-type"] in (
                    "application/problem+json",
                    "application/json",
                )
            problem = answers[0].json()
            assert problem["code"] == "database_unavailable"
            assert answers[0].headers["retry-after"]
            proxy.heal()
            again = await client.post("/auth/register", json={**body, "email": api.new_email()})
            assert again.status_code == 201  # no restart needed
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await proxy.stop()
