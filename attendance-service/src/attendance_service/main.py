"""The attendance service app: `uvicorn attendance_service.main:create_app --factory`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from checkin_shared.app import create_service_app
from checkin_shared.clock import Clock, SystemClock
from checkin_shared.direct_dispatch import ServiceApp
from checkin_shared.events.contracts import RewardCampaignChangedV1, RewardMakeupRequestedV1
from checkin_shared.events.eligibility import ELIGIBILITY_EVENT, eligibility_handler
from checkin_shared.events.people import people_handlers
from checkin_shared.events.wiring import make_consumer
from checkin_shared.keysets import KeySet
from checkin_shared.logs import configure_logging
from checkin_shared.runtime import service_runtime
from fastapi import FastAPI

from attendance_service.admin import router as admin_router
from attendance_service.checkins import router as checkins_router
from attendance_service.checkins.campaign_rules import RulesInForce, on_campaign_changed
from attendance_service.checkins.makeups import makeup_handler
from attendance_service.config import AttendanceSettings
from attendance_service.db import ELIGIBILITY, INBOX, OUTBOX, PEOPLE


def create_app(
    settings: AttendanceSettings | None = None,
    clock: Clock | None = None,
    keys: KeySet | None = None,
) -> ServiceApp:
    """`keys` replaces the JWKS fetched from the auth service (tests pass their own)."""
    settings = settings or AttendanceSettings()
    configure_logging("attendance", settings.log_level, json_lines=settings.log_json)

    runtime_clock = clock or SystemClock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(
            app,
            service="attendance",
            settings=settings,
            clock=runtime_clock,
            keys=keys,
            outbox=OUTBOX,
        ) as factory:
            consumer = make_consumer(
                service="attendance",
                settings=settings,
                inbox=INBOX,
                session_factory=factory,
                handlers={
                    ELIGIBILITY_EVENT: eligibility_handler(ELIGIBILITY),
                    RewardMakeupRequestedV1.event_type: makeup_handler(runtime_clock),
                    RewardCampaignChangedV1.event_type: on_campaign_changed,
                    **people_handlers(PEOPLE),
                },
            )
            app.state.consumer = consumer
            app.state.campaign_rules = RulesInForce(settings.campaign_rules_cache_seconds)
            await consumer.start()
            try:
                yield
            finally:
                await consumer.stop()

    app = create_service_app(
        service="attendance",
        segment="attendance",
        title="attendance-service",
        description="Daily check-ins, streaks and calendars; admin views of attendance.",
        lifespan=lifespan,
    )
    app.include_direct(checkins_router.hot)
    app.include_router(checkins_router.router)
    app.include_router(admin_router.router)
    return app
