"""What the image tests run, as data: the key step, the four migration steps and the five
services, each from the image `docker-compose.yml` builds for it, with the environment,
user and read-only root filesystem of `docker-compose.yml` and `deploy/k8s`, on the host's
network with loopback addresses instead of the compose network's names.

A test compares this with both files (`tests/images/test_deploy_files_agree.py`), so a
variable, command or setting added to one of them and not run here fails there.
"""

import importlib.util
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

TAG = "test"  # checkin/<package>:test
IMAGE_USER = "10001"  # the Dockerfile's USER, k8s' runAsUser
KEYS_MOUNT = "/keys"

# Variables only this test sets: where each container listens on the shared host network,
# the test's own exchange, cheaper password hashing, and room for one client's bursts.
TEST_ONLY = frozenset(
    {
        "PORT",
        "UVICORN_HOST",
        "AUTH_EVENTS_EXCHANGE",
        "ATTENDANCE_EVENTS_EXCHANGE",
        "REWARD_EVENTS_EXCHANGE",
        "NOTIFICATION_EVENTS_EXCHANGE",
        "AUTH_ARGON2_TIME_COST",
        "AUTH_ARGON2_MEMORY_KIB",
        "GATEWAY_RATE_PER_IP",
        "GATEWAY_BURST_PER_IP",
    }
)
# Variables of the Kubernetes manifests not run here, and why.
NOT_RUN = {
    "NOTIFICATION_SMTP_USERNAME": "the local SMTP sink takes no login",
    "NOTIFICATION_SMTP_PASSWORD": "the local SMTP sink takes no login",
}


@dataclass(frozen=True)
class Container:
    name: str  # the compose service it stands for
    build: Any  # build_images.Build: the image it runs
    env: dict[str, str]
    command: list[str] | None = None  # None: the image's own CMD
    user: str | None = None  # None: the image's USER
    read_only: bool = True
    volumes: tuple[str, ...] = ()
    port: int | None = None  # a service's (None for a one-off step)


@dataclass(frozen=True)
class Inputs:
    database: str
    amqp_url: str
    exchange: str
    keys_folder: Path
    smtp_port: int
    admin: tuple[str, str]
    ports: dict[str, int] = field(default_factory=dict)  # auth ... gateway, gateway-metrics
    postgres: str = "127.0.0.1:5432"


def compose_file(repo: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((repo / "docker-compose.yml").read_text())
    return loaded


def build_images(repo: Path) -> ModuleType:
    """`deploy/docker/build_images.py` (`make images`): which images compose builds, how."""
    path = repo / "deploy" / "docker" / "build_images.py"
    spec = importlib.util.spec_from_file_location("checkin_build_images", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def builds(repo: Path) -> dict[str, Any]:
    """Compose service name -> the image (build_images.Build) it runs."""
    found: dict[str, Any] = build_images(repo).compose_builds(repo)
    return found


MIGRATE = ["alembic", "-c", "/app/service/alembic.ini", "upgrade", "head"]
SCHEMA_SERVICES = {"auth": "auth_svc", "attendance": "attendance_svc", "reward": "reward_svc"}
SCHEMA_SERVICES["notification"] = "notification_svc"


def _database_url(inputs: Inputs, role: str) -> str:
    return f"postgresql+asyncpg://{role}@{inputs.postgres}/{inputs.database}"


def steps(repo: Path, inputs: Inputs) -> list[Container]:
    """The key step (as root, like compose's, to hand the key to the service's user), then
    each schema's migration."""
    image_of = builds(repo)
    keys = Container(
        "keys",
        image_of["keys"],
        {},
        command=[
            "sh",
            "-c",
            "auth-admin generate-key /keys/signing.pem && chown 10001 /keys/signing.pem",
        ],
        user="0",
        volumes=(f"{inputs.keys_folder}:{KEYS_MOUNT}",),
    )
    migrations = [
        Container(
            f"{service}-migrate",
            image_of[f"{service}-migrate"],
            {f"{service.upper()}_DATABASE_URL": _database_url(inputs, role)},
            command=MIGRATE,
        )
        for service, role in SCHEMA_SERVICES.items()
    ]
    return [keys, *migrations]


def services(repo: Path, inputs: Inputs) -> list[Container]:
    """The four services, then the gateway (compose starts it once they are healthy)."""
    image_of = builds(repo)
    ports = inputs.ports
    jwks = f"http://127.0.0.1:{ports['auth']}/auth/.well-known/jwks.json"
    common = {"UVICORN_HOST": "127.0.0.1", "FORWARDED_ALLOW_IPS": "*"}

    def service_env(service: str, role: str) -> dict[str, str]:
        prefix = service.upper()
        return {
            **common,
            "PORT": str(ports[service]),
            f"{prefix}_DATABASE_URL": _database_url(inputs, role),
            f"{prefix}_AMQP_URL": inputs.amqp_url,
            f"{prefix}_EVENTS_EXCHANGE": inputs.exchange,
            f"{prefix}_JWKS_URL": jwks,
            f"{prefix}_ENVIRONMENT": "production",
            f"{prefix}_LOG_LEVEL": "info",
        }

    zone = {"BUSINESS_TIMEZONE": "Asia/Seoul"}
    auth = {
        **service_env("auth", "auth_svc"),
        "AUTH_SIGNING_KEY_FILE": f"{KEYS_MOUNT}/signing.pem",
        "AUTH_BOOTSTRAP_ADMIN_EMAIL": inputs.admin[0],
        "AUTH_BOOTSTRAP_ADMIN_PASSWORD": inputs.admin[1],
        "AUTH_ARGON2_TIME_COST": "1",
        "AUTH_ARGON2_MEMORY_KIB": "8192",
    }
    attendance = {
        **service_env("attendance", "attendance_svc"),
        **{f"ATTENDANCE_{k}": v for k, v in zone.items()},
    }
    reward = {**service_env("reward", "reward_svc"), **{f"REWARD_{k}": v for k, v in zone.items()}}
    notification = {
        **service_env("notification", "notification_svc"),
        **{f"NOTIFICATION_{k}": v for k, v in zone.items()},
        "NOTIFICATION_SMTP_HOST": "127.0.0.1",
        "NOTIFICATION_SMTP_PORT": str(inputs.smtp_port),
        "NOTIFICATION_SMTP_SECURITY": "none",
        "NOTIFICATION_LOCALE": "en",
        "NOTIFICATION_SHOP_NAME": "Image test shop",
        "NOTIFICATION_MAIL_FROM": "Image test <no-reply@checkin.example>",
        "NOTIFICATION_PUBLIC_URL": f"http://127.0.0.1:{ports['gateway']}",
        "NOTIFICATION_EVENT_PAGE_URL": "",
        "NOTIFICATION_LOGO_URL": "",
        "NOTIFICATION_ALERT_RECIPIENTS": json.dumps([inputs.admin[0]]),
    }
    routes = {
        "auth": f"http://127.0.0.1:{ports['auth']}",
        "attendance": f"http://127.0.0.1:{ports['attendance']}",
        "rewards": f"http://127.0.0.1:{ports['reward']}",
        "notifications": f"http://127.0.0.1:{ports['notification']}",
    }
    gateway = {
        "UVICORN_HOST": "127.0.0.1",
        "PORT": str(ports["gateway"]),
        "GATEWAY_ROUTES": json.dumps(routes),
        "GATEWAY_JWKS_URL": jwks,
        "GATEWAY_ENVIRONMENT": "production",
        "GATEWAY_LOG_LEVEL": "info",
        "UVICORN_PROXY_HEADERS": "false",
        "GATEWAY_TRUSTED_PROXIES": "[]",
        "GATEWAY_METRICS_HOST": "127.0.0.1",
        "GATEWAY_METRICS_PORT": str(ports["gateway-metrics"]),
        "GATEWAY_RATE_PER_IP": "5000",
        "GATEWAY_BURST_PER_IP": "5000",
    }
    keys_read_only = (f"{inputs.keys_folder}:{KEYS_MOUNT}:ro",)
    return [
        Container("auth", image_of["auth"], auth, volumes=keys_read_only, port=ports["auth"]),
        Container("attendance", image_of["attendance"], attendance, port=ports["attendance"]),
        Container("reward", image_of["reward"], reward, port=ports["reward"]),
        Container(
            "notification", image_of["notification"], notification, port=ports["notification"]
        ),
        Container("gateway", image_of["gateway"], gateway, port=ports["gateway"]),
    ]
