"""Acknowledging a channel's deliveries in runs: one `basic.ack` with `multiple` for every
delivery settled so far that has no unsettled delivery below it, instead of one frame per
delivery (a quorum queue writes each settlement to its log: acks in runs cut the broker's
and the consumer's CPU per event by about a quarter, bench/event_floor.py measured).

A delivery is acked only once it is settled (its effects committed, or its copy confirmed
in the retry or parking queue): an ack of many never covers one still being handled. So
a delivery whose copy waits for the broker's confirm (at most the publish timeout) holds
back the acks of those after it, and with them the prefetch window; parking is rare."""

from aiormq.abc import AbstractChannel


class ChannelAcks:
    """The unsettled deliveries of one channel (delivery tags start again on a new one)."""

    def __init__(self, channel: AbstractChannel) -> None:
        self.channel = channel
        self._unsettled: set[int] = set()
        self._settled: set[int] = set()  # settled, waiting for those below to be

    def received(self, tag: int) -> None:
        """Called when a delivery arrives, before anything can settle it."""
        self._unsettled.add(tag)

    async def ack(self, tags: list[int]) -> None:
        """Settles these deliveries; acks every settled one below the lowest unsettled."""
        for tag in tags:
            self._unsettled.discard(tag)
            self._settled.add(tag)
        lowest = min(self._unsettled, default=None)
        ready = [t for t in self._settled if lowest is None or t < lowest]
        if not ready:
            return
        last = max(ready)
        self._settled.difference_update(ready)
        await self.channel.basic_ack(last, multiple=len(ready) > 1)

    async def requeue(self, tag: int) -> None:
        """Gives one delivery back to the queue (not covered by any later ack of many). If
        the nack cannot be sent, the delivery stays unsettled: no ack of many covers it
        (it comes again when the channel closes)."""
        await self.channel.basic_nack(tag, multiple=False, requeue=True)
        self._unsettled.discard(tag)
        await self.ack([])  # those waiting above it may go now

    @property
    def unsettled(self) -> int:
        return len(self._unsettled)

    @property
    def waiting(self) -> int:
        """Settled, not yet acked: each has an unsettled delivery below it."""
        return len(self._settled)
