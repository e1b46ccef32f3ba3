"""The auth service app: `uvicorn auth_service.main:create_app --factory`."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from checkin_shared.app import create_service_app
from checkin_shared.audit import audit_router
from checkin_shared.clock import Clock, SystemClock
from checkin_shared.errors import ProblemError
from checkin_shared.keysets import StaticKeySet
from checkin_shared.logs import configure_logging
from checkin_shared.runtime import service_runtime
from checkin_shared.unit_of_work import unit_of_work
from fastapi import FastAPI

from auth_service.accounts import router as accounts_router
from auth_service.admins import ensure_admin
from auth_service.config import AuthSettings
from auth_service.db import AUDIT, OUTBOX
from auth_service.identity import router as identity_router
from auth_service.identity.jwks import JwksCache
from auth_service.imports import router as imports_router
from auth_service.imports.worker import ImportWorker
from auth_service.integrations import router as integrations_router
from auth_service.keys import router as keys_router
from auth_service.keys.signing import SigningKeys
from auth_service.purchases import router as purchases_router
from auth_service.sessions import router as sessions_router
from auth_service.sessions.service import Issuer
from auth_service.sessions.throttle import LoginThrottle
from auth_service.users.models import Account
from auth_service.users.passwords import Passwords
from auth_service.webhooks import router as webhooks_router

log = logging.getLogger(__name__)


def create_app(settings: AuthSettings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or AuthSettings()
    configure_logging("auth", settings.log_level, json_lines=settings.log_json)
    keys = SigningKeys.from_pem(settings.signing_key_pem(), settings.previous_signing_key_pem())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with service_runtime(
            app,
            service="auth",
            settings=settings,
            clock=clock or SystemClock(),
            keys=StaticKeySet(keys.jwks()),
            outbox=OUTBOX,
        ) as factory:
            app.state.passwords = Passwords(
                time_cost=settings.argon2_time_cost,
                memory_kib=settings.argon2_memory_kib,
                parallelism=settings.argon2_parallelism,
            )
            app.state.signing_keys = keys
            app.state.issuer = Issuer(settings, keys)
            app.state.login_throttle = LoginThrottle(
                factory,
                window_seconds=settings.login_window_seconds,
                max_per_email=settings.login_max_failures_per_email,
                max_per_ip=settings.login_max_failures_per_ip,
            )
            await _bootstrap_admin(app, settings)
            worker = ImportWorker(
                factory,
                app.state.clock,
                batch_rows=settings.import_batch_rows,
                lease_seconds=settings.import_lease_seconds,
            )
            app.state.import_worker = worker
            worker.start()
            async with httpx.AsyncClient(follow_redirects=False) as http:
                app.state.http = http  # identity providers' discovery and JWKS
                app.state.jwks = JwksCache(
                    http,
                    ttl=settings.jwks_cache_seconds,
                    allow_loopback=settings.allow_loopback_urls,
                    refresh_floor=settings.jwks_refresh_floor_seconds,
                )
                try:
                    yield
                finally:
                    await worker.stop()

    app = create_service_app(
        service="auth",
        segment="auth",
        title="auth-service",
        description="Accounts, tokens, purchase history and the JWKS.",
        lifespan=lifespan,
    )
    for module in (
        accounts_router,
        sessions_router,
        purchases_router,
        integrations_router,
        webhooks_router,
        identity_router,
        imports_router,
        keys_router,
    ):
        app.include_router(module.router)
    accounts = Account.__table__
    app.include_router(audit_router("auth", AUDIT, accounts, accounts.c.id, accounts.c.email))
    return app


async def _bootstrap_admin(app: FastAPI, settings: AuthSettings) -> None:
    email, password = settings.bootstrap_admin_email, settings.bootstrap_admin_password
    if not (email and password):
        return
    try:
        async with unit_of_work(app.state.session_factory) as session:
            outcome = await ensure_admin(
                session,
                app.state.passwords,
                email=email,
                password=password.get_secret_value(),
                name=settings.bootstrap_admin_name,
                now=app.state.clock.now(),
            )
    except ProblemError as exc:
        raise RuntimeError(f"AUTH_BOOTSTRAP_ADMIN_PASSWORD refused: {exc.detail}") from None
    log.info("bootstrap admin %s: %s", email, outcome)
