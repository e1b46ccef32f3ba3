"""The image's install step, run here without Docker: the Dockerfile's own `uv sync` line,
over exactly what its COPY lines copy, into a fresh environment; then the app must import
from it (with uvloop, httptools and the services' event loop) and no dev tool may be there."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "deploy" / "docker" / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
BUILDS = sorted(
    {
        (s["build"]["args"]["PACKAGE"], s["build"]["args"]["APP"])
        for s in COMPOSE["services"].values()
        if "build" in s
    }
)


def uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv") or str(Path.home() / ".local/bin/uv")
    assert Path(found).exists(), "uv not found"
    return found


def build_context(target: Path) -> None:
    """Copy what the build stage's COPY lines copy (before `uv sync`)."""
    build_stage = DOCKERFILE.split("RUN uv sync", 1)[0]
    lines = re.findall(r"^COPY (?!--from)(.+)$", build_stage, flags=re.MULTILINE)
    for source in [src for line in lines for src in line.split()[:-1]]:
        path = REPO / source
        if path.is_dir():
            shutil.copytree(
                path,
                target / source,
                ignore=shutil.ignore_patterns(".venv", "__pycache__", "tests", ".mypy_cache"),
            )
        else:
            shutil.copy2(path, target / source)


@pytest.mark.parametrize(("package", "app"), BUILDS)
def test_the_image_install_step_yields_a_runnable_app_without_dev_tools(
    package: str, app: str, tmp_path: Path
) -> None:
    build_context(tmp_path)
    [sync_line] = re.findall(r"^RUN (uv sync .*)$", DOCKERFILE, flags=re.MULTILINE)
    argv = sync_line.replace('"${PACKAGE}"', package).split()
    env = {
        **os.environ,
        "UV_PROJECT_ENVIRONMENT": str(tmp_path / "venv"),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    env.pop("VIRTUAL_ENV", None)
    subprocess.run([uv(), *argv[1:], "-q"], cwd=tmp_path, env=env, check=True, timeout=300)
    python = tmp_path / "venv" / "bin" / "python"
    module, _, factory = app.partition(":")
    check = (
        f"import importlib, uvloop, httptools, checkin_shared.accept_loop; "
        f"assert callable(getattr(importlib.import_module({module!r}), {factory!r}))"
    )
    subprocess.run([str(python), "-c", check], cwd="/", check=True, timeout=60)
    for dev_tool in ("pytest", "ruff", "mypy"):
        absent = subprocess.run(
            [str(python), "-c", f"import {dev_tool}"], cwd="/", capture_output=True, timeout=60
        )
        assert absent.returncode != 0, f"{dev_tool} is in the {package} image"
