"""The auth schema's declarative base."""

from sqlalchemy.orm import DeclarativeBase

from checkin_shared.db import schema_metadata

SCHEMA = "auth"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)
