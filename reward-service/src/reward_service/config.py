"""Reward service settings (environment variables prefixed `REWARD_`)."""

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkin_shared.runtime import RuntimeSettings
from checkin_shared.settings import dev_database_url
from pydantic import field_validator
from pydantic_settings import SettingsConfigDict


class RewardSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="REWARD_", extra="ignore", frozen=True)

    database_url: str = dev_database_url("reward_svc")
    db_pool_size: int = 20
    business_timezone: str = "Asia/Seoul"
    stock_sweep_at: time = time(9, 0)
    stock_sweep_check_seconds: float = 30.0

    @field_validator("business_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value
