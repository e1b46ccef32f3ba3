"""What the image tier runs (`checkin_testkit.image_stack`) against `docker-compose.yml` and
the Kubernetes manifests: the same containers, variables, commands, user, mounts and a
read-only root filesystem. Runs without an engine: it reads the plan the tier runs."""

from pathlib import Path
from typing import Any

import pytest
import yaml
from checkin_testkit.image_stack import (
    IMAGE_USER,
    NOT_RUN,
    TEST_ONLY,
    Container,
    Inputs,
    compose_file,
    services,
    steps,
)

REPO = Path(__file__).resolve().parents[2]
INPUTS = Inputs(
    database="checkin",
    amqp_url="amqp://guest:guest@127.0.0.1:5672/",
    exchange="checkin.events",
    keys_folder=Path("/srv/keys"),
    smtp_port=1025,
    admin=("admin@example.com", "a long admin password"),
    ports={
        "auth": 8001,
        "attendance": 8002,
        "reward": 8003,
        "notification": 8004,
        "gateway": 8000,
        "gateway-metrics": 8009,
    },
)
RAN = {c.name: c for c in [*steps(REPO, INPUTS), *services(REPO, INPUTS)]}
COMPOSE = compose_file(REPO)["services"]
BUILT = {name: s for name, s in COMPOSE.items() if "build" in s}


def k8s_pods() -> dict[str, dict[str, Any]]:
    """Deployment or Job name -> its pod spec."""
    pods = {}
    for manifest in sorted((REPO / "deploy" / "k8s" / "base").glob("*.yaml")):
        for doc in yaml.safe_load_all(manifest.read_text()):
            if doc and doc.get("kind") in ("Deployment", "Job"):
                pods[doc["metadata"]["name"]] = doc["spec"]["template"]["spec"]
    return pods


PODS = k8s_pods()


def k8s_container(name: str) -> dict[str, Any] | None:
    pod = PODS.get(name)
    return None if pod is None else pod["containers"][0]


def test_the_tier_runs_every_container_compose_builds() -> None:
    assert set(RAN) == set(BUILT)
    assert {n for n in PODS} <= set(RAN), "a Kubernetes workload the tier never runs"


@pytest.mark.parametrize("name", sorted(RAN))
def test_the_same_variables_as_compose_and_kubernetes(name: str) -> None:
    ran = set(RAN[name].env)
    compose = set(BUILT[name].get("environment") or {})
    container = k8s_container(name)
    k8s = {e["name"] for e in container.get("env", [])} if container else set()
    assert compose - ran == set(), "set by docker-compose.yml, not run by the tier"
    assert k8s - ran - set(NOT_RUN) == set(), "set by deploy/k8s, not run by the tier"
    assert ran - TEST_ONLY - compose - k8s == set(), "run by the tier, set by neither file"


@pytest.mark.parametrize("name", sorted(RAN))
def test_the_same_command_user_and_read_only_root(name: str) -> None:
    ran: Container = RAN[name]
    compose = BUILT[name]
    assert compose.get("command") == ran.command
    assert compose.get("user") == ran.user
    assert compose.get("read_only") is True and ran.read_only is True
    container = k8s_container(name)
    if container is not None:
        assert container.get("command") == ran.command
        assert PODS[name]["securityContext"]["runAsUser"] == int(IMAGE_USER)
        assert container["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.parametrize("name", sorted(RAN))
def test_the_same_mounts(name: str) -> None:
    ran = {v.split(":")[1]: v.endswith(":ro") for v in RAN[name].volumes}
    compose = {v.split(":")[1]: v.endswith(":ro") for v in BUILT[name].get("volumes", [])}
    assert ran == compose
    container = k8s_container(name)
    if container is not None:
        k8s = {m["mountPath"]: m.get("readOnly", False) for m in container.get("volumeMounts", [])}
        assert ran == k8s


def test_the_dockerfile_user_is_the_one_everything_expects() -> None:
    dockerfile = (REPO / "deploy" / "docker" / "Dockerfile").read_text()
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users[-1] == IMAGE_USER
    assert f"--uid {IMAGE_USER}" in dockerfile
