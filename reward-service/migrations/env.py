"""Alembic environment of the reward schema (see checkin_shared.migrations)."""

from checkin_shared.migrations import run_migrations
from reward_service.config import RewardSettings
from reward_service.db import SCHEMA, Base

run_migrations(
    metadata=Base.metadata, schema=SCHEMA, default_url=lambda: RewardSettings().database_url
)
