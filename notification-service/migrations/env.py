"""Alembic environment of the notification schema (see checkin_shared.migrations)."""

from checkin_shared.migrations import run_migrations
from notification_service.config import NotificationSettings
from notification_service.db import SCHEMA, Base

run_migrations(
    metadata=Base.metadata,
    schema=SCHEMA,
    default_url=lambda: NotificationSettings().database_url,
)
