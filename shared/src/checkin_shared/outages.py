"""Telling an unreachable dependency or a transient conflict (answer 503: retry) from a
bug (answer 500)."""

import errno
from collections.abc import Callable

import asyncpg
from sqlalchemy import exc as sa

_NETWORK_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.ETIMEDOUT,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.EPIPE,
}


def _one(error: BaseException) -> bool:
    if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa.OperationalError | sa.InterfaceError | sa.TimeoutError):
        return True  # connection-level failures; constraint violations are IntegrityError
    if isinstance(error, asyncpg.PostgresConnectionError | asyncpg.InterfaceError):
        return True
    # the server refusing work for now: too many connections, out of resources, starting up
    if isinstance(error, asyncpg.InsufficientResourcesError | asyncpg.CannotConnectNowError):
        return True
    # a deadlock or serialization failure (SQLSTATE class 40): the transaction was rolled
    # back only because of a concurrent one; the same request again will go through
    if isinstance(error, asyncpg.TransactionRollbackError):
        return True
    if isinstance(error, ConnectionError | TimeoutError):
        return True
    return isinstance(error, OSError) and error.errno in _NETWORK_ERRNOS


def _caused_by(error: BaseException, matches: Callable[[BaseException], bool]) -> bool:
    """True when `error`, or anything that caused it, matches."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if matches(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def database_unavailable(error: BaseException) -> bool:
    """True when `error`, or what caused it, is a lost or refused connection."""
    return _caused_by(error, _one)


def invalid_data(error: BaseException) -> bool:
    """True when PostgreSQL refused a value as data (SQLSTATE class 22: a NUL character,
    a number out of range ...): bad input that validation let through, never a 500."""
    return _caused_by(error, lambda e: isinstance(e, asyncpg.DataError | sa.DataError))
