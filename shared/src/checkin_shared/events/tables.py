"""The outbox and inbox tables, added to a service's own MetaData (its own schema).
Each service's migration creates them; these definitions are what the code reads."""

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB


def outbox_table(metadata: MetaData, *, producer: str) -> Table:
    """`producer` names the service in every envelope it writes."""
    return Table(
        "outbox",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
        Column("published_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
        Index("ix_outbox_pending", "created_at", postgresql_where=text("published_at IS NULL")),
        info={"producer": producer},
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", String(100), nullable=False),
        Column(
            "received_at", DateTime(timezone=True), nullable=False, server_default=text("now()")
        ),
    )
