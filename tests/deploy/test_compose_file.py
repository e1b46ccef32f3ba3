"""docker-compose.yml, checked without a Docker engine: schema, images, settings."""

import importlib
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from api_gateway.config import GatewaySettings
from attendance_service.config import AttendanceSettings
from auth_service.config import AuthSettings
from check_jsonschema.builtin_schemas import get_builtin_schema
from notification_service.config import NotificationSettings
from reward_service.config import RewardSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SETTINGS = {
    "auth": AuthSettings,
    "attendance": AttendanceSettings,
    "reward": RewardSettings,
    "notification": NotificationSettings,
    "gateway": GatewaySettings,
}
PREFIX = {
    "auth": "AUTH_",
    "attendance": "ATTENDANCE_",
    "reward": "REWARD_",
    "notification": "NOTIFICATION_",
    "gateway": "GATEWAY_",
}


def app_services() -> dict[str, dict[str, Any]]:
    return {name: COMPOSE["services"][name] for name in SETTINGS}


def test_compose_file_follows_the_compose_specification() -> None:
    schema = get_builtin_schema("vendor.compose-spec")
    jsonschema.validate(COMPOSE, schema)


def test_only_the_gateway_and_the_operator_uis_are_published() -> None:
    published = {
        name: service["ports"]
        for name, service in COMPOSE["services"].items()
        if "ports" in service
    }
    assert published == {
        "gateway": ["8000:8000"],
        "rabbitmq": ["15672:15672"],
        "mailpit": ["8025:8025"],
        "prometheus": ["9090:9090"],
        "grafana": ["3000:3000"],
    }


def test_every_build_names_an_app_that_imports() -> None:
    for name, service in COMPOSE["services"].items():
        build = service.get("build")
        if not build:
            continue
        args = build["args"]
        assert (REPO / build["dockerfile"]).is_file(), name
        assert (REPO / args["FOLDER"] / "pyproject.toml").is_file(), name
        module, _, factory = args["APP"].partition(":")
        assert callable(getattr(importlib.import_module(module), factory)), name


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_compose_sets_only_real_settings(service: str) -> None:
    fields = {f"{PREFIX[service]}{name}".upper() for name in SETTINGS[service].model_fields}
    env = app_services()[service]["environment"]
    ours = {key for key in env if key.startswith(PREFIX[service])}
    assert ours <= fields, f"unknown settings in compose: {ours - fields}"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_localhost_default_is_overridden_in_compose(service: str) -> None:
    """A setting whose default points at this machine cannot work inside a container: the
    deployment must set it. Adding such a setting to the code fails here until it does."""
    env = app_services()[service]["environment"]
    for name, field in SETTINGS[service].model_fields.items():
        default = field.get_default(call_default_factory=True)
        if "127.0.0.1" in json.dumps(default, default=str) or "localhost" in str(default):
            assert f"{PREFIX[service]}{name}".upper() in env, f"{service}: {name} not set"


def test_gateway_routes_every_service_with_a_segment() -> None:
    routes = json.loads(COMPOSE["services"]["gateway"]["environment"]["GATEWAY_ROUTES"])
    code_routes = GatewaySettings().routes
    assert set(routes) == set(code_routes)
    for segment, url in routes.items():
        host = re.match(r"http://([^:/]+)", url)
        assert host, url
        assert host.group(1) in COMPOSE["services"], f"{segment} routes to an unknown host"


def test_env_example_names_every_variable_compose_needs() -> None:
    text = (REPO / "docker-compose.yml").read_text()
    needed = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    example = {
        line.split("=", 1)[0]
        for line in (REPO / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert needed <= example, needed - example
