"""Every operation of the public API, fuzzed through the gateway (schemathesis strategies,
Hypothesis), as a shopper and as an admin: whatever the input, never a 5xx, and every
answer as documented (its status, content type and body schema). Bounded: a fixed number
of derandomized examples per operation and role. And every error code the document names
is one some test provokes."""

import re
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = 12


REPO = Path(__file__).resolve().parents[2]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def document(local_stack: Any) -> dict[str, Any]:
    merged: dict[str, Any] = httpx.get(f"{local_stack.gateway}/openapi.json", timeout=10).json()
    return merged


@pytest.fixture(scope="module")
def operations(document: dict[str, Any]) -> list[Any]:
    schema = schemathesis.openapi.from_dict(document)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 30  # every service's routes are in the merged document
    return found


@pytest.fixture(scope="module")
def tokens(local_stack: Any) -> dict[str, str]:
    with httpx.Client(base_url=local_stack.gateway, timeout=10) as client:
        shopper = client.post(
            "/auth/login", json={"email": "demo@example.com", "password": "check in 2026!"}
        ).json()["access_token"]
        admin = client.post(
            "/auth/login", json={"email": local_stack.admin[0], "password": local_stack.admin[1]}
        ).json()["access_token"]
    assert jwt.decode(admin, options={"verify_signature": False})["role"] == "admin"
    return {"shopper": shopper, "admin": admin}


def fuzz(operation: Any, base_url: str, token: str) -> list[str]:
    """Run the bounded examples of one operation; the failures, as text."""
    failures: list[str] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        try:
            case.call_and_validate(
                base_url=base_url,
                headers={"Authorization": f"Bearer {token}"},
                checks=CHECKS,
                timeout=10,
            )
        except Exception as exc:  # collected, reported together below
            failures.append(f"{operation.label}: {str(exc)[:400]}")

    run()
    return failures


@pytest.mark.parametrize("role", ["shopper", "admin"])
def test_no_input_gives_a_server_error(
    role: str, operations: list[Any], local_stack: Any, tokens: dict[str, str]
) -> None:
    failures: list[str] = []
    for operation in operations:
        failures += fuzz(operation, local_stack.gateway, tokens[role])
    assert failures == [], "\n".join(failures[:10])


def documented_error_codes(document: dict[str, Any]) -> dict[str, set[str]]:
    """code -> where it is documented ("403 GET /rewards/me"), from the error responses'
    descriptions ("already_claimed or out_of_stock")."""
    codes: dict[str, set[str]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation.get("responses", {}).items():
                if status[0] not in "45":
                    continue
                for code in re.findall(r"\b[a-z]+(?:_[a-z]+)*\b", response["description"]):
                    if code != "or":
                        codes.setdefault(code, set()).add(f"{status} {method.upper()} {path}")
    return codes


def test_every_documented_error_code_is_provoked_by_a_test(document: dict[str, Any]) -> None:
    """A code is provoked when some test asserts it (`"<code>"` in a test file)."""
    codes = documented_error_codes(document)
    assert {"not_eligible", "already_checked_in", "out_of_stock", "rate_limited"} <= set(codes)
    tests = "\n".join(
        path.read_text()
        for folder in [REPO / "tests", *REPO.glob("*/tests")]
        for path in folder.rglob("test_*.py")
        if path != Path(__file__).resolve()  # the codes named above must be asserted elsewhere
    )
    unprovoked = {
        code: sorted(where)[:3] for code, where in codes.items() if f'"{code}"' not in tests
    }
    assert unprovoked == {}
