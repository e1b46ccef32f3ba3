"""The auth schema's declarative base, its outbox and its audit log."""

from checkin_shared.audit import audit_table
from checkin_shared.db import schema_metadata
from checkin_shared.events.tables import outbox_table
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "auth"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


OUTBOX = outbox_table(Base.metadata, producer="auth")
AUDIT = audit_table(Base.metadata)
