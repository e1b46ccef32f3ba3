"""The GitHub Actions workflows: valid against the workflow schema check-jsonschema ships,
running the README's commands, and releasing an image of every service."""

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())


def load(name: str) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True; GitHub (and its schema) mean the string.
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in loaded:
        loaded["on"] = loaded.pop(True)
    return loaded


def run_lines(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.yml")))
def test_the_workflow_follows_the_github_workflow_schema(name: str) -> None:
    jsonschema.validate(load(name), get_builtin_schema("vendor.github-workflows"))


def test_the_schema_check_refuses_a_broken_workflow() -> None:
    broken = load("ci.yml")
    broken["on"] = {"pushed": None}  # a trigger GitHub does not have
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, get_builtin_schema("vendor.github-workflows"))


def test_ci_runs_lint_and_the_readmes_test_command_on_every_push_and_pull_request() -> None:
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    assert "make lint" in run_lines(ci["jobs"]["lint"])
    test = ci["jobs"]["test"]
    assert any(line.startswith("make test") for line in run_lines(test))
    assert "make test" in (REPO / ".ci" / "run").read_text()
    assert "make test" in (REPO / "README.md").read_text()
    images = {name: service["image"] for name, service in test["services"].items()}
    assert images["postgres"].startswith("postgres:") and images["rabbitmq"].startswith("rabbitmq:")
    assert {"5432:5432"} == set(test["services"]["postgres"]["ports"])
    assert {"5672:5672"} == set(test["services"]["rabbitmq"]["ports"])


def test_uv_downloads_are_cached_in_every_job() -> None:
    ci = load("ci.yml")
    for name, job in ci["jobs"].items():
        [setup] = [s for s in job["steps"] if s.get("uses", "").startswith("astral-sh/setup-uv")]
        assert setup["with"]["enable-cache"] is True, name
        assert setup["with"]["cache-dependency-glob"] == "uv.lock", name


def test_a_version_tag_checks_then_pushes_an_image_of_every_service() -> None:
    release = load("release.yml")
    assert release["on"]["push"]["tags"] == ["v*"]
    assert release["jobs"]["checks"]["uses"] == "./.github/workflows/ci.yml"
    assert "workflow_call" in load("ci.yml")["on"]
    images = release["jobs"]["images"]
    assert images["needs"] == "checks"
    built = {(entry["package"], entry["app"]) for entry in images["strategy"]["matrix"]["include"]}
    in_compose = {
        (service["build"]["args"]["PACKAGE"], service["build"]["args"]["APP"])
        for service in COMPOSE["services"].values()
        if "build" in service
    }
    assert built == in_compose
    [push] = [s for s in images["steps"] if s.get("uses", "").startswith("docker/build-push")]
    assert push["with"]["file"] == "deploy/docker/Dockerfile" and push["with"]["push"] is True
    tags = push["with"]["tags"]
    assert "${{ github.ref_name }}" in tags and "${{ github.sha }}" in tags
    assert "vars.REGISTRY" in images["env"]["REGISTRY"]  # the registry is a setting
