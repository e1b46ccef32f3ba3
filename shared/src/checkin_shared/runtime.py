"""What every service's lifespan sets up: database, token verification, readiness, and
(for producers) the outbox relay. A service adds its own parts (a consumer) inside it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pydantic import Field
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from checkin_shared.clock import Clock
from checkin_shared.db import make_engine, make_session_factory
from checkin_shared.events.relay_thread import RelayThread
from checkin_shared.events.wiring import broker_check, make_relay
from checkin_shared.health import database_check, keys_check
from checkin_shared.keysets import KeySet, RemoteKeySet
from checkin_shared.settings import BrokerSettings, ServiceSettings
from checkin_shared.tokens import TokenVerifier


class RuntimeSettings(ServiceSettings, BrokerSettings):
    """The base of every service's settings (each sets its env prefix and defaults)."""

    database_url: str
    # Connections kept open, and opened beyond them under load (closed when returned).
    # No overflow by default: under a sustained load it opens and closes a connection
    # per request (a backend process forked each time), which the profile showed costs
    # more than waiting for a pooled one.
    # The sum over every replica of `max_db_connections` must stay under PostgreSQL's
    # max_connections: docs/operations.md, "Database connection budget".
    db_pool_size: int = Field(9, ge=1)
    db_max_overflow: int = Field(0, ge=0)

    @property
    def max_db_connections(self) -> int:
        """The most connections one replica opens: its pool, the overflow, and the outbox
        relay's own two, its LISTEN connection and the one it publishes through
        (producers only; counted for every service)."""
        return self.db_pool_size + self.db_max_overflow + 2


@asynccontextmanager
async def service_runtime(
    app: FastAPI,
    *,
    service: str,
    settings: RuntimeSettings,
    clock: Clock,
    keys: KeySet | None = None,
    outbox: Table | None = None,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Yields the session factory. `keys` replaces the JWKS fetched from the auth service
    (the auth service passes its own keys; tests pass theirs)."""
    engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    factory = make_session_factory(engine)
    remote = None
    if keys is None:
        remote = RemoteKeySet(
            settings.jwks_url,
            refresh_every=settings.jwks_refresh_seconds,
            min_refetch=settings.jwks_min_refetch_seconds,
        )
        await remote.start()
    app.state.settings = settings
    app.state.clock = clock
    app.state.engine = engine  # for single-statement work (single_statement.py)
    app.state.session_factory = factory
    app.state.token_verifier = TokenVerifier(
        keys if keys is not None else _started(remote),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        algorithms=settings.jwt_algorithms,
    )
    app.state.readiness_checks = {"database": database_check(engine)}
    if remote is not None:
        app.state.readiness_checks["jwks"] = keys_check(remote)
    app.state.readiness_info = {"broker": broker_check(settings.amqp_url)}
    relay = None
    if outbox is not None:
        relay = RelayThread(
            lambda sessions: make_relay(
                service=service,
                settings=settings,
                database_url=settings.database_url,
                outbox=outbox,
                session_factory=sessions,
            ),
            database_url=settings.database_url,
            name=f"outbox-relay-{service}",
        )
        await relay.start()
    try:
        yield factory
    finally:
        if relay is not None:
            await relay.stop()
        if remote is not None:
            await remote.stop()
        await engine.dispose()


def _started(remote: RemoteKeySet | None) -> RemoteKeySet:
    assert remote is not None
    return remote
