import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from auth_service.db import Base


class OrderWebhook(Base):
    """Where the shop's order system posts order events, and the secret they are signed
    with (kept as it is: checking an HMAC needs it; shown once, when made)."""

    __tablename__ = "order_webhook"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OrderWebhookEvent(Base):
    """An order event applied once: its `event_id` again is a duplicate."""

    __tablename__ = "order_webhook_event"

    webhook_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("order_webhook.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
