"""Claims: enough days, once per shopper and tier, never beyond stock, idempotent."""

import asyncio
import re
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from checkin_shared.events.contracts import RewardClaimedV1, UserEligibilityChangedV1
from checkin_shared.events.envelope import wrap
from checkin_testkit.events import eventually, publish_envelope


async def claims_and_events(rewards: Any, tier_id: str) -> tuple[int, int]:
    """How many claims of the tier are stored, and how many reward.claimed events."""
    [(claims,)] = await rewards.sql(
        "SELECT count(*) FROM reward.claim WHERE tier_id = :t", t=tier_id
    )
    [(events,)] = await rewards.sql(
        "SELECT count(*) FROM reward.outbox WHERE event_type = 'reward.claimed.v1' "
        "AND payload->'data'->>'tier_id' = :t",
        t=tier_id,
    )
    return int(claims), int(events)


async def test_not_enough_days_is_403_with_required_and_have(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier()
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"] - 1)
    response = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert response.status_code == 403
    body = response.json()
    assert (body["code"], body["required"], body["have"]) == (
        "not_enough_days",
        tier["required_days"],
        tier["required_days"] - 1,
    )
    listed = (await client.get("/rewards", headers=headers)).json()["tiers"]
    mine = next(t for t in listed if t["id"] == tier["id"])
    assert (mine["status"], mine["days_remaining"]) == ("locked", 1)


async def test_a_claim_takes_one_unit_and_a_second_is_409(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=5)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    first = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert first.status_code == 201
    assert set(first.json()) == {"claim_id", "claim_number", "tier_id", "claimed_at"}
    second = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert (second.status_code, second.json()["code"]) == (409, "already_claimed")
    tiers = (await client.get("/rewards/admin/tiers", headers=rewards.admin)).json()["items"]
    assert next(t for t in tiers if t["id"] == tier["id"])["stock"] == 4
    mine = (await client.get("/rewards", headers=headers)).json()["tiers"]
    assert next(t for t in mine if t["id"] == tier["id"])["status"] == "claimed"


async def test_every_claim_has_its_own_number_a_person_can_read(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    """C-000042: never twice, growing (a refused claim may leave a gap), the same wherever
    the claim is shown."""
    tier = await rewards.tier(stock=20)
    shoppers = [rewards.shopper() for _ in range(12)]
    await rewards.give_days([u for u, _ in shoppers], tier["required_days"])
    made = await asyncio.gather(
        *(client.post(f"/rewards/{tier['id']}/claims", headers=h) for _, h in shoppers)
    )
    numbers = [r.json()["claim_number"] for r in made]
    assert all(re.fullmatch(r"C-\d{6,}", n) for n in numbers), numbers
    assert len(set(numbers)) == 12
    later = await client.post(f"/rewards/{tier['id']}/claims", headers=shoppers[0][1])
    assert later.status_code == 409
    _, headers = shoppers[0]
    [mine] = (await client.get("/rewards/me/claims", headers=headers)).json()["items"]
    assert mine["claim_number"] == made[0].json()["claim_number"]
    listed = await client.get(
        f"/rewards/admin/claims?tier_id={tier['id']}&limit=100", headers=rewards.admin
    )
    by_id = {c["claim_id"]: c["claim_number"] for c in listed.json()["items"]}
    assert by_id == {r.json()["claim_id"]: r.json()["claim_number"] for r in made}
    # one after another, the later claim has the larger number
    third_user, third = rewards.shopper()
    await rewards.give_days([third_user], tier["required_days"])
    last = await client.post(f"/rewards/{tier['id']}/claims", headers=third)
    assert int(last.json()["claim_number"][2:]) > max(int(n[2:]) for n in numbers)


async def test_200_shoppers_claiming_a_stock_of_10_get_exactly_10(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=10, low_stock_threshold=3)
    shoppers = [rewards.shopper() for _ in range(200)]
    await rewards.give_days([u for u, _ in shoppers], tier["required_days"])
    responses = await asyncio.gather(
        *(client.post(f"/rewards/{tier['id']}/claims", headers=h) for _, h in shoppers)
    )
    codes = sorted((r.status_code, r.json().get("code", "")) for r in responses)
    assert codes.count((201, "")) == 10
    assert codes.count((409, "out_of_stock")) == 190
    [(stock,)] = await rewards.sql("SELECT stock FROM reward.tier WHERE id = :t", t=tier["id"])
    [(claims,)] = await rewards.sql(
        "SELECT count(*) FROM reward.claim WHERE tier_id = :t", t=tier["id"]
    )
    events = await rewards.sql(
        "SELECT event_type, count(*) FROM reward.outbox WHERE payload->'data'->>'tier_id' = :t "
        "GROUP BY event_type ORDER BY event_type",
        t=tier["id"],
    )
    assert (stock, claims) == (0, 10)
    assert events == [("reward.claimed.v1", 10), ("reward.stock_low.v1", 1)]
    [(low_at,)] = await rewards.sql(
        "SELECT payload->'data'->>'stock' FROM reward.outbox "
        "WHERE event_type = 'reward.stock_low.v1' AND payload->'data'->>'tier_id' = :t",
        t=tier["id"],
    )
    # Announced once, by the statement that crossed the threshold, with the stock it left
    # (claims granted together may take the stock past 3 at once).
    assert low_at is not None and int(low_at) <= 3
    # Each grant's event says what it left: 9 down to 0, each once, in the contract's shape.
    payloads = await rewards.sql(
        "SELECT payload FROM reward.outbox "
        "WHERE event_type = 'reward.claimed.v1' AND payload->'data'->>'tier_id' = :t",
        t=tier["id"],
    )
    claimed = [RewardClaimedV1.model_validate(p["data"]) for (p,) in payloads]
    lefts = [c.stock_left for c in claimed]
    assert None not in lefts
    assert sorted(left for left in lefts if left is not None) == list(range(10))
    assert int(low_at) in lefts  # the last claim of the crossing statement left as much


async def test_one_shopper_claiming_20_times_at_once_gets_one_unit(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=50)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    responses = await asyncio.gather(
        *(client.post(f"/rewards/{tier['id']}/claims", headers=headers) for _ in range(20))
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    [(stock,)] = await rewards.sql("SELECT stock FROM reward.tier WHERE id = :t", t=tier["id"])
    assert stock == 49


async def test_the_same_idempotency_key_20_times_at_once_returns_the_first_answer(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=50)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    keyed = {**headers, "Idempotency-Key": f"tap-{uuid.uuid4()}"}
    responses = await asyncio.gather(
        *(client.post(f"/rewards/{tier['id']}/claims", headers=keyed) for _ in range(20))
    )
    assert [r.status_code for r in responses] == [201] * 20
    assert len({r.json()["claim_id"] for r in responses}) == 1
    later = await client.post(f"/rewards/{tier['id']}/claims", headers=keyed)
    assert {r.content for r in responses} == {later.content}  # byte for byte the same
    [(stock,)] = await rewards.sql("SELECT stock FROM reward.tier WHERE id = :t", t=tier["id"])
    [(claims,)] = await rewards.sql(
        "SELECT count(*) FROM reward.claim WHERE user_id = :u", u=str(user)
    )
    assert (stock, claims) == (49, 1)


async def test_a_refusal_is_the_stored_answer_too_and_a_key_cannot_be_reused(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier, other = await rewards.tier(stock=0), await rewards.tier()
    user, headers = rewards.shopper()
    await rewards.give_days([user], max(tier["required_days"], other["required_days"]))
    keyed = {**headers, "Idempotency-Key": "k-1"}
    first = await client.post(f"/rewards/{tier['id']}/claims", headers=keyed)
    assert (first.status_code, first.json()["code"]) == (409, "out_of_stock")
    await client.post(
        f"/rewards/admin/tiers/{tier['id']}/stock-adjustments",
        json={"delta": 5, "reason": "restock"},
        headers=rewards.admin,
    )
    retry = await client.post(f"/rewards/{tier['id']}/claims", headers=keyed)
    assert (retry.status_code, retry.content) == (409, first.content)  # unchanged
    assert retry.headers["content-type"] == "application/problem+json"
    reused = await client.post(f"/rewards/{other['id']}/claims", headers=keyed)
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    [(claims,)] = await rewards.sql(
        "SELECT count(*) FROM reward.claim WHERE user_id = :u", u=str(user)
    )
    assert claims == 0


async def test_an_unknown_tier_is_404_and_a_malformed_id_is_422(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    _, headers = rewards.shopper()
    missing = await client.post(f"/rewards/{uuid.uuid4()}/claims", headers=headers)
    assert (missing.status_code, missing.json()["code"]) == (404, "tier_not_found")
    malformed = await client.post("/rewards/not-a-uuid/claims", headers=headers)
    assert malformed.status_code == 422


async def test_once_the_stock_is_gone_refusals_still_say_which_and_write_nothing(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=1)
    (winner, winner_headers), (late, late_headers) = rewards.shopper(), rewards.shopper()
    await rewards.give_days([winner, late], tier["required_days"])
    url = f"/rewards/{tier['id']}/claims"
    assert (await client.post(url, headers=winner_headers)).status_code == 201
    again = await client.post(url, headers=winner_headers)
    assert (again.status_code, again.json()["code"]) == (409, "already_claimed")
    refused = await client.post(url, headers=late_headers)
    assert (refused.status_code, refused.json()["code"]) == (409, "out_of_stock")
    assert await claims_and_events(rewards, tier["id"]) == (1, 1)


async def test_an_empty_idempotency_key_is_refused_and_claims_nothing(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    tier = await rewards.tier(stock=3)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    answer = await client.post(
        f"/rewards/{tier['id']}/claims", headers={**headers, "Idempotency-Key": ""}
    )
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_idempotency_key")
    [(claims,)] = await rewards.sql(
        "SELECT count(*) FROM reward.claim WHERE tier_id = :t", t=tier["id"]
    )
    assert claims == 0


async def test_a_shopper_whose_last_paid_order_was_refunded_cannot_claim(
    client: httpx.AsyncClient, rewards: Any, amqp_url: str, events_exchange: str
) -> None:
    """The token still says eligible; the service's copy (user.eligibility_changed.v1)
    decides, within moments of the refund."""
    tier = await rewards.tier(stock=5)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    refund = UserEligibilityChangedV1(user_id=user, eligible=False, version=2)
    await publish_envelope(
        amqp_url, events_exchange, wrap(refund, occurred_at=datetime.now(UTC), producer="auth")
    )

    async def refused() -> bool:
        [(count,)] = await rewards.sql(
            "SELECT count(*) FROM reward.shopper_eligibility WHERE user_id = :u AND NOT eligible",
            u=user,
        )
        return bool(count)

    await eventually(refused, within=2)
    answer = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (403, "not_eligible")
    [(claims,)] = await rewards.sql("SELECT count(*) FROM reward.claim WHERE user_id = :u", u=user)
    assert claims == 0


async def test_a_grant_wakes_the_relay_of_its_process_without_a_notify(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    """The claim's statement commits and then wakes the relay running in this process
    (the app's own runs here), so the relay publishes at once instead of at its next
    poll; and it does not NOTIFY, whose lock would line up every commit in the cluster."""
    from checkin_shared.events import wake
    from checkin_shared.events.outbox import notify_channel
    from reward_service.db import OUTBOX

    assert not wake.notify_needed(OUTBOX)  # the app's relay is registered
    tier = await rewards.tier(stock=2)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    listener = await asyncpg.connect(rewards.database_url.replace("+asyncpg", ""))
    notified = asyncio.Event()
    await listener.add_listener(notify_channel(OUTBOX), lambda *_: notified.set())
    hints: list[int] = []
    unregister = wake.register(OUTBOX, lambda: hints.append(1))
    try:
        response = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
        assert response.status_code == 201, response.text
        assert hints == [1]
        again = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
        assert again.status_code == 409 and hints == [1]  # nothing written, no wake
        keyed = await rewards.tier(stock=2)
        await rewards.give_days([user], keyed["required_days"])
        in_a_transaction = await client.post(
            f"/rewards/{keyed['id']}/claims", headers={**headers, "Idempotency-Key": "k-1"}
        )
        assert in_a_transaction.status_code == 201 and hints == [1, 1]
        await asyncio.sleep(0.3)
        assert not notified.is_set()
    finally:
        unregister()
        await listener.close()


async def test_a_claim_number_of_seven_digits_reads_alike_in_the_answer_and_the_event(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    """The grant's statement writes the number into the event as `claim_number` does for
    the answer: C- and at least six digits, never cut to six."""
    await rewards.sql(
        "SELECT setval('reward.claim_number_seq', "
        "greatest(999999, (SELECT last_value FROM reward.claim_number_seq)))"
    )
    tier = await rewards.tier(stock=3)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    made = await client.post(f"/rewards/{tier['id']}/claims", headers=headers)
    assert made.status_code == 201
    number = made.json()["claim_number"]
    assert re.fullmatch(r"C-\d{7,}", number), number
    [(told,)] = await rewards.sql(
        "SELECT payload->'data'->>'claim_number' FROM reward.outbox "
        "WHERE event_type = 'reward.claimed.v1' AND payload->'data'->>'claim_id' = :c",
        c=made.json()["claim_id"],
    )
    assert told == number


async def test_one_shopper_claiming_eight_times_at_once_gets_one_unit_and_one_event(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    """The claims all read "not held yet"; the grants' statements then meet at the claim's
    unique key, and each loser's statement is undone whole, its unit of stock with it."""
    tier = await rewards.tier(stock=20)
    user, headers = rewards.shopper()
    await rewards.give_days([user], tier["required_days"])
    answers = await asyncio.gather(
        *(client.post(f"/rewards/{tier['id']}/claims", headers=headers) for _ in range(8))
    )
    codes = sorted((r.status_code, r.json().get("code", "")) for r in answers)
    assert codes == [(201, "")] + [(409, "already_claimed")] * 7
    [(stock,)] = await rewards.sql("SELECT stock FROM reward.tier WHERE id = :t", t=tier["id"])
    assert (stock, *await claims_and_events(rewards, tier["id"])) == (19, 1, 1)


async def test_30_shoppers_with_keys_claiming_a_stock_of_30_at_once_all_get_one(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    """Claims in their own transactions (an Idempotency-Key each) wait at the tier's row
    for each other; a claim that waited still takes its unit from the stock the one before
    it left (the row's latest version), and is never refused while stock is left."""
    tier = await rewards.tier(stock=30)
    shoppers = [rewards.shopper() for _ in range(30)]
    await rewards.give_days([u for u, _ in shoppers], tier["required_days"])
    answers = await asyncio.gather(
        *(
            client.post(
                f"/rewards/{tier['id']}/claims",
                headers={**headers, "Idempotency-Key": f"k-{uuid.uuid4()}"},
            )
            for _, headers in shoppers
        )
    )
    assert sorted(r.status_code for r in answers) == [201] * 30, [r.text for r in answers]
    [(stock,)] = await rewards.sql("SELECT stock FROM reward.tier WHERE id = :t", t=tier["id"])
    assert (stock, *await claims_and_events(rewards, tier["id"])) == (0, 30, 30)
