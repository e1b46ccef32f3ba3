"""Claims of one tier wait in line for their grant, and each statement takes the whole
line so far (up to `most`): one statement for many claims (`grant.together`).

Each grant locks the tier's row until its statement ends, so grants of one tier run one
after another wherever they come from. In a storm, a statement per claim meant one hand-over
of that lock per unit of stock, each waiting for a busy machine to run the next backend,
while the pool's connections waited in that queue with their claims and the refusals
behind them waited for a connection. In line, the claims of a tier that arrive while its
statement runs go in the next one: a few statements for a stock of a hundred, on one of
the pool's connections at a time per tier and process. The line's task waits for that
connection ahead of single requests (`serve_first`): its statement answers many claims.

A statement that found the stock gone before the end of its claims answers every claim
still waiting in the line too, without another statement: each of them was sent before
that statement saw no stock left (under the tier's lock), so "out of stock" was true
while it was in flight. In a storm's first wave this spared the claims behind it two or
three statements' wait. A claim that joins the line later gets a statement of its own
(the stock may have been given more).

The first claim of a tier starts its line's task; the claims that arrive in the same turn
of the event loop go with it. A claim whose request is given up (its future cancelled)
before its statement leaves the line without a grant. When a statement breaks a claim
key (a shopper's second claim at the same moment), nothing of it was written and its
claims are granted one at a time, each with its own answer. A failure of the database
is each claim's own failure, raised to its request."""

import asyncio
import uuid

from checkin_shared.fair_pool import serve_first
from checkin_shared.single_statement import single_statement
from sqlalchemy.ext.asyncio import AsyncEngine

from reward_service.claims import grant
from reward_service.claims.grant import AlreadyGranted, Grant

Waiting = tuple[Grant, asyncio.Future[int | None]]
# What a statement found: stock for every claim, none for some, or a failure.
GRANTED, SOLD_OUT, FAILED = "granted", "sold_out", "failed"


class GrantLines:
    """One line per tier with claims waiting, in this process."""

    def __init__(self, engine: AsyncEngine, *, most: int = 64) -> None:
        self._engine = engine
        self._most = most
        self._lines: dict[uuid.UUID, list[Waiting]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def grant(self, claim: Grant) -> int | None:
        """The claim's number once granted; None when the stock was gone. Raises
        AlreadyGranted when the shopper's claim key was taken at the same moment."""
        waiting: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        line = self._lines.get(claim.tier_id)
        if line is not None:
            line.append((claim, waiting))
        else:
            self._lines[claim.tier_id] = [(claim, waiting)]
            task = asyncio.create_task(self._serve(claim.tier_id))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await waiting

    async def _serve(self, tier_id: uuid.UUID) -> None:
        serve_first()  # this task's own context: the requests' waits are not touched
        line = self._lines[tier_id]
        try:
            while line:
                taken = [(c, w) for c, w in line[: self._most] if not w.done()]
                del line[: self._most]
                if taken and await self._grant(taken) == SOLD_OUT:
                    for _, waiting in line:
                        _answer(waiting, number=None)
                    line.clear()
        except BaseException as error:
            for _, waiting in line:
                _answer(waiting, error=error)
            raise
        finally:
            del self._lines[tier_id]

    async def _grant(self, taken: list[Waiting]) -> str:
        """SOLD_OUT when the statement found no stock left for some of its claims."""
        try:
            async with single_statement(self._engine) as connection:
                try:
                    numbers = await grant.together(connection, [c for c, _ in taken])
                except AlreadyGranted:
                    outcome = GRANTED
                    for claim, waiting in taken:
                        try:
                            got = await grant.together(connection, [claim])
                        except AlreadyGranted as refused:
                            _answer(waiting, error=refused)
                        else:
                            _answer(waiting, number=got.get(claim.claim_id))
                            if claim.claim_id not in got:
                                outcome = SOLD_OUT
                    return outcome
        except BaseException as error:
            for _, waiting in taken:
                _answer(waiting, error=error)
            if not isinstance(error, Exception):
                raise  # cancelled (shutdown): the line's task ends here
            return FAILED
        for claim, waiting in taken:
            _answer(waiting, number=numbers.get(claim.claim_id))
        return SOLD_OUT if len(numbers) < len(taken) else GRANTED


def _answer(
    waiting: asyncio.Future[int | None],
    *,
    number: int | None = None,
    error: BaseException | None = None,
) -> None:
    if waiting.done():  # its request was given up
        return
    if error is None:
        waiting.set_result(number)
    elif isinstance(error, asyncio.CancelledError):
        waiting.cancel()
    else:
        waiting.set_exception(error)
