"""The local stack, one line per service: what `make dev` migrates and starts."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str  # also the env prefix (upper-cased) and the first path segment it serves
    segment: str
    app: str  # uvicorn factory
    folder: str | None  # the folder holding alembic.ini, or None when it has no schema
    role: str | None  # its database role
    port_offset: int
    command: tuple[str, ...] | None = None  # instead of uvicorn; {port} and {state} filled in
    # uvicorn believes X-Forwarded-For from loopback; the gateway decides that itself
    # (GATEWAY_TRUSTED_PROXIES), so its uvicorn must not.
    proxy_headers: bool = True


SERVICES = [
    Service("auth", "auth", "auth_service.main:create_app", "auth-service", "auth_svc", 1),
    Service(
        "attendance",
        "attendance",
        "attendance_service.main:create_app",
        "attendance-service",
        "attendance_svc",
        2,
    ),
    Service(
        "reward", "rewards", "reward_service.main:create_app", "reward-service", "reward_svc", 3
    ),
    Service(
        "notification",
        "notifications",
        "notification_service.main:create_app",
        "notification-service",
        "notification_svc",
        4,
    ),
]
# Not a service of the system: a local SMTP server that keeps every mail in a Maildir
# (mail_sink.py).
MAIL_SINK = Service(
    "mail",
    "",
    "",
    None,
    None,
    25,
    command=(
        "python",
        "deploy/devstack/mail_sink.py",
        "--port",
        "{port}",
        "--maildir",
        "{state}/mail",
    ),
)
# Not a service of the system either: a stand-in for the shop's own sign-in (an OIDC
# issuer) and the receiver of the webhooks we send it (demo_shop.py).
DEMO_SHOP = Service(
    "shop",
    "",
    "",
    None,
    None,
    26,
    command=("python", "deploy/devstack/demo_shop.py", "--port", "{port}", "--state", "{state}"),
)
# The gateway's internal /metrics port (never the public one), as an offset like the rest.
GATEWAY_METRICS_OFFSET = 9
GATEWAY = Service("gateway", "", "api_gateway.main:create_app", None, None, 0, proxy_headers=False)
