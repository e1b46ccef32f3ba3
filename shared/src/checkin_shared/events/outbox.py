"""Writing an event: one row in the caller's transaction, and a NOTIFY hint for the relay."""

from datetime import datetime

from sqlalchemy import Table, func, insert
from sqlalchemy.ext.asyncio import AsyncSession

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
    # One round trip: the row, and the NOTIFY (delivered at commit, dropped on rollback;
    # repeated identical notifies collapse into one).
    await session.execute(
        insert(outbox)
        .values(id=envelope.id, event_type=envelope.type, payload=envelope.model_dump(mode="json"))
        .returning(func.pg_notify(notify_channel(outbox), ""))
    )
    return envelope
