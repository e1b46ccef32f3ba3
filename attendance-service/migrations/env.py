"""Alembic environment of the attendance schema (see checkin_shared.migrations)."""

from attendance_service.config import AttendanceSettings
from attendance_service.db import SCHEMA, Base
from checkin_shared.migrations import run_migrations

run_migrations(
    metadata=Base.metadata, schema=SCHEMA, default_url=lambda: AttendanceSettings().database_url
)
