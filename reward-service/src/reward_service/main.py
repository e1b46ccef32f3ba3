"""The reward service app: `uvicorn reward_service.main:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from checkin_shared.app import create_service_app
from checkin_shared.clock import Clock, SystemClock
from checkin_shared.db import make_engine, make_session_factory
from checkin_shared.events.consumer import InboxConsumer
from checkin_shared.events.wiring import broker_check, make_relay
from checkin_shared.health import database_check
from checkin_shared.keysets import KeySet, RemoteKeySet
from checkin_shared.logs import configure_logging
from checkin_shared.tokens import TokenVerifier
from fastapi import FastAPI

from reward_service.admin import router as admin_router
from reward_service.campaigns import router as campaigns_router
from reward_service.config import RewardSettings
from reward_service.db import INBOX, OUTBOX
from reward_service.projection.handlers import HANDLERS
from reward_service.shopper import router as shopper_router
from reward_service.stock.sweep import StockSweeper
from reward_service.tiers import router as tiers_router


def create_app(
    settings: RewardSettings | None = None,
    clock: Clock | None = None,
    keys: KeySet | None = None,
) -> FastAPI:
    """`keys` replaces the JWKS fetched from the auth service (tests pass their own)."""
    settings = settings or RewardSettings()
    configure_logging("reward", settings.log_level, json_lines=settings.log_json)
    the_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        factory = make_session_factory(engine)
        remote = None
        verifier_keys = keys
        if verifier_keys is None:
            remote = RemoteKeySet(
                settings.jwks_url,
                refresh_every=settings.jwks_refresh_seconds,
                min_refetch=settings.jwks_min_refetch_seconds,
            )
            await remote.start()
            verifier_keys = remote
        app.state.settings = settings
        app.state.clock = the_clock
        app.state.session_factory = factory
        app.state.token_verifier = TokenVerifier(
            verifier_keys,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithms=settings.jwt_algorithms,
        )
        app.state.readiness_checks = {"database": database_check(engine)}
        app.state.readiness_info = {"broker": broker_check(settings.amqp_url)}
        relay = make_relay(
            service="reward",
            settings=settings,
            database_url=settings.database_url,
            outbox=OUTBOX,
            session_factory=factory,
        )
        consumer = InboxConsumer(
            service="reward",
            url=settings.amqp_url,
            exchange=settings.events_exchange,
            inbox=INBOX,
            session_factory=factory,
            handlers=HANDLERS,
            prefetch=settings.consumer_prefetch,
            max_attempts=settings.consumer_max_attempts,
            retry_delay_ms=settings.consumer_retry_delay_ms,
        )
        sweeper = StockSweeper(
            factory,
            the_clock,
            default_zone=settings.business_timezone,
            at=settings.stock_sweep_at,
            every_seconds=settings.stock_sweep_check_seconds,
        )
        app.state.consumer = consumer
        app.state.sweeper = sweeper
        await relay.start()
        await consumer.start()
        sweeper.start()
        try:
            yield
        finally:
            await sweeper.stop()
            await consumer.stop()
            await relay.stop()
            if remote is not None:
                await remote.stop()
            await engine.dispose()

    app = create_service_app(
        service="reward",
        segment="rewards",
        title="reward-service",
        description="Campaign, reward tiers and stock, claims and points; admin views.",
        lifespan=lifespan,
    )
    for module in (shopper_router, campaigns_router, tiers_router, admin_router):
        app.include_router(module.router)
    return app
