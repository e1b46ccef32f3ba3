"""Writing an event: one row in the caller's transaction, and a hint for the relay: its
wake at commit when it runs in this process, else a NOTIFY (`checkin_shared.events.wake`)."""

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Table, func, insert
from sqlalchemy.ext.asyncio import AsyncSession

from checkin_shared.events import wake
from checkin_shared.events.envelope import Envelope, EventData, wrap
from checkin_shared.request_id import request_id_var


def notify_channel(table: Table) -> str:
    return f"outbox_{table.schema}"


async def add_event(
    session: AsyncSession, outbox: Table, data: EventData, *, occurred_at: datetime
) -> Envelope:
    """Stage `data` for publishing. It is published only if the caller commits."""
    envelope = wrap(
        data,
        occurred_at=occurred_at,
        producer=outbox.info.get("producer", "unknown"),
        correlation_id=request_id_var.get(),
    )
    row = insert(outbox).values(
        id=envelope.id, event_type=envelope.type, payload=envelope.model_dump(mode="json")
    )
    if wake.notify_needed(outbox):
        # One round trip: the row, and the NOTIFY (delivered at commit, dropped on
        # rollback; repeated identical notifies collapse into one).
        await session.execute(row.returning(func.pg_notify(notify_channel(outbox), "")))
    else:
        await session.execute(row)
        wake.mark(session.sync_session, outbox)
    return envelope


# For the hot paths' hand-written statements, which end their outbox insert with
# `RETURNING CASE WHEN CAST(:notify AS boolean) THEN pg_notify(:channel, '') END`.
def hint_values(outbox: Table) -> dict[str, object]:
    """The statement's `notify` and `channel` values."""
    return {"channel": notify_channel(outbox), "notify": wake.notify_needed(outbox)}


def statement_committed(outbox: Table, values: Mapping[str, object]) -> None:
    """The statement wrote events in a transaction of its own, now committed."""
    if not values["notify"]:
        wake.written(outbox)


def statement_in_session(
    session: AsyncSession, outbox: Table, values: Mapping[str, object]
) -> None:
    """The statement wrote events inside `session`'s transaction: wake at its commit."""
    if not values["notify"]:
        wake.mark(session.sync_session, outbox)
