"""The auth schema's declarative base."""

from checkin_shared.db import schema_metadata
from checkin_shared.events.tables import outbox_table
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "auth"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


OUTBOX = outbox_table(Base.metadata, producer="auth")
