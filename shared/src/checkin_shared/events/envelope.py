"""The envelope every event travels in."""

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EventData(BaseModel):
    """Base of every event's `data`. Subclasses name their versioned type. Who consumes a
    type is declared by the consumer (the types its handlers bind), never here.
    `must_route`: a publish nobody's queue is bound for is refused by the broker and the
    event stays in the outbox until a consumer has declared its binding; False for
    audit-only types that may have no consumer at all."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    must_route: ClassVar[bool] = True


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    type: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+\.v[0-9]+$")
    occurred_at: AwareDatetime
    producer: str
    correlation_id: str | None = None
    data: dict[str, Any]


def wrap(
    data: EventData,
    *,
    occurred_at: datetime,
    producer: str = "unknown",
    correlation_id: str | None = None,
) -> Envelope:
    return Envelope(
        id=uuid.uuid4(),
        type=data.event_type,
        occurred_at=occurred_at,
        producer=producer,
        correlation_id=correlation_id,
        data=data.model_dump(mode="json"),
    )
