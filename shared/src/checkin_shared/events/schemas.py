"""Each contract's JSON Schema, kept in the repository; a change must stay compatible.

    python -m checkin_shared.events.schemas --write   # after a compatible change
    python -m checkin_shared.events.schemas --check   # what the test suite runs

Compatible (same version): adding an optional field. Anything else (removing or retyping
a field, making one required, a new required field) needs a new `.vN` contract.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from checkin_shared.events.contracts import CONTRACTS

SCHEMA_DIR = Path(__file__).parent / "schemas"


def current_schema(event_type: str) -> dict[str, Any]:
    schema = CONTRACTS[event_type].model_json_schema(mode="serialization")
    schema["$id"] = f"urn:checkin:event:{event_type}"
    return schema


def incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What in `new` would break a consumer or a stored message written against `old`."""
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, spec in old_props.items():
        if name not in new_props:
            problems.append(f"field '{name}' removed")
        elif _strip_docs(new_props[name]) != _strip_docs(spec):
            problems.append(f"field '{name}' changed type")
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in sorted(new_required - old_required):
        problems.append(f"field '{name}' is newly required")
    return problems


def _strip_docs(spec: Any) -> Any:
    if isinstance(spec, dict):
        return {k: _strip_docs(v) for k, v in spec.items() if k not in ("title", "description")}
    return spec


def check(directory: Path = SCHEMA_DIR) -> list[str]:
    """Every problem found: missing, incompatible or stale schema files."""
    problems = []
    for event_type in sorted(CONTRACTS):
        path = directory / f"{event_type}.json"
        new = current_schema(event_type)
        if not path.exists():
            problems.append(f"{event_type}: no schema file; run --write")
            continue
        old = json.loads(path.read_text())
        breaking = incompatibilities(old, new)
        if breaking:
            problems.append(
                f"{event_type}: incompatible change ({'; '.join(breaking)}); "
                "publish a new version instead"
            )
        elif old != new:
            problems.append(f"{event_type}: compatible change not recorded; run --write")
    return problems


def write(directory: Path = SCHEMA_DIR) -> None:
    directory.mkdir(exist_ok=True)
    for event_type in sorted(CONTRACTS):
        text = json.dumps(current_schema(event_type), indent=2, sort_keys=True) + "\n"
        (directory / f"{event_type}.json").write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.write:
        problems = [p for p in check() if "incompatible" in p]
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        write()
        print(f"wrote {len(CONTRACTS)} schemas to {SCHEMA_DIR}")
        return 0
    problems = check()
    print("\n".join(problems) or "all event schemas up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
