"""The README's walkthrough, run as a newcomer would (bash, curl, python3) against a
running stack, twice in a row: every `call` answers the status code its comment promises
(`# 201`, or `# 201, again: 409` for what a second run gives)."""

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "devstack"))
from services import DEMO_SHOP  # noqa: E402

STATUS = re.compile(r" → (\d{3})$")


def block_after(readme: str, heading: str) -> str:
    section = readme.split(heading, 1)[1]
    return section.split("```sh\n", 1)[1].split("\n```", 1)[0]


def walkthrough() -> str:
    """The walkthrough and its continuation (connecting a shop's order system)."""
    readme = (REPO / "README.md").read_text()
    return "\n".join(
        block_after(readme, heading)
        for heading in (
            "### Try it through the gateway",
            "### Running the event day",
            "### Campaigns over time and make-up days",
            "### Connecting a shop",
        )
    )


def expected_codes(script: str) -> list[tuple[str, str]]:
    """(first run, second run) for each `call`, from its comment."""
    logical: list[str] = []
    for line in re.sub(r"\\\n", " ", script).splitlines():
        previous = logical[-1] if logical else ""
        inside_quotes = not previous.startswith("#") and previous.count("'") % 2 == 1
        if inside_quotes:
            logical[-1] += " " + line
        else:
            logical.append(line)
    expected = []
    for line in logical:
        if not line.startswith("call "):
            continue
        comment = line.rsplit("#", 1)[1] if "#" in line else ""
        first = re.match(r"\s*(\d{3})", comment)
        assert first, f"a call without its expected status: {line}"
        again = re.search(r"again: (\d{3})", comment)
        expected.append((first.group(1), again.group(1) if again else first.group(1)))
    return expected


def run(script: str, local_stack: Any) -> list[str]:
    env = {
        **os.environ,
        "GW": local_stack.gateway,
        "AUTH_BOOTSTRAP_ADMIN_EMAIL": local_stack.admin[0],
        "AUTH_BOOTSTRAP_ADMIN_PASSWORD": local_stack.admin[1],
        "SHOP": local_stack.service_url(DEMO_SHOP.port_offset),
    }
    done = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return [m.group(1) for line in done.stdout.splitlines() if (m := STATUS.search(line))]


def test_the_walkthrough_answers_as_its_comments_say_twice(local_stack: Any) -> None:
    script = walkthrough()
    expected = expected_codes(script)
    assert len(expected) >= 30
    first, second = run(script, local_stack), run(script, local_stack)
    assert first == [a for a, _ in expected]
    assert second == [b for _, b in expected]
