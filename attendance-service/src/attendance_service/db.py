"""The attendance schema's declarative base and its outbox."""

from checkin_shared.db import schema_metadata
from checkin_shared.events.tables import outbox_table
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "attendance"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


OUTBOX = outbox_table(Base.metadata, producer="attendance")
