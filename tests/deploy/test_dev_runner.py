"""The `make dev` runner: a child's pid file exists while it runs and is gone once the
stack stops, so a later `kill $(cat .dev/pids/<name>.pid)` cannot hit another process."""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "devstack"))

from processes import Stack  # noqa: E402
from services import Service  # noqa: E402


async def test_pid_files_are_removed_when_the_stack_stops(tmp_path: Path) -> None:
    stack = Stack(REPO, dict(os.environ), 0, pid_dir=tmp_path / "pids")
    sleeper = Service("sleeper", "", "", None, None, 0, command=("sleep", "30"))
    await stack.start(sleeper)
    pid_file = tmp_path / "pids" / "sleeper.pid"
    pid = int(pid_file.read_text())
    assert pid == stack.children["sleeper"].pid
    await stack.stop()
    assert not pid_file.exists()
    assert stack.children["sleeper"].returncode is not None  # and the child is gone
