"""Attendance service settings (environment variables prefixed `ATTENDANCE_`)."""

from checkin_shared.runtime import RuntimeSettings
from checkin_shared.settings import BusinessTimeSettings, dev_database_url
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class AttendanceSettings(RuntimeSettings, BusinessTimeSettings):
    model_config = SettingsConfigDict(env_prefix="ATTENDANCE_", extra="ignore", frozen=True)

    database_url: str = dev_database_url("attendance_svc")
    db_pool_size: int = 14  # check-ins are the busiest route
    # Its outbox is check-ins: a batch may gather longer than the default 10 ms (fewer,
    # larger confirm rounds; consumers of check-ins linger too, see BrokerSettings).
    outbox_linger_ms: int = Field(40, ge=0, le=1000)
    # How long a process trusts its reading of whether campaign eligibility rules apply.
    campaign_rules_cache_seconds: float = Field(1.0, ge=0)
