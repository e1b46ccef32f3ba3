"""Settings base: every value comes from the environment, with developer-friendly defaults."""

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_DATABASE_HOST = "127.0.0.1:5432"
DEV_DATABASE_NAME = "checkin"


class ServiceSettings(BaseSettings):
    """Fields every service has; subclasses set `env_prefix` (``AUTH_``, ``GATEWAY_`` ...)."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    log_json: bool = True
    jwt_issuer: str = "checkin-auth"
    jwt_audience: str = "checkin"
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "EdDSA"])
    jwks_url: str = "http://127.0.0.1:8001/auth/.well-known/jwks.json"
    jwks_refresh_seconds: float = 300.0
    jwks_min_refetch_seconds: float = 10.0


def dev_database_url(role: str) -> str:
    """The URL a service role uses on a developer machine (trust auth on localhost)."""
    return f"postgresql+asyncpg://{role}@{DEV_DATABASE_HOST}/{DEV_DATABASE_NAME}"


class BrokerSettings(BaseSettings):
    """Mixed into the settings of every service that produces or consumes events."""

    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    events_exchange: str = "checkin.events"
    outbox_poll_seconds: float = 1.0
    outbox_batch_size: int = 200
    # After a wake the relay waits this long for more rows, so one confirm round carries
    # many (fewer, larger batches; the bench's event lag stays well under a second).
    outbox_linger_ms: int = Field(10, ge=0, le=1000)
    publish_timeout_seconds: float = 5.0
    consumer_prefetch: int = 64
    # Deliveries handled together in one transaction (a group commit), at most this many,
    # after waiting this long for the next ones to arrive.
    consumer_batch_size: int = 64
    consumer_linger_ms: int = Field(10, ge=0, le=1000)
    # Check-in events (the most numerous, and nobody waits on them) wait longer: larger
    # batches, less CPU per check-in in every consumer, a few tens of ms more event lag.
    consumer_checkin_linger_ms: int = Field(40, ge=0, le=1000)
    consumer_max_attempts: int = 5
    consumer_retry_delay_ms: int = 1000
    queue_watch_seconds: float = 15.0


def known_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


TimeZoneName = Annotated[str, AfterValidator(known_zone)]
"""An IANA time zone name, refused (ValueError) when this machine does not know it."""


class BusinessTimeSettings(BaseSettings):
    """Mixed into the settings of every service that counts in business days."""

    business_timezone: TimeZoneName = "Asia/Seoul"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.business_timezone)
