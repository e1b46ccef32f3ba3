"""The attendance service app: `uvicorn attendance_service.main:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from checkin_shared.app import create_service_app
from checkin_shared.clock import Clock, SystemClock
from checkin_shared.db import make_engine, make_session_factory
from checkin_shared.events.wiring import broker_check, make_relay
from checkin_shared.health import database_check
from checkin_shared.keysets import KeySet, RemoteKeySet
from checkin_shared.logs import configure_logging
from checkin_shared.tokens import TokenVerifier
from fastapi import FastAPI

from attendance_service.admin import router as admin_router
from attendance_service.checkins import router as checkins_router
from attendance_service.config import AttendanceSettings
from attendance_service.db import OUTBOX


def create_app(
    settings: AttendanceSettings | None = None,
    clock: Clock | None = None,
    keys: KeySet | None = None,
) -> FastAPI:
    """`keys` replaces the JWKS fetched from the auth service (tests pass their own)."""
    settings = settings or AttendanceSettings()
    configure_logging("attendance", settings.log_level, json_lines=settings.log_json)

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
        app.state.clock = clock or SystemClock()
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
            service="attendance",
            settings=settings,
            database_url=settings.database_url,
            outbox=OUTBOX,
            session_factory=factory,
        )
        await relay.start()
        try:
            yield
        finally:
            await relay.stop()
            if remote is not None:
                await remote.stop()
            await engine.dispose()

    app = create_service_app(
        service="attendance",
        segment="attendance",
        title="attendance-service",
        description="Daily check-ins, streaks and calendars; admin views of attendance.",
        lifespan=lifespan,
    )
    app.include_router(checkins_router.router)
    app.include_router(admin_router.router)
    return app
