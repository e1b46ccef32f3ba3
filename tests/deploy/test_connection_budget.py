"""The database connection budget: every replica's pool at its most, in each way of
running the system, fits under PostgreSQL's max_connections. Exceeding it turns a busy
minute into 503s ("too many clients"), as a full test run once showed."""

from pathlib import Path
from typing import Any

import yaml
from attendance_service.config import AttendanceSettings
from auth_service.config import AuthSettings
from checkin_shared.runtime import RuntimeSettings
from notification_service.config import NotificationSettings
from reward_service.config import RewardSettings

REPO = Path(__file__).resolve().parents[2]
SERVICES: dict[str, type[RuntimeSettings]] = {
    "auth": AuthSettings,
    "attendance": AttendanceSettings,
    "reward": RewardSettings,
    "notification": NotificationSettings,
}
POSTGRES_DEFAULT_MAX_CONNECTIONS = 100
SUPERUSER_RESERVED = 3  # PostgreSQL's default superuser_reserved_connections
MIGRATION_CONNECTIONS = 1  # alembic's engine: one connection, no overflow
HEADROOM = 10  # psql, backups, a monitoring exporter


def replica_connections(service: str, env: dict[str, str]) -> int:
    """The most one replica opens, with the manifest's overrides of the pool settings."""
    prefix = f"{service.upper()}_"
    overrides = {
        key.removeprefix(prefix).lower(): value
        for key, value in env.items()
        if key in (f"{prefix}DB_POOL_SIZE", f"{prefix}DB_MAX_OVERFLOW")
    }
    settings = SERVICES[service].model_validate({"database_url": "postgresql://x@h/d", **overrides})
    return settings.max_db_connections


def usable(max_connections: int) -> int:
    return max_connections - SUPERUSER_RESERVED - HEADROOM


def test_a_replica_counts_its_pool_its_overflow_and_its_relays_two() -> None:
    settings = RewardSettings(
        database_url="postgresql+asyncpg://x@h/d", db_pool_size=7, db_max_overflow=2
    )
    assert settings.max_db_connections == 11  # 7 + 2 + the relay's LISTEN and its own


def test_one_stack_fits_a_default_postgres() -> None:
    """`make dev`, the test stacks and `docker compose up`: one replica of each service,
    against a PostgreSQL with its default max_connections."""
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    assert "command" not in compose["postgres"]  # so the default limit applies
    total = 0
    for name, service in compose.items():
        env = service.get("environment") or {}
        owner = name.removesuffix("-migrate")
        if owner not in SERVICES:
            continue
        replicas = service.get("deploy", {}).get("replicas", 1)
        each = (
            MIGRATION_CONNECTIONS if name.endswith("-migrate") else replica_connections(owner, env)
        )
        total += replicas * each
    assert total <= usable(POSTGRES_DEFAULT_MAX_CONNECTIONS), total


def _kubernetes(folder: str) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((REPO / "deploy" / "k8s" / folder).glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def test_kubernetes_at_the_autoscalers_maximum_fits_the_database_cluster() -> None:
    base = _kubernetes("base")
    [cluster] = [d for d in _kubernetes("stateful") if d["kind"] == "Cluster"]
    limit = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    most = {
        d["spec"]["scaleTargetRef"]["name"]: d["spec"]["maxReplicas"]
        for d in base
        if d["kind"] == "HorizontalPodAutoscaler"
    }
    total = 0
    for doc in base:
        name = doc["metadata"]["name"]
        if doc["kind"] == "Deployment" and name in SERVICES:
            [container] = doc["spec"]["template"]["spec"]["containers"]
            env = {e["name"]: e["value"] for e in container["env"] if "value" in e}
            total += most.get(name, doc["spec"]["replicas"]) * replica_connections(name, env)
        elif doc["kind"] == "Job" and name.removesuffix("-migrate") in SERVICES:
            total += MIGRATION_CONNECTIONS
    assert total <= usable(limit), f"{total} connections at most, {usable(limit)} usable"
