"""The reward service app: `uvicorn reward_service.main:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from checkin_shared.app import create_service_app
from checkin_shared.audit import audit_router
from checkin_shared.clock import Clock, SystemClock
from checkin_shared.direct_dispatch import ServiceApp
from checkin_shared.events.wiring import make_consumer
from checkin_shared.keysets import KeySet
from checkin_shared.logs import configure_logging
from checkin_shared.runtime import service_runtime
from fastapi import FastAPI

from reward_service.campaigns import router as campaigns_router
from reward_service.catalog import CatalogCache
from reward_service.claims import admin_router as claims_admin_router
from reward_service.claims import router as claims_router
from reward_service.claims.grant_lines import GrantLines
from reward_service.claims.overview_json import OverviewJson
from reward_service.config import RewardSettings
from reward_service.db import AUDIT, INBOX, OUTBOX, PEOPLE
from reward_service.event_handlers import HANDLERS
from reward_service.fulfilment import router as fulfilment_router
from reward_service.points import makeup_router
from reward_service.points import router as points_router
from reward_service.points.expiry import PointsExpirer
from reward_service.stock import router as stock_router
from reward_service.stock.sweep import StockSweeper
from reward_service.tiers import router as tiers_router


def create_app(
    settings: RewardSettings | None = None,
    clock: Clock | None = None,
    keys: KeySet | None = None,
) -> ServiceApp:
    """`keys` replaces the JWKS fetched from the auth service (tests pass their own)."""
    settings = settings or RewardSettings()
    configure_logging("reward", settings.log_level, json_lines=settings.log_json)
    the_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(
            app, service="reward", settings=settings, clock=the_clock, keys=keys, outbox=OUTBOX
        ) as factory:
            consumer = make_consumer(
                service="reward",
                settings=settings,
                inbox=INBOX,
                session_factory=factory,
                handlers=HANDLERS,
            )
            sweeper = StockSweeper(
                factory,
                the_clock,
                default_zone=settings.business_timezone,
                at=settings.stock_sweep_at,
                every_seconds=settings.stock_sweep_check_seconds,
            )
            app.state.catalog = CatalogCache(settings.catalog_cache_seconds)
            app.state.overview = OverviewJson()
            app.state.grant_lines = GrantLines(app.state.engine)
            app.state.consumer = consumer
            expirer = PointsExpirer(
                factory, the_clock, every_seconds=settings.points_expiry_check_seconds
            )
            app.state.sweeper = sweeper
            app.state.expirer = expirer
            await consumer.start()
            sweeper.job.start()
            expirer.job.start()
            try:
                yield
            finally:
                await expirer.job.stop()
                await sweeper.job.stop()
                await consumer.stop()

    app = create_service_app(
        service="reward",
        segment="rewards",
        title="reward-service",
        description="Campaign, reward tiers and stock, claims and points; admin views.",
        lifespan=lifespan,
    )
    app.include_direct(claims_router.hot)
    for module in (
        claims_router,
        points_router,
        makeup_router,
        campaigns_router,
        tiers_router,
        stock_router,
        claims_admin_router,
        fulfilment_router,
    ):
        app.include_router(module.router)
    app.include_router(points_router.admin)
    app.include_router(fulfilment_router.staff)
    app.include_router(audit_router("rewards", AUDIT, PEOPLE, PEOPLE.c.user_id, PEOPLE.c.email))
    return app
