"""Every operation of the public API, fuzzed through the gateway (schemathesis strategies,
Hypothesis), as a shopper and as an admin: whatever the input, never a 5xx. Bounded: a
fixed number of derandomized examples per operation and role."""

from typing import Any

import httpx
import jwt
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

EXAMPLES = 12


@pytest.fixture(scope="module")
def operations(fuzz_stack: Any) -> list[Any]:
    document = httpx.get(f"{fuzz_stack.gateway}/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 30  # every service's routes are in the merged document
    return found


@pytest.fixture(scope="module")
def tokens(fuzz_stack: Any) -> dict[str, str]:
    with httpx.Client(base_url=fuzz_stack.gateway, timeout=10) as client:
        shopper = client.post(
            "/auth/login", json={"email": "demo@example.com", "password": "check in 2026!"}
        ).json()["access_token"]
        admin = client.post(
            "/auth/login", json={"email": fuzz_stack.admin[0], "password": fuzz_stack.admin[1]}
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
                checks=[not_a_server_error],
                timeout=10,
            )
        except Exception as exc:  # collected, reported together below
            failures.append(f"{operation.label}: {str(exc)[:400]}")

    run()
    return failures


@pytest.mark.parametrize("role", ["shopper", "admin"])
def test_no_input_gives_a_server_error(
    role: str, operations: list[Any], fuzz_stack: Any, tokens: dict[str, str]
) -> None:
    failures: list[str] = []
    for operation in operations:
        failures += fuzz(operation, fuzz_stack.gateway, tokens[role])
    assert failures == [], "\n".join(failures[:10])
