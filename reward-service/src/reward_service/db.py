"""The reward schema's declarative base, its outbox and its inbox."""

from checkin_shared.audit import audit_table
from checkin_shared.db import schema_metadata
from checkin_shared.events.eligibility import eligibility_table
from checkin_shared.events.people import people_table
from checkin_shared.events.tables import inbox_table, outbox_table
from sqlalchemy.orm import DeclarativeBase

SCHEMA = "reward"


class Base(DeclarativeBase):
    metadata = schema_metadata(SCHEMA)


OUTBOX = outbox_table(Base.metadata, producer="reward")
INBOX = inbox_table(Base.metadata)
# Who may claim (user.eligibility_changed.v1): a refund of the last paid order stops claims.
ELIGIBILITY = eligibility_table(Base.metadata)
PEOPLE = people_table(Base.metadata)
AUDIT = audit_table(Base.metadata)
