"""The one owner of a transaction: a request's or a message's work commits when it
succeeds and rolls back when anything is raised. Service code only flushes.

A refusal (`ProblemError`) rolls back too, unless it was raised with `keeping_changes()`
(a refresh-token reuse revokes the family *and* refuses the request)."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol, TypeVar

import asyncpg
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from checkin_shared.errors import ProblemError
from checkin_shared.single_statement import single_statement

OutcomeRecorder = Callable[[Request, str], None]
"""Counts a request's outcome: the success word the route left, or the refusal's code."""


@asynccontextmanager
async def unit_of_work(
    factory: async_sessionmaker[AsyncSession], *, single_statement: bool = False
) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits on success and rolls back on any exception.

    `single_statement`: the work is one statement, which PostgreSQL runs as a transaction
    of its own, so no BEGIN and COMMIT are sent around it (two round trips fewer on the
    check-in, the hottest path). Only for work that issues exactly one write statement."""
    async with factory() as session:
        if single_statement:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        try:
            yield session
        except ProblemError as refused:
            if refused.keeps_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        await session.commit()


@dataclass
class UnitOfWork:
    """A request's session, and the outcome word its route reports on success."""

    session: AsyncSession
    outcome: str = field(default="ok")


class CountedWork(Protocol):
    outcome: str


W = TypeVar("W", bound=CountedWork)


@asynccontextmanager
async def counted(
    request: Request, record: OutcomeRecorder | None, work: AbstractAsyncContextManager[W]
) -> AsyncIterator[W]:
    """The work, closed (committed) when the block ends; its outcome counted after that,
    from the problem's code when one is raised. A route closes it before it answers, so a
    client never sees a success that was not stored."""
    try:
        async with work as opened:
            yield opened
    except ProblemError as refused:
        if record is not None:
            record(request, refused.code)
        raise
    if record is not None:
        record(request, opened.outcome)


def _counted(
    record: OutcomeRecorder | None,
    open_work: Callable[[Request], AbstractAsyncContextManager[CountedWork]],
) -> Any:
    """A dependency yielding the work `open_work` opens (see `counted`), closed before the
    answer is sent (`scope="function"`)."""

    async def open_counted_work(request: Request) -> AsyncIterator[CountedWork]:
        async with counted(request, record, open_work(request)) as work:
            yield work

    return Depends(open_counted_work, scope="function")


def request_unit_of_work(
    record: OutcomeRecorder | None = None, *, success: str = "ok", single_statement: bool = False
) -> Any:
    """A dependency yielding the request's `UnitOfWork` (see `_counted`)."""

    def open_unit_of_work(request: Request) -> AbstractAsyncContextManager[UnitOfWork]:
        factory = request.app.state.session_factory
        return session_work(factory, success, single_statement=single_statement)

    return _counted(record, open_unit_of_work)


@asynccontextmanager
async def session_work(
    factory: async_sessionmaker[AsyncSession],
    success: str = "ok",
    *,
    single_statement: bool = False,
) -> AsyncIterator[UnitOfWork]:
    """A `UnitOfWork` (see `unit_of_work`), for a route to count with `counted`."""
    async with unit_of_work(factory, single_statement=single_statement) as session:
        yield UnitOfWork(session, success)


@dataclass
class Outcome:
    """The outcome word a route reports on success, for work that holds no transaction of
    its own while it is counted: reads on the pool's connections, or a unit of work the
    route opens only on the path that needs one."""

    outcome: str = field(default="ok")


@asynccontextmanager
async def outcome_only(success: str = "ok") -> AsyncIterator[Outcome]:
    """An `Outcome` for `counted`: nothing to open, commit or close."""
    yield Outcome(success)


@dataclass
class StatementWork:
    """A request's one statement: the pool's asyncpg connection (`single_statement.py`),
    and the outcome word its route reports on success."""

    connection: asyncpg.Connection
    outcome: str = field(default="ok")


@asynccontextmanager
async def statement_work(engine: AsyncEngine, success: str = "ok") -> AsyncIterator[StatementWork]:
    """A `StatementWork` on one of `engine`'s pooled connections: for a route whose whole
    write is one statement (its own transaction), without a session; counted by the route
    with `counted`."""
    async with single_statement(engine) as connection:
        yield StatementWork(connection, success)


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with unit_of_work(request.app.state.session_factory) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
"""The request's session inside its unit of work (for routes that count no outcome)."""


@dataclass(frozen=True)
class Reads:
    """A read-only route's way to the database, opened only where it is used: `session()`
    for reads through the ORM, `statement()` for a hot one-statement read on the pool's
    own connection. Neither runs BEGIN/COMMIT: each statement reads its own snapshot, so
    use them only where the answer needs no common snapshot across statements. Open one at
    a time, never one inside the other: requests each holding one pooled connection while
    waiting for a second can take the whole pool and wait on each other."""

    engine: AsyncEngine
    factory: async_sessionmaker[AsyncSession]

    def session(self) -> AbstractAsyncContextManager[AsyncSession]:
        return unit_of_work(self.factory, single_statement=True)

    def statement(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        return single_statement(self.engine)


def reads_of(request: Request) -> Reads:
    """The request's `Reads` (a `DirectRoute`'s way to `ReadsDep`)."""
    return Reads(request.app.state.engine, request.app.state.session_factory)


async def _reads(request: Request) -> Reads:
    return reads_of(request)


ReadsDep = Annotated[Reads, Depends(_reads)]
