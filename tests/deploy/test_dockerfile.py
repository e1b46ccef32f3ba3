"""The Dockerfile, checked without a Docker engine: its COPY sources exist."""

import re
from pathlib import Path

import yaml
from dockerfile_parse import DockerfileParser

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"


def instructions() -> list[dict[str, str]]:
    parser = DockerfileParser(path=str(DOCKERFILE))
    return list(parser.structure)


def build_folders() -> set[str]:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return {
        service["build"]["args"]["FOLDER"]
        for service in compose["services"].values()
        if "build" in service
    }


def test_copy_sources_exist_for_every_service_built() -> None:
    copies = [i["value"].split() for i in instructions() if i["instruction"] == "COPY"]
    assert copies
    for parts in copies:
        sources = [p for p in parts[:-1] if not p.startswith("--")]
        if any(p.startswith("--from") for p in parts):
            continue
        for source in sources:
            if "${FOLDER}" in source:
                for folder in build_folders():
                    assert (REPO / source.replace("${FOLDER}", folder)).exists(), source
            else:
                assert (REPO / source).exists(), source


def test_every_workspace_member_is_copied_into_the_build() -> None:
    import tomllib

    members = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["uv"]["workspace"]
    copied = {
        i["value"].split()[0].rstrip("/")
        for i in instructions()
        if i["instruction"] == "COPY" and "--from" not in i["value"]
    }
    assert set(members["members"]) <= copied


def test_runs_as_a_non_root_user_with_a_healthcheck() -> None:
    names = [i["instruction"] for i in instructions()]
    users = [i["value"] for i in instructions() if i["instruction"] == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert "HEALTHCHECK" in names
    # uvloop through the loop that drains listen queues, and httptools through the
    # protocol that adds the header and body timeouts
    text = DOCKERFILE.read_text()
    assert "--loop checkin_shared.accept_loop:new_event_loop" in text
    assert "TimedHttpToolsProtocol" in text


def test_services_keep_idle_connections_open_longer_than_the_gateway_pools_them() -> None:
    """Otherwise the gateway reuses a connection the service is closing: the request fails
    with "Can not write request body" and the client gets 503 (the benchmark's claim
    storm, after a few idle seconds, met 14 of them before this was fixed)."""
    import sys

    from api_gateway.config import GatewaySettings

    sys.path.insert(0, str(REPO / "deploy" / "devstack"))
    from processes import uvicorn_argv

    pooled = GatewaySettings().upstream_keepalive_seconds
    [command] = [i["value"] for i in instructions() if i["instruction"] == "CMD"]
    image = re.search(r"--timeout-keep-alive (\d+)", command)
    assert image, "the image's uvicorn keeps uvicorn's 5 s default"
    argv = uvicorn_argv("app:create_app", 8000)
    local = argv[argv.index("--timeout-keep-alive") + 1]
    assert int(image.group(1)) > pooled and int(local) > pooled


def test_every_server_runs_with_the_header_and_body_timeouts_on_the_draining_loop() -> None:
    """The image and the dev runner both use the protocol that closes stalled requests,
    and the loop that takes a burst of connections in at once."""
    import sys

    sys.path.insert(0, str(REPO / "deploy" / "devstack"))
    from processes import uvicorn_argv

    protocol = "checkin_shared.http_protocol:TimedHttpToolsProtocol"
    loop = "checkin_shared.accept_loop:new_event_loop"
    [command] = [i["value"] for i in instructions() if i["instruction"] == "CMD"]
    assert f"--http {protocol}" in command and f"--loop {loop}" in command
    argv = uvicorn_argv("app:create_app", 8000)
    assert argv[argv.index("--http") + 1] == protocol
    assert argv[argv.index("--loop") + 1] == loop
