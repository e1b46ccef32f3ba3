"""Claims of one tier waiting in line: one statement grants the whole line so far, while
stock lasts, first in line first; a broken claim key, a request given up and a database
that is not there each get the answer they would have had alone."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from checkin_shared.db import make_engine
from checkin_shared.unit_of_work import Reads
from reward_service.claims import context, grant
from reward_service.claims.grant import AlreadyGranted, Grant
from reward_service.claims.grant_lines import GrantLines

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def app_of(client: httpx.AsyncClient) -> Any:
    return client.app  # type: ignore[attr-defined]


async def grants_for(
    client: httpx.AsyncClient, tier_id: str, user_ids: list[uuid.UUID]
) -> list[Grant]:
    """Each shopper's grant as the claim route makes it, from the context it reads."""
    state = app_of(client).state
    reads = Reads(state.engine, state.session_factory)
    made = []
    for user_id in user_ids:
        tier = await context.read_early(
            reads, user_id=user_id, token_eligible=True, tier_id=uuid.UUID(tier_id), now=NOW
        )
        assert tier is not None
        made.append(Grant.of(tier, user_id=user_id, now=NOW, shipping=None))
    return made


async def lined_up(
    client: httpx.AsyncClient, rewards: Any, shoppers: int, **tier: Any
) -> tuple[dict[str, Any], list[uuid.UUID], list[Grant]]:
    """A new tier, that many shoppers with the days it needs, and the grant of each."""
    made = await rewards.tier(**tier)
    users = [uuid.uuid4() for _ in range(shoppers)]
    await rewards.give_days(users, made["required_days"])
    return made, users, await grants_for(client, made["id"], users)


async def low_stock_told(rewards: Any, tier_id: str) -> list[str]:
    """The stock each of the tier's `reward.stock_low` events announced."""
    rows = await rewards.sql(
        "SELECT payload->'data'->>'stock' FROM reward.outbox "
        "WHERE event_type = 'reward.stock_low.v1' AND payload->'data'->>'tier_id' = :t",
        t=tier_id,
    )
    return [stock for (stock,) in rows]


class Statements:
    """Spies on `grant.together`: how many claims each statement carried."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[int] = []
        self.started = asyncio.Event()
        real = grant.together

        async def counted(connection: Any, grants: Any) -> dict[uuid.UUID, int]:
            self.sizes.append(len(grants))
            self.started.set()
            return await real(connection, grants)

        monkeypatch.setattr(grant, "together", counted)


async def test_a_line_of_twelve_is_one_statement_and_the_first_five_get_the_stock(
    client: httpx.AsyncClient, rewards: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tier, users, made = await lined_up(client, rewards, 12, stock=5, low_stock_threshold=3)
    statements = Statements(monkeypatch)

    numbers = await asyncio.gather(*(app_of(client).state.grant_lines.grant(g) for g in made))

    assert statements.sizes == [12]
    assert all(n is not None for n in numbers[:5]) and numbers[5:] == [None] * 7
    assert numbers[:5] == sorted(numbers[:5])  # numbered in line order
    stored = await rewards.sql(
        "SELECT c.user_id, c.number, o.payload->'data'->>'stock_left', "
        "o.payload->'data'->>'claim_number' FROM reward.claim AS c "
        "JOIN reward.outbox AS o ON o.payload->'data'->>'claim_id' = c.id::text "
        "WHERE c.tier_id = :t ORDER BY c.number",
        t=tier["id"],
    )
    assert [row[0] for row in stored] == users[:5]
    assert [int(row[2]) for row in stored] == [4, 3, 2, 1, 0]
    assert [row[3] for row in stored] == [f"C-{n:06d}" for n in numbers[:5]]
    [(stock,)] = await rewards.sql("SELECT stock FROM reward.tier WHERE id = :t", t=tier["id"])
    # crossed once, by this statement, leaving 0
    assert (stock, await low_stock_told(rewards, tier["id"])) == (0, ["0"])
    [(items,)] = await rewards.sql(
        "SELECT count(*) FROM reward.fulfilment AS f JOIN reward.claim AS c "
        "ON c.id = f.claim_id WHERE c.tier_id = :t AND f.status = 'awaiting_address'",
        t=tier["id"],
    )
    assert items == 5


async def test_claims_that_arrive_while_a_statement_runs_go_in_the_next_one(
    client: httpx.AsyncClient, rewards: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, users, made = await lined_up(client, rewards, 9, kind="points", points=100, stock=50)
    statements = Statements(monkeypatch)
    lines = app_of(client).state.grant_lines

    first = asyncio.create_task(lines.grant(made[0]))
    await statements.started.wait()  # the first statement is on its way
    rest = await asyncio.gather(*(lines.grant(g) for g in made[1:]))

    assert await first is not None and None not in rest
    assert statements.sizes == [1, 8]
    [(credited,)] = await rewards.sql(
        "SELECT count(*) FROM reward.points_entry WHERE amount = 100 "
        "AND user_id = ANY(CAST(:users AS uuid[]))",
        users=[str(u) for u in users],
    )
    assert credited == 9


async def test_a_statement_that_finds_the_stock_gone_answers_the_rest_of_the_line(
    client: httpx.AsyncClient, rewards: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every claim still waiting was sent before that statement saw no stock left: each is
    refused with it, without a statement of its own."""
    tier, _, made = await lined_up(client, rewards, 6, stock=1)
    statements = Statements(monkeypatch)
    lines = GrantLines(app_of(client).state.engine, most=2)

    numbers = await asyncio.gather(*(lines.grant(g) for g in made))

    assert statements.sizes == [2]
    assert numbers[0] is not None and numbers[1:] == [None] * 5
    [(claims,)] = await rewards.sql(
        "SELECT count(*) FROM reward.claim WHERE tier_id = :t", t=tier["id"]
    )
    assert claims == 1


async def test_a_claim_after_the_stock_ran_out_and_came_back_is_granted(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier, _, made = await lined_up(client, rewards, 3, stock=1)
    lines = app_of(client).state.grant_lines

    first, second = await asyncio.gather(*(lines.grant(g) for g in made[:2]))
    await rewards.sql("UPDATE reward.tier SET stock = 1 WHERE id = :t", t=tier["id"])
    third = await lines.grant(made[2])

    assert first is not None and second is None and third is not None


async def test_a_shoppers_second_claim_in_the_same_line_is_already_granted(
    client: httpx.AsyncClient, rewards: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The line's statement breaks the claim key and is undone whole; its claims are then
    granted one at a time, each with its own answer."""
    tier, users, _ = await lined_up(client, rewards, 3, stock=10)
    made = await grants_for(client, tier["id"], [*users, users[1]])
    statements = Statements(monkeypatch)

    answers = await asyncio.gather(
        *(app_of(client).state.grant_lines.grant(g) for g in made), return_exceptions=True
    )

    assert statements.sizes == [4, 1, 1, 1, 1]
    assert [isinstance(a, int) for a in answers] == [True, True, True, False]
    assert isinstance(answers[3], AlreadyGranted)
    [(stock, claims)] = await rewards.sql(
        "SELECT stock, (SELECT count(*) FROM reward.claim WHERE tier_id = :t) "
        "FROM reward.tier WHERE id = :t",
        t=tier["id"],
    )
    assert (stock, claims) == (7, 3)


async def test_a_claim_given_up_before_its_statement_is_not_granted(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier, users, (kept, given_up) = await lined_up(client, rewards, 2, stock=10)
    lines = app_of(client).state.grant_lines

    first = asyncio.create_task(lines.grant(kept))
    second = asyncio.create_task(lines.grant(given_up))
    await asyncio.sleep(0)  # both are in line; the line's statement has not started
    second.cancel()

    assert await first is not None
    with pytest.raises(asyncio.CancelledError):
        await second
    held = await rewards.sql("SELECT user_id FROM reward.claim WHERE tier_id = :t", t=tier["id"])
    assert held == [(users[0],)]


async def test_a_database_that_is_not_there_fails_every_claim_in_the_line(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier, _, made = await lined_up(client, rewards, 3, stock=10)
    nowhere = make_engine(
        "postgresql+asyncpg://nobody@127.0.0.1:1/none", pool_size=1, pool_timeout=2
    )
    try:
        lines = GrantLines(nowhere)
        answers = await asyncio.gather(*(lines.grant(g) for g in made), return_exceptions=True)
        assert all(isinstance(a, ConnectionRefusedError) for a in answers), answers
        # the line is gone with its failure: the next claim starts a new one
        with pytest.raises(ConnectionRefusedError):
            await lines.grant(made[0])
    finally:
        await nowhere.dispose()
    [(claims,)] = await rewards.sql(
        "SELECT count(*) FROM reward.claim WHERE tier_id = :t", t=tier["id"]
    )
    assert claims == 0


async def test_a_line_that_starts_at_the_threshold_does_not_announce_it_again(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    """Low stock is announced by the statement that crosses the threshold (from above it
    to at or below it), not by every statement below it."""
    tier, _, made = await lined_up(client, rewards, 2, stock=4, low_stock_threshold=4)

    numbers = await asyncio.gather(*(app_of(client).state.grant_lines.grant(g) for g in made))

    assert None not in numbers
    assert await low_stock_told(rewards, tier["id"]) == []


async def test_two_processes_lines_for_one_tier_wait_for_each_other_and_refuse_no_one(
    client: httpx.AsyncClient, rewards: Any, reward_database_url: str
) -> None:
    """Two replicas of the service each have a line for the tier; their statements meet
    at the tier's row, and the one that waited takes its units from what the other left."""
    tier, _, made = await lined_up(client, rewards, 16, stock=16)
    engines = [make_engine(reward_database_url, pool_size=2) for _ in range(2)]
    try:
        lines = [GrantLines(engine, most=2) for engine in engines]
        numbers = await asyncio.gather(*(lines[i % 2].grant(g) for i, g in enumerate(made)))
    finally:
        for engine in engines:
            await engine.dispose()
    assert None not in numbers and len(set(numbers)) == 16
    [(stock,)] = await rewards.sql("SELECT stock FROM reward.tier WHERE id = :t", t=tier["id"])
    assert stock == 0


async def test_a_lines_statement_waits_for_a_connection_ahead_of_single_requests(
    client: httpx.AsyncClient,
    rewards: Any,
    reward_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In a storm its statement answers many claims; it must not queue behind the read of
    every claim that came after them."""
    _, _, made = await lined_up(client, rewards, 1, kind="points", points=100, stock=5)
    statements = Statements(monkeypatch)
    order: list[str] = []
    engine = make_engine(reward_database_url, pool_size=1, max_overflow=0)

    async def single(name: str) -> None:
        connection = await engine.raw_connection()
        order.append(name)
        connection.close()

    try:
        held = await engine.raw_connection()
        singles = [asyncio.create_task(single(f"single {n}")) for n in (1, 2)]
        await asyncio.sleep(0.05)  # both wait for the one connection
        granted = asyncio.create_task(GrantLines(engine).grant(made[0]))
        await asyncio.sleep(0.05)  # the line's task waits too, after them
        statements.started.clear()
        held.close()
        await statements.started.wait()
        order.append("line")
        async with asyncio.timeout(10):
            number = await granted
            await asyncio.gather(*singles)
    finally:
        await engine.dispose()
    assert number is not None
    assert order[0] == "line", order
