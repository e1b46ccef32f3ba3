"""A service's heap is frozen once its startup is done, and unfrozen at shutdown."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from checkin_shared.app import create_service_app
from checkin_testkit.apps import lifespan_client, tracked_by_the_collector
from fastapi import FastAPI


async def test_what_startup_built_is_frozen_until_shutdown() -> None:
    gc.unfreeze()
    built: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        built["pool"] = app.state.pool = [object()]
        yield
        built["at_shutdown"] = gc.get_freeze_count()

    app = create_service_app(
        service="probe", segment="probe", title="probe", description="", lifespan=lifespan
    )
    async with lifespan_client(app) as client:
        assert gc.get_freeze_count() > 0
        assert not tracked_by_the_collector(built["pool"])  # built in startup: frozen
        later = [object()]  # what a request creates is collected as before
        assert tracked_by_the_collector(later)
        assert (await client.get("/healthz")).status_code == 200
    assert built["at_shutdown"] == 0  # unfrozen before the app's own shutdown runs
    assert gc.get_freeze_count() == 0
    assert tracked_by_the_collector(built["pool"])
