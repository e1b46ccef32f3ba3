"""Attendance service settings (environment variables prefixed `ATTENDANCE_`)."""

from checkin_shared.runtime import RuntimeSettings
from checkin_shared.settings import BusinessTimeSettings, dev_database_url
from pydantic_settings import SettingsConfigDict


class AttendanceSettings(RuntimeSettings, BusinessTimeSettings):
    model_config = SettingsConfigDict(env_prefix="ATTENDANCE_", extra="ignore", frozen=True)

    database_url: str = dev_database_url("attendance_svc")
    db_pool_size: int = 14  # check-ins are the busiest route
