"""Attendance service settings (environment variables prefixed `ATTENDANCE_`)."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from checkin_shared.runtime import RuntimeSettings
from checkin_shared.settings import dev_database_url
from pydantic import field_validator
from pydantic_settings import SettingsConfigDict


class AttendanceSettings(RuntimeSettings):
    model_config = SettingsConfigDict(env_prefix="ATTENDANCE_", extra="ignore", frozen=True)

    database_url: str = dev_database_url("attendance_svc")
    db_pool_size: int = 10
    business_timezone: str = "Asia/Seoul"

    @field_validator("business_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)
