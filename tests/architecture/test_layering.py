"""The code's shape, held by tests: folders of a service never import each other both
ways, routers hold no SQL, only the unit of work commits, and no runtime package needs
the test kit."""

import ast
import re
from itertools import combinations
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = {
    "auth_service": REPO / "auth-service/src/auth_service",
    "attendance_service": REPO / "attendance-service/src/attendance_service",
    "reward_service": REPO / "reward-service/src/reward_service",
    "notification_service": REPO / "notification-service/src/notification_service",
    "api_gateway": REPO / "gateway/src/api_gateway",
    "checkin_shared": REPO / "shared/src/checkin_shared",
}
SESSION_CALLS = {"execute", "scalar", "scalars", "stream", "get"}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def folder_imports(package: str, root: Path) -> dict[str, set[str]]:
    """For each top-level folder of the package, the other folders it imports."""
    folders = {p.name for p in root.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    graph: dict[str, set[str]] = {f: set() for f in folders}
    for folder in folders:
        for path in (root / folder).rglob("*.py"):
            for name in imported_modules(path):
                parts = name.split(".")
                inside = parts[0] == package and len(parts) > 1 and parts[1] in folders
                if inside and parts[1] != folder:
                    graph[folder].add(parts[1])
    return graph


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_no_folder_imports_a_folder_that_imports_it_back(package: str) -> None:
    graph = folder_imports(package, PACKAGES[package])
    both_ways = [
        (a, b) for a, b in combinations(sorted(graph), 2) if b in graph[a] and a in graph[b]
    ]
    assert both_ways == []


def test_reward_service_is_laid_out_by_entity() -> None:
    root = PACKAGES["reward_service"]
    folders = {p.name for p in root.iterdir() if (p / "__init__.py").exists()}
    assert folders == {
        "campaigns",
        "tiers",
        "stock",
        "claims",
        "points",
        "projection",
        "idempotency",  # the Idempotency-Key store, for claims and points grants
        "fulfilment",  # what becomes of a claim: shipping, delivery, cancellation
    }


def test_routers_hold_no_sql() -> None:
    """A router imports nothing from SQLAlchemy and runs no statement on its session."""
    offenders = []
    for root in PACKAGES.values():
        for path in root.rglob("*router.py"):
            where = path.relative_to(REPO)
            if any(n.split(".")[0] == "sqlalchemy" for n in imported_modules(path)):
                offenders.append(f"{where}: imports sqlalchemy")
            for node in ast.walk(ast.parse(path.read_text())):
                call = node.func if isinstance(node, ast.Call) else None
                if (
                    isinstance(call, ast.Attribute)
                    and call.attr in SESSION_CALLS
                    and isinstance(call.value, ast.Name)
                    and call.value.id == "session"
                ):
                    offenders.append(f"{where}:{node.lineno} session.{call.attr}()")
    assert offenders == []


def test_only_the_unit_of_work_commits() -> None:
    commits = [
        f"{path.relative_to(REPO)}:{number}"
        for root in PACKAGES.values()
        for path in root.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.commit\(\)", line)
    ]
    assert commits and all(
        c.startswith("shared/src/checkin_shared/unit_of_work.py") for c in commits
    )


def test_no_runtime_package_imports_the_test_kit() -> None:
    users = [
        str(path.relative_to(REPO))
        for root in PACKAGES.values()
        for path in root.rglob("*.py")
        if any(n.split(".")[0] == "checkin_testkit" for n in imported_modules(path))
    ]
    assert users == []


def test_shared_names_no_service() -> None:
    services = ("auth", "attendance", "reward", "notification")
    named = []
    for path in PACKAGES["checkin_shared"].joinpath("events").rglob("*.py"):
        if path.name == "parking.py":  # the operator's CLI takes the service as an argument
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in services:
                named.append(f"{path.relative_to(REPO)}:{node.lineno} {node.value!r}")
    assert named == []
