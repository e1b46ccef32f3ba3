"""Unit tier: the grant gate of a process, one grant per tier at a time (no database)."""

import asyncio
import uuid

import pytest
from reward_service.claims.grant_gate import GrantGate


async def test_one_turn_per_tier_at_a_time_in_arrival_order_and_tiers_apart() -> None:
    gate, tier, other = GrantGate(), uuid.uuid4(), uuid.uuid4()
    inside: list[str] = []
    order: list[str] = []
    most = 0

    async def claim(name: str, tier_id: uuid.UUID) -> None:
        nonlocal most
        async with gate.turn(tier_id):
            inside.append(name)
            most = max(most, sum(1 for n in inside if n[0] == name[0]))
            await asyncio.sleep(0.01)
            inside.remove(name)
            order.append(name)

    other_done = asyncio.create_task(claim("b0", other))
    await asyncio.gather(*(claim(f"a{i}", tier) for i in range(5)))
    assert [n for n in order if n.startswith("a")] == [f"a{i}" for i in range(5)]
    assert most == 1  # never two turns of one tier at once
    assert order.index("b0") < order.index("a1")  # another tier does not wait behind it
    await other_done
    assert len(gate) == 0  # nobody waits: every tier is forgotten


async def test_claims_waiting_when_a_grant_finds_the_stock_gone_are_told_so() -> None:
    gate, tier = GrantGate(), uuid.uuid4()
    seen: dict[str, bool] = {}
    first_in = asyncio.Event()

    async def first() -> None:
        async with gate.turn(tier) as turn:
            seen["first"] = turn.stock_gone
            first_in.set()
            await asyncio.sleep(0.01)  # the others come to the gate meanwhile
            turn.saw_stock_left(0)  # it took the last unit

    async def waiting(name: str) -> None:
        await first_in.wait()
        async with gate.turn(tier) as turn:
            seen[name] = turn.stock_gone

    await asyncio.gather(first(), waiting("second"), waiting("third"))
    assert seen == {"first": False, "second": True, "third": True}
    # A claim that comes after that is not refused by the gate: the database decides
    # (an admin may have added stock since).
    async with gate.turn(tier) as turn:
        assert not turn.stock_gone


async def test_stock_left_or_a_grant_that_failed_tells_the_waiting_nothing() -> None:
    gate, tier = GrantGate(), uuid.uuid4()
    seen: list[bool] = []
    first_in = asyncio.Event()

    async def first(left: int | None, fail: bool) -> None:
        async with gate.turn(tier) as turn:
            first_in.set()
            await asyncio.sleep(0.01)
            if fail:
                raise RuntimeError("the database went away")
            turn.saw_stock_left(left)

    async def waiting() -> None:
        await first_in.wait()
        async with gate.turn(tier) as turn:
            seen.append(turn.stock_gone)

    await asyncio.gather(first(3, False), waiting())
    first_in.clear()
    with pytest.raises(RuntimeError):
        await asyncio.gather(first(None, True), waiting())
    await asyncio.sleep(0.05)
    assert seen == [False, False]
    assert len(gate) == 0  # the failed turn gave the gate back


async def test_a_grant_that_found_none_tells_the_waiting_too() -> None:
    gate, tier = GrantGate(), uuid.uuid4()
    first_in = asyncio.Event()
    seen: list[bool] = []

    async def first() -> None:
        async with gate.turn(tier) as turn:
            first_in.set()
            await asyncio.sleep(0.01)
            turn.saw_stock_left(None)  # the statement found no stock

    async def waiting() -> None:
        await first_in.wait()
        async with gate.turn(tier) as turn:
            seen.append(turn.stock_gone)

    await asyncio.gather(first(), waiting())
    assert seen == [True]
