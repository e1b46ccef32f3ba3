"""The unit of work owns the transaction: commit on success, roll back on any exception
or refusal (unless the refusal keeps its changes), and count the outcome from the
refusal's code. Against the real database."""

import asyncio
import uuid
from typing import Annotated, Any

import httpx
import pytest
from checkin_shared.errors import ProblemError, install_problem_handlers
from checkin_shared.unit_of_work import UnitOfWork, request_unit_of_work, unit_of_work
from fastapi import FastAPI, Request
from sqlalchemy import func, insert, select, text


async def notes(sessions: Any, tables: dict[str, Any], note: str) -> int:
    async with sessions() as session:
        effect = tables["effect"]
        return int(await session.scalar(select(func.count()).where(effect.c.note == note)) or 0)


async def write(session: Any, tables: dict[str, Any], note: str) -> None:
    await session.execute(insert(tables["effect"]).values(event_id=uuid.uuid4(), note=note))


async def write_then_raise(
    sessions: Any, tables: dict[str, Any], note: str, failure: Exception
) -> None:
    async with unit_of_work(sessions) as session:
        await write(session, tables, note)
        raise failure


async def test_work_that_succeeds_is_committed(probe_sessions: Any, probe_tables: Any) -> None:
    note = f"ok-{uuid.uuid4().hex[:8]}"
    async with unit_of_work(probe_sessions) as session:
        await write(session, probe_tables, note)
    assert await notes(probe_sessions, probe_tables, note) == 1


async def test_rolls_back_on_a_refusal_and_on_any_exception(
    probe_sessions: Any, probe_tables: Any
) -> None:
    note = f"no-{uuid.uuid4().hex[:8]}"
    for failure in (ProblemError(409, "conflict", "Conflict"), RuntimeError("boom")):
        with pytest.raises(type(failure)):
            await write_then_raise(probe_sessions, probe_tables, note, failure)
    assert await notes(probe_sessions, probe_tables, note) == 0


async def test_a_refusal_keeping_its_changes_commits_them(
    probe_sessions: Any, probe_tables: Any
) -> None:
    note = f"kept-{uuid.uuid4().hex[:8]}"
    refusal = ProblemError(401, "invalid_token", "Invalid token").keeping_changes()
    with pytest.raises(ProblemError):
        await write_then_raise(probe_sessions, probe_tables, note, refusal)
    assert await notes(probe_sessions, probe_tables, note) == 1


async def test_a_request_commits_its_work_and_counts_its_outcome(
    probe_sessions: Any, probe_tables: Any
) -> None:
    outcomes: list[str] = []
    seen_by_the_answer: list[int] = []

    def record(_: Request, outcome: str) -> None:
        outcomes.append(outcome)

    Work = Annotated[UnitOfWork, request_unit_of_work(record, success="written")]
    app = FastAPI()
    install_problem_handlers(app)
    app.state.session_factory = probe_sessions

    @app.post("/notes/{note}")
    async def add(
        note: str, work: Work, refuse: bool = False, replay: bool = False
    ) -> dict[str, str]:
        await write(work.session, probe_tables, note)
        if refuse:
            raise ProblemError(409, "duplicate_note", "Duplicate")
        if replay:
            work.outcome = "replayed"
        return {"note": note}

    note = f"req-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        answer = await client.post(f"/notes/{note}")
        seen_by_the_answer.append(await notes(probe_sessions, probe_tables, note))
        refused = await client.post(f"/notes/{note}-r", params={"refuse": "true"})
        replayed = await client.post(f"/notes/{note}-p", params={"replay": "true"})
    assert answer.status_code == 200 and seen_by_the_answer == [1]
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert await notes(probe_sessions, probe_tables, f"{note}-r") == 0
    assert replayed.status_code == 200
    assert outcomes == ["written", "duplicate_note", "replayed"]


async def test_single_statement_work_runs_without_begin_and_commit(probe_sessions: Any) -> None:
    """Inside one transaction `now()` stands still; without one, each statement is its
    own transaction and sees its own start time."""

    async def two_clocks(single_statement: bool) -> tuple[Any, Any]:
        async with unit_of_work(probe_sessions, single_statement=single_statement) as session:
            first = await session.scalar(text("SELECT now()"))
            await asyncio.sleep(0.01)
            return first, await session.scalar(text("SELECT now()"))

    first, second = await two_clocks(single_statement=False)
    assert first == second
    first, second = await two_clocks(single_statement=True)
    assert second > first
