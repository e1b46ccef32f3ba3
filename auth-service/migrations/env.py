"""Alembic environment of the auth schema (see checkin_shared.migrations)."""

from auth_service.config import AuthSettings
from auth_service.db import SCHEMA, Base
from checkin_shared.migrations import run_migrations

run_migrations(
    metadata=Base.metadata, schema=SCHEMA, default_url=lambda: AuthSettings().database_url
)
