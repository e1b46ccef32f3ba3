"""The notification schema's declarative base, its inbox and its audit log."""

from checkin_shared.audit import audit_table
from checkin_shared.db import schema_metadata
from checkin_shared.events.tables import inbox_table
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "notification"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


INBOX = inbox_table(Base.metadata)
AUDIT = audit_table(Base.metadata)
