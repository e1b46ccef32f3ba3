"""The auth schema's declarative base."""

from checkin_shared.db import schema_metadata
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "auth"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)
