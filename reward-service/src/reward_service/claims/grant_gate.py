"""One grant statement per tier at a time in this process, and what each tells the claims
waiting behind it.

In a storm every claim that read the tier's stock before it ran out goes on to the grant's
statement. Sent together, those statements queue on the tier's row lock inside PostgreSQL,
each holding one of the pool's connections while it waits, so the requests behind them
(every other claim and read of the service) wait for a connection as well. Here they wait
in the process instead, holding nothing. And a claim whose turn comes after a grant of this
process found the stock gone (it took the last unit, or found none) is refused at once as
`out_of_stock`, with no statement: the stock was 0 at a moment between the claim's arrival
and its answer.

The database still decides every grant: other replicas' claims and an admin's adjustment
go to the same row, under the same conditional UPDATE. The gate only keeps this process's
own claims from queueing there. Only the claim that is one statement of its own
(`service.claim_alone`) passes it: a grant inside a transaction keeps the row locked until
its COMMIT, which the gate does not see."""

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _TierGate:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0
    stock_gone_at: int = -1  # the ticket at which a grant of this process found no stock


@dataclass
class Turn:
    """A claim's turn at its tier's grant."""

    ticket: int  # taken when the claim came to the gate
    tier: _TierGate
    tickets: "itertools.count[int]"

    @property
    def stock_gone(self) -> bool:
        """A grant that came to its end after this claim reached the gate found no stock."""
        return self.tier.stock_gone_at > self.ticket

    def saw_stock_left(self, left: int | None) -> None:
        """What this turn's grant left (None: it found none)."""
        if not left:
            self.tier.stock_gone_at = next(self.tickets)


class GrantGate:
    def __init__(self) -> None:
        self._tickets = itertools.count()
        self._tiers: dict[uuid.UUID, _TierGate] = {}

    @asynccontextmanager
    async def turn(self, tier_id: uuid.UUID) -> AsyncIterator[Turn]:
        """Waits for the tier's turn (first come, first served), and holds it inside."""
        tier = self._tiers.setdefault(tier_id, _TierGate())
        tier.users += 1
        ticket = next(self._tickets)
        try:
            async with tier.lock:
                yield Turn(ticket, tier, self._tickets)
        finally:
            tier.users -= 1
            if tier.users == 0:  # nobody waits: forget the tier
                del self._tiers[tier_id]

    def __len__(self) -> int:
        """How many tiers have a claim at or before their gate."""
        return len(self._tiers)
