"""Recording that an event was handled, in the same transaction as its effects."""

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from checkin_shared.events.envelope import Envelope


async def first_delivery(session: AsyncSession, inbox: Table, envelope: Envelope) -> bool:
    """True the first time this event id is seen; False for a redelivery or duplicate.
    The row lock makes a concurrent duplicate wait, then see the first one's outcome."""
    result = await session.execute(
        insert(inbox)
        .values(event_id=envelope.id, event_type=envelope.type)
        .on_conflict_do_nothing(index_elements=[inbox.c.event_id])
        .returning(inbox.c.event_id)
    )
    return result.scalar_one_or_none() is not None
