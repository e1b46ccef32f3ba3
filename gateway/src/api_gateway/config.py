"""Gateway settings (environment variables prefixed `GATEWAY_`)."""

import ipaddress

from checkin_shared.settings import ServiceSettings
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from api_gateway.upstream_http import parse_base_url


def _default_routes() -> dict[str, str]:
    # One line per service: first path segment -> base URL.
    return {
        "auth": "http://127.0.0.1:8001",
        "attendance": "http://127.0.0.1:8002",
        "rewards": "http://127.0.0.1:8003",
        "notifications": "http://127.0.0.1:8004",
    }


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    routes: dict[str, str] = Field(
        default_factory=_default_routes,
        description='JSON object, e.g. {"auth": "http://auth:8000"}',
    )
    connect_timeout_seconds: float = 2.0
    upstream_timeout_seconds: float = 10.0
    max_body_bytes: int = 1_048_576
    # File uploads (CSV imports) may be larger; streamed through, never held whole.
    upload_max_body_bytes: int = 32 * 1_048_576
    # Before a 413 the gateway reads (and drops) up to this much of the body, so a client
    # that sends it all before reading gets the answer instead of a connection reset.
    drain_limit_bytes: int = Field(16 * 1_048_576, ge=0)
    # Requests in flight to each service at once (to each its own: a hung service holds
    # only its own); more wait in the gateway, in the order they came.
    upstream_pool_size: int = Field(200, ge=1)
    # An idle pooled connection is dropped after this; it must stay under the services'
    # own keep-alive (uvicorn --timeout-keep-alive, 75 s in every launch command), or the
    # gateway reuses connections the service is closing and answers 503.
    upstream_keepalive_seconds: float = 30.0
    rate_per_ip: float = 50.0
    burst_per_ip: int = 100
    rate_per_user: float = 10.0
    burst_per_user: int = 20
    rate_limit_max_keys: int = 100_000
    openapi_cache_seconds: float = 30.0
    # Origins whose pages may call the API from a browser (a JSON list, e.g.
    # ["https://shop.example"]); none by default.
    cors_origins: list[str] = Field(default_factory=list)
    cors_max_age_seconds: int = 600
    # Proxies in front of the gateway (CIDRs, a JSON list, e.g. ["10.0.0.0/8"]): only
    # from them is X-Forwarded-For believed. None by default. The gateway's uvicorn runs
    # with --no-proxy-headers (UVICORN_PROXY_HEADERS=false), so this alone decides.
    trusted_proxies: list[str] = Field(default_factory=list)
    # /metrics is served only here, never on the public port. In containers the host is
    # 0.0.0.0 and the port is left out of the published ports and the public Service.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(9100, ge=1, le=65535)

    @field_validator("routes")
    @classmethod
    def _service_urls(cls, value: dict[str, str]) -> dict[str, str]:
        for base_url in value.values():
            parse_base_url(base_url)  # ValueError: a clear startup error
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ipaddress.ip_network(cidr, strict=False)  # ValueError: a clear startup error
        return value
