"""Async engine and session helpers. Transactions belong to `unit_of_work`: helpers never commit."""

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from checkin_shared.fair_pool import FairAsyncPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    """MetaData bound to one service's schema, with a Postgres naming convention."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def make_engine(
    url: str, *, pool_size: int = 5, max_overflow: int = 5, pool_timeout: float = 10
) -> AsyncEngine:
    """No pre-ping (it cost three round trips on every checkout): a connection found dead
    fails its one request (503 `database_unavailable`, retryable) and SQLAlchemy then
    invalidates every pooled connection older than it, so after a database restart each
    replica answers one 503 and reconnects. Connections are recycled after 30 minutes.
    Requests waiting for a connection get one in the order they came (fair_pool.py)."""
    return create_async_engine(
        url,
        poolclass=FairAsyncPool,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=False,
        pool_recycle=1800,
        pool_timeout=pool_timeout,
        connect_args={"timeout": 5, "command_timeout": 30},
    )


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
