"""A verified token is remembered until its `exp` (so a shopper's next requests skip the
signature check), keyed by the whole token: an edited one is checked again and refused."""

import time
import uuid

import pytest
from checkin_shared.errors import ProblemError
from checkin_shared.keysets import StaticKeySet
from checkin_shared.tokens import Principal, TokenVerifier, VerifiedTokens
from checkin_testkit.tokens import TokenMinter, edit_payload


class CountingKeys(StaticKeySet):
    def __init__(self, minter: TokenMinter) -> None:
        super().__init__(minter.jwks())
        self.lookups = 0

    async def key_for(self, kid: str):  # type: ignore[no-untyped-def]
        self.lookups += 1
        return await super().key_for(kid)


def verifier(keys: CountingKeys) -> TokenVerifier:
    return TokenVerifier(keys, issuer="checkin-auth", audience="checkin", algorithms=["RS256"])


async def test_a_token_is_checked_once_then_remembered() -> None:
    minter = TokenMinter()
    keys = CountingKeys(minter)
    check = verifier(keys)
    user = uuid.uuid4()
    token = minter.token(user_id=user)
    first, second = await check.verify(token), await check.verify(token)
    assert first == second and first.user_id == user
    assert keys.lookups == 1


async def test_an_edited_token_is_not_taken_from_memory() -> None:
    minter = TokenMinter()
    check = verifier(CountingKeys(minter))
    token = minter.token(role="shopper")
    await check.verify(token)
    with pytest.raises(ProblemError) as refused:
        await check.verify(edit_payload(token, role="admin"))
    assert refused.value.code == "invalid_token"


def test_remembered_tokens_expire_at_their_exp_and_the_oldest_go_first() -> None:
    memory = VerifiedTokens(max_entries=2)
    who = Principal(uuid.uuid4(), "shopper", True, "jti")
    now = time.time()
    memory.put("a", who, now + 10)
    assert memory.get("a", now) == who
    assert memory.get("a", now + 10) is None  # at exp: gone
    memory.put("b", who, now + 10)
    memory.put("c", who, now + 10)
    memory.put("d", who, now + 10)
    assert memory.get("b", now) is None and memory.get("d", now) == who
