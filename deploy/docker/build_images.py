"""`make images`: the five service images, built with deploy/docker/Dockerfile the way
docker-compose.yml builds them (its build arguments), tagged checkin/<package>:<tag>, then
each one's size. The image tests build with this same code.

    python deploy/docker/build_images.py [--tag dev] [--python-image IMAGE] [--network host]
"""

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = Path("deploy") / "docker" / "Dockerfile"


@dataclass(frozen=True)
class Build:
    """One image, with the build arguments compose gives it."""

    package: str
    folder: str
    app: str

    def tag(self, version: str) -> str:
        return f"checkin/{self.package}:{version}"


def compose_builds(repo: Path) -> dict[str, Build]:
    """Compose service name -> the image it builds (several share one: auth, its key step
    and its migration step)."""
    services = yaml.safe_load((repo / "docker-compose.yml").read_text())["services"]
    return {
        name: Build(args["PACKAGE"], args["FOLDER"], args["APP"])
        for name, service in services.items()
        if "build" in service
        for args in [service["build"]["args"]]
    }


def distinct(repo: Path) -> list[Build]:
    return sorted(set(compose_builds(repo).values()), key=lambda b: b.package)


def build_argv(
    repo: Path, image: Build, version: str, *, python_image: str | None, network: str | None
) -> list[str]:
    """The arguments after `docker`."""
    argv = ["build", "-f", str(repo / DOCKERFILE), "-t", image.tag(version)]
    if network:
        argv += ["--network", network]
    if python_image:
        argv += ["--build-arg", f"PYTHON_IMAGE={python_image}"]
    for name, value in (("PACKAGE", image.package), ("FOLDER", image.folder), ("APP", image.app)):
        argv += ["--build-arg", f"{name}={value}"]
    return [*argv, str(repo)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", default="dev")
    parser.add_argument("--python-image", help="instead of python:3.11-slim-bookworm")
    parser.add_argument("--network", help="the build's network (host where no bridge exists)")
    parser.add_argument("--docker", default="docker", help="the docker client")
    args = parser.parse_args()
    for image in distinct(REPO):
        argv = build_argv(
            REPO, image, args.tag, python_image=args.python_image, network=args.network
        )
        print(f"• {image.tag(args.tag)}", flush=True)
        if subprocess.run([args.docker, *argv], check=False).returncode != 0:  # noqa: S603
            print(f"building {image.tag(args.tag)} failed", file=sys.stderr)
            return 1
    for image in distinct(REPO):
        size = subprocess.run(  # noqa: S603
            [args.docker, "image", "inspect", "-f", "{{.Size}}", image.tag(args.tag)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        print(f"{image.tag(args.tag)}: {int(size) / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
