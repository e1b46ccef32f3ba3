"""Admins grant points or take them back: a ledger entry each, never below zero (nothing
taken when any shopper has too few, also when two take-backs race), announced as
reward.points_changed.v1, and safe to retry with an Idempotency-Key."""

import asyncio
import uuid
from typing import Any

import httpx

GRANTS = "/rewards/admin/points-grants"


async def balance(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return int((await client.get("/rewards/me/points", headers=headers)).json()["balance"])


async def test_points_are_granted_and_taken_back_never_below_zero(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    (a, a_headers), (b, b_headers) = rewards.shopper(), rewards.shopper()
    given = await client.post(
        GRANTS,
        json={"user_ids": [str(a), str(b)], "amount": 1000, "reason": "welcome"},
        headers=rewards.admin,
    )
    assert (given.status_code, given.json()) == (201, {"granted": 2})
    assert await balance(client, a_headers) == 1000
    await client.post(
        GRANTS, json={"user_ids": [str(a)], "amount": 500, "reason": "bonus"}, headers=rewards.admin
    )
    too_much = await client.post(
        GRANTS,
        json={"user_ids": [str(a), str(b)], "amount": -1200, "reason": "fraud"},
        headers=rewards.admin,
    )
    assert (too_much.status_code, too_much.json()["code"]) == (409, "insufficient_points")
    assert too_much.json()["user_ids"] == [str(b)]
    assert (await balance(client, a_headers), await balance(client, b_headers)) == (1500, 1000)
    taken = await client.post(
        GRANTS,
        json={"user_ids": [str(a)], "amount": -1200, "reason": "fraud"},
        headers=rewards.admin,
    )
    assert taken.status_code == 201 and await balance(client, a_headers) == 300
    ledger = (await client.get("/rewards/me/points", headers=a_headers)).json()["items"]
    assert sorted((e["amount"], e["reason"]) for e in ledger) == [
        (-1200, "fraud"),
        (500, "bonus"),
        (1000, "welcome"),
    ]
    [(events,)] = await rewards.sql(
        "SELECT count(*) FROM reward.outbox WHERE event_type = 'reward.points_changed.v1'"
        " AND payload->'data'->>'user_id' = :u",
        u=str(a),
    )
    assert events == 3


async def test_two_take_backs_at_once_cannot_both_pass(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    user, headers = rewards.shopper()
    await client.post(
        GRANTS, json={"user_ids": [str(user)], "amount": 100, "reason": "x"}, headers=rewards.admin
    )
    answers = await asyncio.gather(
        *(
            client.post(
                GRANTS,
                json={"user_ids": [str(user)], "amount": -60, "reason": f"take {i}"},
                headers=rewards.admin,
            )
            for i in range(6)
        )
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 5
    assert await balance(client, headers) == 40


async def test_a_retried_grant_with_its_key_counts_once_and_bad_ones_are_refused(
    client: httpx.AsyncClient, rewards: Any
) -> None:
    user, headers = rewards.shopper()
    body = {"user_ids": [str(user)], "amount": 250, "reason": "retried"}
    keyed = {**rewards.admin, "Idempotency-Key": f"grant-{uuid.uuid4()}"}
    first = await client.post(GRANTS, json=body, headers=keyed)
    again = await client.post(GRANTS, json=body, headers=keyed)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json() and await balance(client, headers) == 250
    for bad in (
        {**body, "amount": 0},
        {**body, "user_ids": []},
        {**body, "reason": ""},
        {**body, "user_ids": ["not-a-uuid"]},
    ):
        answer = await client.post(GRANTS, json=bad, headers=rewards.admin)
        assert answer.status_code == 422, bad
    shopper = await client.post(GRANTS, json=body, headers=headers)
    assert shopper.status_code == 403
