"""A consuming service's own copy of who may take part (from user.eligibility_changed.v1):
the table, its handler and the SQL that decides. A shopper the copy has not heard of yet
is decided by their token's `eligible` claim (accounts from before the event existed)."""

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    Table,
    Uuid,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from checkin_shared.events.consumer import Handler
from checkin_shared.events.contracts import UserEligibilityChangedV1
from checkin_shared.events.envelope import Envelope

ELIGIBILITY_EVENT = UserEligibilityChangedV1.event_type


def eligibility_table(metadata: MetaData) -> Table:
    return Table(
        "shopper_eligibility",
        metadata,
        Column("user_id", Uuid, primary_key=True),
        Column("eligible", Boolean, nullable=False),
        Column("version", Integer, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
        # for campaigns with eligibility rules; null: not told yet (events before them)
        Column("last_paid_at", DateTime(timezone=True)),
        Column("paid_total", Numeric(14, 2)),
    )


def eligibility_handler(table: Table) -> Handler:
    """Keeps the newest version per shopper: a late or repeated event changes nothing."""

    async def on_eligibility_changed(session: AsyncSession, envelope: Envelope, data: Any) -> None:
        assert isinstance(data, UserEligibilityChangedV1)
        statement = insert(table).values(
            user_id=data.user_id,
            eligible=data.eligible,
            version=data.version,
            updated_at=envelope.occurred_at,
            last_paid_at=data.last_paid_at,
            paid_total=data.paid_total,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={
                    "eligible": statement.excluded.eligible,
                    "version": statement.excluded.version,
                    "updated_at": statement.excluded.updated_at,
                    "last_paid_at": statement.excluded.last_paid_at,
                    "paid_total": statement.excluded.paid_total,
                },
                where=table.c.version < statement.excluded.version,
            )
        )

    return on_eligibility_changed


def eligible_sql(table: Table) -> str:
    """A SQL boolean expression for text statements, with the bound parameters `:user_id`
    and `:token_eligible`: the copy's word, else the token's. `table` is the code's own."""
    return (
        f"COALESCE((SELECT eligible FROM {table.fullname} WHERE user_id = :user_id), "  # noqa: S608
        "CAST(:token_eligible AS boolean))"
    )
