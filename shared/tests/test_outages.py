"""Only an unreachable database becomes a 503; a bug stays a 500."""

import errno

import asyncpg
import pytest
from checkin_shared.outages import database_unavailable
from sqlalchemy import exc as sa


def chained(outer: Exception, inner: BaseException) -> Exception:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    "error",
    [
        ConnectionResetError(errno.ECONNRESET, "reset"),
        ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
        TimeoutError(),
        asyncpg.ConnectionDoesNotExistError("closed"),
        asyncpg.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        sa.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        sa.TimeoutError("QueuePool limit reached"),
        chained(RuntimeError("while handling"), ConnectionResetError()),
    ],
)
def test_lost_or_refused_connections_are_outages(error: BaseException) -> None:
    assert database_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        KeyError("items"),
        sa.IntegrityError("INSERT", {}, Exception("duplicate key")),
        asyncpg.UniqueViolationError("duplicate key"),
        OSError(errno.ENOENT, "no such file"),
    ],
)
def test_bugs_and_constraint_violations_are_not(error: BaseException) -> None:
    assert not database_unavailable(error)


def test_values_the_database_refuses_are_bad_input_not_outages() -> None:
    from checkin_shared.outages import invalid_data

    nul = asyncpg.CharacterNotInRepertoireError("invalid byte sequence: 0x00")
    assert invalid_data(chained(sa.DataError("INSERT", {}, Exception()), nul))
    assert invalid_data(nul)
    assert not invalid_data(ValueError("a bug"))
    assert not database_unavailable(nul)
