"""Recording that an event was handled, in the same transaction as its effects."""

import functools
import uuid
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from checkin_shared.events.envelope import Envelope


async def first_deliveries(
    session: AsyncSession, inbox: Table, envelopes: list[Envelope]
) -> set[uuid.UUID]:
    """The ids among `envelopes` seen for the first time (one statement for the batch)."""
    rows = [{"event_id": e.id, "event_type": e.type} for e in envelopes]
    result = await session.execute(_record_statement(inbox), rows)
    return set(result.scalars())


@functools.cache
def _record_statement(inbox: Table) -> ReturningInsert[Any]:
    """Built once per inbox table: SQLAlchemy then reuses its compiled form."""
    return (
        insert(inbox)
        .on_conflict_do_nothing(index_elements=[inbox.c.event_id])
        .returning(inbox.c.event_id)
    )
