"""Reward service settings (environment variables prefixed `REWARD_`)."""

from datetime import time

from checkin_shared.runtime import RuntimeSettings
from checkin_shared.settings import BusinessTimeSettings, dev_database_url
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class RewardSettings(RuntimeSettings, BusinessTimeSettings):
    model_config = SettingsConfigDict(env_prefix="REWARD_", extra="ignore", frozen=True)

    database_url: str = dev_database_url("reward_svc")
    db_pool_size: int = 14  # claims and the shopper reads are its hot paths
    stock_sweep_at: time = time(9, 0)
    stock_sweep_check_seconds: float = 30.0
    # How often each replica looks for points whose end has come (they expire at midnight).
    points_expiry_check_seconds: float = 300.0
    # How long the campaign and its tiers are kept in memory for shopper reads (0: never).
    catalog_cache_seconds: float = Field(1.0, ge=0)
