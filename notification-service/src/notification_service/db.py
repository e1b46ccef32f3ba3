"""The notification schema's declarative base and its inbox."""

from checkin_shared.db import schema_metadata
from checkin_shared.events.tables import inbox_table
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "notification"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


INBOX = inbox_table(Base.metadata)
