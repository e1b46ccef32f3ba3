"""Reward service settings (environment variables prefixed `REWARD_`)."""

from datetime import time

from checkin_shared.runtime import RuntimeSettings
from checkin_shared.settings import BusinessTimeSettings, dev_database_url
from pydantic_settings import SettingsConfigDict


class RewardSettings(RuntimeSettings, BusinessTimeSettings):
    model_config = SettingsConfigDict(env_prefix="REWARD_", extra="ignore", frozen=True)

    database_url: str = dev_database_url("reward_svc")
    db_pool_size: int = 10  # claims and the shopper reads are its hot paths
    stock_sweep_at: time = time(9, 0)
    stock_sweep_check_seconds: float = 30.0
