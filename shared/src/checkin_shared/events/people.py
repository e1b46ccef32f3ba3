"""A consuming service's own copy of who its shoppers are, `(user_id, email, name)`, from
user.registered.v1 and user.profile_changed.v1, so its admin views name people without
reading another service's schema. The newest event wins: a late or repeated one changes
nothing."""

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Column, DateTime, MetaData, String, Table, Uuid
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from checkin_shared.events.consumer import Handler
from checkin_shared.events.contracts import UserProfileChangedV1, UserRegisteredV1
from checkin_shared.events.envelope import Envelope

PEOPLE_EVENTS = (UserRegisteredV1.event_type, UserProfileChangedV1.event_type)


def people_table(metadata: MetaData) -> Table:
    return Table(
        "shopper_person",
        metadata,
        Column("user_id", Uuid, primary_key=True),
        Column("email", String(320), nullable=False),
        Column("name", String(100), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    )


def people_handler(table: Table) -> Handler:
    """One handler for both events (they carry the same three fields)."""

    async def on_person(session: AsyncSession, envelope: Envelope, data: Any) -> None:
        assert isinstance(data, UserRegisteredV1 | UserProfileChangedV1)
        statement = insert(table).values(
            user_id=data.user_id,
            email=data.email,
            name=data.name,
            updated_at=envelope.occurred_at,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.user_id],
                set_={
                    "email": statement.excluded.email,
                    "name": statement.excluded.name,
                    "updated_at": statement.excluded.updated_at,
                },
                where=table.c.updated_at <= statement.excluded.updated_at,
            )
        )

    return on_person


def people_handlers(table: Table) -> dict[str, Handler]:
    handler = people_handler(table)
    return dict.fromkeys(PEOPLE_EVENTS, handler)


class NamedShopper(BaseModel):
    """The fields every admin answer that names a shopper carries beside `user_id`."""

    email: str | None = Field(
        description="From the service's copy of user events; null until they reach it"
    )
    name: str | None = Field(description="As `email`")
