"""A Docker engine of a test's own, and the Python base image its builds start from.

The engine is `dockerd` on a socket under a temporary folder, with its own data root and
exec root, no bridge and no iptables (so host networking only: containers reach the
machine's PostgreSQL and RabbitMQ on 127.0.0.1), stopped by its pid at the end and its
folder removed. The base image is made from Debian's packages with debootstrap
(`deploy/docker/debian-python-base.sh`), because no image registry can be reached here; its
root filesystem is cached between runs, keyed by the script that makes it.
"""

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BASE_IMAGE = "checkin/python-base:bookworm"
TOOLS = ("dockerd", "containerd", "runc", "debootstrap")


def unavailable_reason() -> str | None:
    """Why no engine can be started here, or None when one can."""
    if os.geteuid() != 0:
        return "starting dockerd and debootstrap need root"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        return (
            f"{', '.join(missing)} not installed (`make test` installs Debian's docker.io "
            "and debootstrap with apt-get where it can)"
        )
    return None


def client() -> str:
    """The client that came with the engine (Debian's), else any `docker` on PATH."""
    debian = Path("/usr/bin/docker")
    found = str(debian) if debian.exists() else shutil.which("docker")
    if found is None:
        raise RuntimeError("no docker client")
    return found


@dataclass(frozen=True)
class Engine:
    socket: Path
    client: str

    def argv(self, *args: str) -> list[str]:
        return [self.client, "-H", f"unix://{self.socket}", *args]

    def run(
        self, *args: str, timeout: float = 120, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 (our own arguments)
            self.argv(*args), capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"docker {' '.join(args[:3])} failed:\n{done.stdout}{done.stderr}")
        return done


@contextlib.contextmanager
def private_engine() -> Iterator[Engine]:
    # Short paths: containerd's sockets live under the exec root (a socket path has 108 bytes).
    folder = Path(tempfile.mkdtemp(prefix="checkin-docker-"))
    log = (folder / "dockerd.log").open("wb")
    engine = Engine(folder / "docker.sock", client())
    daemon = subprocess.Popen(  # noqa: S603 (our own arguments)
        [
            shutil.which("dockerd") or "/usr/sbin/dockerd",
            "--data-root",
            str(folder / "data"),
            "--exec-root",
            str(folder / "exec"),
            "--pidfile",
            str(folder / "dockerd.pid"),
            "--host",
            f"unix://{engine.socket}",
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_up(engine, daemon, folder / "dockerd.log")
        yield engine
    finally:
        _stop(engine, daemon)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_up(engine: Engine, daemon: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            raise RuntimeError(f"dockerd exited:\n{log.read_text(errors='replace')[-3000:]}")
        if engine.socket.exists() and engine.run("info", check=False).returncode == 0:
            return
        time.sleep(0.3)
    raise RuntimeError(f"dockerd did not answer:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(engine: Engine, daemon: subprocess.Popen[bytes]) -> None:
    """Every container removed, then the daemon stopped by its pid (SIGTERM, then SIGKILL)."""
    if daemon.poll() is None:
        listed = engine.run("ps", "-aq", check=False).stdout.split()
        if listed:
            engine.run("rm", "-f", *listed, check=False, timeout=120)
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(daemon.pid, signal.SIGKILL)
            daemon.wait(10)


def cache_folder() -> Path:
    default = Path.home() / ".cache" / "checkin-rewards"
    return Path(os.environ.get("CHECKIN_IMAGE_CACHE", default))


def base_image(engine: Engine, repo: Path) -> str:
    """The debootstrap base image in this engine: made once per version of its script."""
    script = repo / "deploy" / "docker" / "debian-python-base.sh"
    key = hashlib.sha256(script.read_bytes()).hexdigest()[:12]
    rootfs = cache_folder() / f"debian-python-base-{key}.tar"
    if not rootfs.exists():
        rootfs.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(script), str(rootfs)], check=True, timeout=900)  # noqa: S603
    engine.run(
        "import",
        "--change",
        "ENV UV_NATIVE_TLS=1 LANG=C.UTF-8",
        "--change",
        'CMD ["python3"]',
        str(rootfs),
        BASE_IMAGE,
        timeout=300,
    )
    return BASE_IMAGE
