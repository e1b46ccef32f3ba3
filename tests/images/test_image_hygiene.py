"""What the images hold: the service's environment and its migrations, no build tool, no
source tree, no secret in any layer; and how large each is (in the run's summary)."""

import json
import re
import subprocess
import tarfile
from pathlib import Path
from typing import IO, Any

import pytest
from checkin_testkit.image_stack import build_images

pytestmark = pytest.mark.timeout(900)
REPO = Path(__file__).resolve().parents[2]

# Run inside each image: what /app holds, which tools are on PATH, which dev tools import.
INSIDE = """
import importlib.util, json, os, shutil
print(json.dumps({
    "app": sorted(os.listdir("/app")),
    "service": sorted(os.listdir("/app/service")),
    "tools": [t for t in ("uv", "gcc", "cc", "make", "git") if shutil.which(t)],
    "dev": [m for m in ("pytest", "ruff", "mypy") if importlib.util.find_spec(m)],
}))
"""
SECRET_WORDS = re.compile(r"PASSWORD|SECRET|TOKEN|PRIVATE KEY", re.IGNORECASE)
SECRET_FILES = re.compile(r"(^|/)(\.env|\.dev|id_rsa|id_ed25519|signing\.pem)$")
PRIVATE_KEY = b"PRIVATE KEY-----"


def test_each_image_holds_its_environment_and_migrations_and_no_tools(
    engine: Any, images: Any, image_report: list[str]
) -> None:
    for package, tag in sorted(images.tags.items()):
        found = json.loads(
            engine.run("run", "--rm", "--network", "none", tag, "python", "-c", INSIDE).stdout
        )
        assert found["app"] == [".venv", "service"], (package, found)
        schema = package != "gateway"
        assert found["service"] == (["alembic.ini", "migrations"] if schema else []), found
        assert found["tools"] == [] and found["dev"] == [], (package, found)
        size = int(engine.run("image", "inspect", "-f", "{{.Size}}", tag).stdout)
        image_report.append(f"{tag}: {size / 1e6:.0f} MB, built in {images.seconds[package]:.0f} s")


def layer_files(stream: IO[bytes]) -> list[tuple[str, bytes | None]]:
    """(path, content of small .pem/.key files) of every file in every layer of a
    `docker save` stream."""
    found = []
    with tarfile.open(fileobj=stream, mode="r|") as saved:
        for member in saved:
            if not member.name.endswith("layer.tar"):
                continue
            layer = saved.extractfile(member)
            assert layer is not None
            with tarfile.open(fileobj=layer, mode="r|") as files:
                for entry in files:
                    content = None
                    if entry.isfile() and entry.name.endswith((".pem", ".key")):
                        read = files.extractfile(entry)
                        content = read.read() if read else None
                    found.append((entry.name, content))
    return found


def test_no_secret_in_any_layer_or_in_the_history(engine: Any, images: Any) -> None:
    for tag in sorted(images.tags.values()):
        history = engine.run("history", "--no-trunc", "--format", "{{.CreatedBy}}", tag).stdout
        assert not SECRET_WORDS.search(history), (tag, SECRET_WORDS.findall(history))
        env = json.loads(engine.run("image", "inspect", "-f", "{{json .Config.Env}}", tag).stdout)
        assert not [e for e in env if SECRET_WORDS.search(e.split("=")[0])], env
        saved = subprocess.Popen(engine.argv("save", tag), stdout=subprocess.PIPE)
        assert saved.stdout is not None
        files = layer_files(saved.stdout)
        assert saved.wait(120) == 0
        assert len(files) > 1000, "the layers were not read"
        assert [name for name, _ in files if SECRET_FILES.search(name)] == [], tag
        keys = [name for name, content in files if content and PRIVATE_KEY in content]
        assert keys == [], (tag, keys)


def test_the_same_inputs_build_the_same_image(engine: Any, images: Any) -> None:
    """Built again from the same context, every layer comes from the cache: nothing the
    suite or a developer generates (bytecode, logs, .dev/) is in the build's context. (A
    byte-identical image from scratch would need SOURCE_DATE_EPOCH, which this engine's
    builder, Docker 20.10, does not honour: see the README.)"""
    auth = next(b for b in build_images(REPO).distinct(REPO) if b.package == "auth-service")
    tag = images.tags[auth.package]
    before = engine.run("image", "inspect", "-f", "{{.Id}}", tag).stdout
    images.rebuild(auth)
    assert engine.run("image", "inspect", "-f", "{{.Id}}", tag).stdout == before
