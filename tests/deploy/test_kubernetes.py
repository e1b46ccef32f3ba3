"""deploy/k8s, checked without a cluster: Kubernetes schemas, and agreement with the code."""

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from api_gateway.config import GatewaySettings
from attendance_service.config import AttendanceSettings
from auth_service.config import AuthSettings
from notification_service.config import NotificationSettings
from reward_service.config import RewardSettings

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
KUBERNETES_VERSION = "1.30"
SETTINGS = {
    "gateway": (GatewaySettings, "GATEWAY_"),
    "auth": (AuthSettings, "AUTH_"),
    "attendance": (AttendanceSettings, "ATTENDANCE_"),
    "reward": (RewardSettings, "REWARD_"),
    "notification": (NotificationSettings, "NOTIFICATION_"),
}


def documents(folder: str) -> list[dict[str, Any]]:
    docs = []
    for path in sorted((K8S / folder).glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in documents("base") if d["kind"] == kind}


@pytest.mark.parametrize("folder", ["base", "stateful"])
def test_the_kustomization_lists_every_manifest_and_nothing_missing(folder: str) -> None:
    kustomization = yaml.safe_load((K8S / folder / "kustomization.yaml").read_text())
    listed = set(kustomization["resources"])
    present = {p.name for p in (K8S / folder).glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present
    for generator in kustomization.get("configMapGenerator", []):
        for entry in generator["files"]:
            assert (K8S / folder / entry.split("=", 1)[-1]).resolve().is_file(), entry


def test_every_manifest_follows_the_kubernetes_schemas() -> None:
    docs = documents("base")
    assert len(docs) >= 20
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_the_operator_resources_describe_a_replicated_database_and_broker() -> None:
    stateful = {d["kind"]: d for d in documents("stateful")}
    cluster, broker = stateful["Cluster"], stateful["RabbitmqCluster"]
    assert cluster["apiVersion"] == "postgresql.cnpg.io/v1"
    assert cluster["spec"]["instances"] >= 3
    roles = {r["name"] for r in cluster["spec"]["managed"]["roles"]}
    assert roles == {f"{s}_svc" for s in ("auth", "attendance", "reward", "notification")}
    assert broker["apiVersion"] == "rabbitmq.com/v1beta1"
    assert broker["spec"]["replicas"] >= 3
    assert "default_queue_type = quorum" in broker["spec"]["rabbitmq"]["additionalConfig"]


def container(name: str) -> dict[str, Any]:
    deployment = of_kind("Deployment")[name]
    [spec] = deployment["spec"]["template"]["spec"]["containers"]
    return dict(spec)


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_deployments_set_only_real_settings_and_every_localhost_default(service: str) -> None:
    settings, prefix = SETTINGS[service]
    env = {e["name"] for e in container(service)["env"]}
    fields = {f"{prefix}{name}".upper() for name in settings.model_fields}
    ours = {name for name in env if name.startswith(prefix)}
    assert ours <= fields, f"unknown settings: {ours - fields}"
    for name, field in settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if "127.0.0.1" in json.dumps(default, default=str):
            assert f"{prefix}{name}".upper() in env, f"{service}: {name} must be set"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_deployment_is_probed_limited_and_served(service: str) -> None:
    spec = container(service)
    assert spec["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert spec["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"requests", "limits"} <= spec["resources"].keys()
    assert spec["securityContext"]["allowPrivilegeEscalation"] is False
    service_ports = of_kind("Service")[service]["spec"]["ports"]
    assert [p["port"] for p in service_ports] == [8000]


def test_referenced_config_keys_and_secrets_exist() -> None:
    config = of_kind("ConfigMap")["checkin-config"]["data"]
    secrets = {name: set(doc["stringData"]) for name, doc in of_kind("Secret").items()}
    pods = [d["spec"]["template"]["spec"] for d in of_kind("Deployment").values()]
    pods += [j["spec"]["template"]["spec"] for j in of_kind("Job").values()]
    for pod in pods:
        for item in pod["containers"][0]["env"]:
            ref = item.get("valueFrom", {})
            if "configMapKeyRef" in ref:
                assert ref["configMapKeyRef"]["key"] in config, item["name"]
            if "secretKeyRef" in ref:
                secret = ref["secretKeyRef"]
                assert secret["key"] in secrets.get(secret["name"], set()), item["name"]
        for volume in pod.get("volumes", []):
            assert volume["secret"]["secretName"] in secrets


def test_the_gateway_routes_every_segment_of_the_code_to_a_service() -> None:
    routes = json.loads(of_kind("ConfigMap")["checkin-config"]["data"]["gateway_routes"])
    assert set(routes) == set(GatewaySettings().routes)
    for url in routes.values():
        host = url.split("//", 1)[1].split(":", 1)[0]
        assert host in of_kind("Service")


def test_scaling_and_isolation_are_declared() -> None:
    scaled = {
        h["spec"]["scaleTargetRef"]["name"] for h in of_kind("HorizontalPodAutoscaler").values()
    }
    budgets = set(of_kind("PodDisruptionBudget"))
    assert scaled == budgets == {"gateway", "attendance", "reward"}
    policies = of_kind("NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"]["podSelector"] == {}
    migrations = {name for name in of_kind("Job")}
    assert migrations == {f"{s}-migrate" for s in ("auth", "attendance", "reward", "notification")}
