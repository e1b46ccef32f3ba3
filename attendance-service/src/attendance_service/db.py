"""The attendance schema's declarative base, its outbox, its inbox and its copy of who
may check in."""

from checkin_shared.db import schema_metadata
from checkin_shared.events.eligibility import eligibility_table
from checkin_shared.events.people import people_table
from checkin_shared.events.tables import inbox_table, outbox_table
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "attendance"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


OUTBOX = outbox_table(Base.metadata, producer="attendance")
INBOX = inbox_table(Base.metadata)
ELIGIBILITY = eligibility_table(Base.metadata)
PEOPLE = people_table(Base.metadata)
