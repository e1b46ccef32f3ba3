"""Every operation of the public API, fuzzed through the gateway (schemathesis strategies,
Hypothesis), as a shopper and as an admin: whatever the input, never a 5xx, and every
answer as documented (its status, content type and body schema, a problem's `code` among
those listed). Bounded: a fixed number of derandomized examples per operation and role.
Every operation is described with examples, which are answered as documented; and every
error code the document names is one some test provokes."""

import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import jwt
import pytest
import schemathesis
from checkin_shared.openapi_problems import operations as openapi_operations
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.examples import get_strategies_from_examples

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


def _validator(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A validator for one schema of the document (its `$ref`s resolve in the document)."""
    return jsonschema.Draft202012Validator({**schema, "components": document["components"]})


def test_every_operation_is_described_with_examples_that_fit_its_schemas(
    document: dict[str, Any],
) -> None:
    """A description; an example for the body it takes and for each answer with a body
    (success or problem), each valid against its schema; a problem's `code` in its enum."""
    missing: list[str] = []
    for method, path, operation in openapi_operations(document):
        where = f"{method} {path}"
        if not operation.get("description"):
            missing.append(f"{where}: no description")
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [(status, r.get("content", {})) for status, r in operation["responses"].items()]
        for status, content in bodies:
            for media_type, media in content.items():
                if media_type == "text/csv" or media_type == "text/html":
                    if "example" not in media:
                        missing.append(f"{where} {status} {media_type}: no example")
                    continue
                if "example" not in media:
                    missing.append(f"{where} {status} {media_type}: no example")
                    continue
                errors = list(_validator(document, media["schema"]).iter_errors(media["example"]))
                if errors:
                    missing.append(f"{where} {status}: example invalid: {errors[0].message}")
        for status, response in operation["responses"].items():
            if "X-Request-ID" not in response.get("headers", {}):
                missing.append(f"{where} {status}: X-Request-ID not documented")
            if status in ("429", "503") and "Retry-After" not in response.get("headers", {}):
                missing.append(f"{where} {status}: Retry-After not documented")
    assert missing == [], "\n".join(missing[:20])


def test_the_tags_listed_are_the_tags_operations_use(document: dict[str, Any]) -> None:
    used = {tag for _, _, operation in openapi_operations(document) for tag in operation["tags"]}
    listed = [tag["name"] for tag in document["tags"]]
    assert sorted(listed) == sorted(used)
    assert all(tag.get("description") for tag in document["tags"])


def test_the_documented_examples_are_answered_as_documented(
    operations: list[Any], local_stack: Any, tokens: dict[str, str]
) -> None:
    """Each operation called with its documented example (body and parameters), as an
    admin: never a 5xx, the answer as documented, and an example body never refused as
    malformed."""
    failures: list[str] = []
    called = 0
    for operation in operations:
        for strategy in get_strategies_from_examples(operation, fill_missing=True):
            called += 1

            @settings(
                max_examples=1,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                label = case.operation.label
                try:
                    response = case.call(
                        base_url=local_stack.gateway,
                        headers={"Authorization": f"Bearer {tokens['admin']}"},
                        timeout=10,
                    )
                    case.validate_response(response, checks=CHECKS)
                except Exception as exc:  # collected, reported together below
                    failures.append(f"{label}: {str(exc)[:400]}")
                    return
                # a documented body is one the API takes (it may still be refused for the
                # state it meets: a tier with those days exists, a tier id not found, an
                # issuer's name that does not resolve here)
                malformed = response.status_code == 415 or (
                    response.status_code == 422
                    and response.json().get("code") == "validation_error"
                )
                if case.body is not None and malformed:
                    failures.append(f"{label}: example refused: {response.text[:300]}")

            run()
    assert called >= 15  # every operation with a body or parameters
    assert failures == [], "\n".join(failures[:10])
