"""PostgreSQL cut under the check-in (one statement on the pool's own connection): a 503
problem the client may retry, nothing written, and the next check-in after the database
is back goes through at once, without a restart."""

import asyncio
import uuid
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from attendance_service.config import AttendanceSettings
from attendance_service.main import create_app
from checkin_shared.clock import FrozenClock
from checkin_shared.keysets import StaticKeySet
from checkin_testkit.apps import lifespan_client
from checkin_testkit.tcp_proxy import TcpProxy
from checkin_testkit.tokens import TokenMinter


async def test_a_database_outage_gives_503_and_the_next_check_in_after_it_goes_through(
    attendance_settings: AttendanceSettings, minter: TokenMinter
) -> None:
    database = urlsplit(attendance_settings.database_url)
    proxy = await TcpProxy(database.hostname or "127.0.0.1", database.port or 5432).start()
    settings = attendance_settings.model_copy(
        update={"database_url": proxy.url_for(attendance_settings.database_url, 5432)}
    )
    clock = FrozenClock(datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    app = create_app(settings, clock=clock, keys=StaticKeySet(minter.jwks()))
    shoppers = [minter.headers(user_id=uuid.uuid4()) for _ in range(4)]
    try:
        async with lifespan_client(app) as client:
            before = await asyncio.gather(
                *(client.post("/attendance/check-ins", headers=s) for s in shoppers[:2])
            )
            assert [r.status_code for r in before] == [201, 201]  # two pooled connections
            proxy.cut()
            cut: Any = await client.post("/attendance/check-ins", headers=shoppers[2])
            assert cut.status_code == 503, cut.text
            assert cut.headers["content-type"] == "application/problem+json"
            assert cut.json()["code"] == "database_unavailable"
            assert cut.headers["retry-after"]
            proxy.heal()
            again = await client.post("/attendance/check-ins", headers=shoppers[2])
            assert again.status_code == 201, again.text  # the refused one was not stored
            assert again.json()["day"] == date(2026, 11, 20).isoformat()
            after = await client.post("/attendance/check-ins", headers=shoppers[3])
            assert after.status_code == 201, after.text
    finally:
        await proxy.stop()
