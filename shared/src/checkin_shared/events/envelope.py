"""The envelope every event travels in."""

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EventData(BaseModel):
    """Base of every event's `data`. Subclasses name their versioned type and consumers."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str]
    producer: ClassVar[str]
    consumers: ClassVar[tuple[str, ...]]


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    type: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+\.v[0-9]+$")
    occurred_at: AwareDatetime
    producer: str
    correlation_id: str | None = None
    data: dict[str, Any]


def wrap(data: EventData, *, occurred_at: datetime, correlation_id: str | None = None) -> Envelope:
    return Envelope(
        id=uuid.uuid4(),
        type=data.event_type,
        occurred_at=occurred_at,
        producer=data.producer,
        correlation_id=correlation_id,
        data=data.model_dump(mode="json"),
    )
