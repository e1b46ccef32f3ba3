"""What the reward service tells Prometheus: claims by tier and outcome, stock per tier,
and when the daily sweep last ran."""

import uuid
from datetime import UTC, datetime, time
from typing import Any

import httpx
from checkin_shared.clock import FrozenClock
from checkin_testkit.metrics import metric_value
from reward_service.stock.sweep import StockSweeper


async def test_claims_are_counted_by_tier_and_outcome(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=1)
    tier_id = tier["id"]

    async def count(outcome: str, tier_label: str = tier_id) -> float:
        return await metric_value(client, "reward_claims_total", tier=tier_label, outcome=outcome)

    outcomes = ("granted", "replayed", "out_of_stock", "not_enough_days")
    before = {o: await count(o) for o in outcomes}
    unknown_before = await count("tier_not_found", "unknown")
    (winner, winner_headers), (late, late_headers), (_, idle_headers) = (
        rewards.shopper() for _ in range(3)
    )
    await rewards.give_days([winner, late], tier["required_days"])
    keyed = {**winner_headers, "Idempotency-Key": "metrics-claim"}
    for _ in range(2):  # the first is granted, the retry replayed
        assert (await client.post(f"/rewards/{tier_id}/claims", headers=keyed)).status_code == 201
    refused = await client.post(f"/rewards/{tier_id}/claims", headers=late_headers)
    assert refused.json()["code"] == "out_of_stock"
    locked = await client.post(f"/rewards/{tier_id}/claims", headers=idle_headers)
    assert locked.json()["code"] == "not_enough_days"
    missing = await client.post(f"/rewards/{uuid.uuid4()}/claims", headers=idle_headers)
    assert missing.status_code == 404

    after = {o: await count(o) for o in outcomes}
    assert {o: after[o] - before[o] for o in outcomes} == dict.fromkeys(outcomes, 1.0)
    assert await count("tier_not_found", "unknown") == unknown_before + 1


async def test_each_sweeper_tick_reports_stock_per_tier_and_the_last_sweep(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=7, low_stock_threshold=3)
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    clock = FrozenClock(datetime(2027, 6, 1, 1, 0, tzinfo=UTC))  # 10:00 in Seoul
    sweeper = StockSweeper(
        factory, clock, default_zone="Asia/Seoul", at=time(9, 0), every_seconds=60
    )
    await sweeper.run_once()
    labels = {"tier": tier["id"], "name": tier["name"]}
    assert await metric_value(client, "reward_stock", **labels) == 7
    assert await metric_value(client, "reward_low_stock_threshold", **labels) == 3

    change = {"delta": -5, "reason": "damaged in storage"}
    url = f"/rewards/admin/tiers/{tier['id']}/stock-adjustments"
    assert (await client.post(url, json=change, headers=rewards.admin)).status_code < 300
    await sweeper.run_once()
    assert await metric_value(client, "reward_stock", **labels) == 2

    [(last,)] = await rewards.sql("SELECT max(ran_at) FROM reward.sweep_run")
    reported = await metric_value(
        client, "daily_task_last_run_timestamp_seconds", task="stock-sweep"
    )
    assert reported == last.timestamp() > 0
