"""One OpenAPI document for the whole public API, merged from every service's own."""

import asyncio
import copy
import json
import time
from typing import Any

import aiohttp
from checkin_shared.openapi_problems import add_errors

from api_gateway.access import is_admin_path, is_public

REF_PREFIX = "#/components/schemas/"


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                REF_PREFIX + renames.get(v[len(REF_PREFIX) :], v[len(REF_PREFIX) :])
                if k == "$ref" and isinstance(v, str) and v.startswith(REF_PREFIX)
                else _rename_refs(v, renames)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def merge_documents(documents: dict[str, dict[str, Any]], *, title: str) -> dict[str, Any]:
    """Paths are already prefixed by each service; same-named but different schemas are
    renamed `<service>_<Name>` so no service's schema shadows another's."""
    merged: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "0.1.0"},
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {"HTTPBearer": {"type": "http", "scheme": "bearer"}},
        },
        "tags": [],
    }
    schemas: dict[str, Any] = merged["components"]["schemas"]
    for service, document in sorted(documents.items()):
        own = document.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service}_{name}"
            for name, schema in own.items()
            if name in schemas and schemas[name] != schema
        }
        for name, schema in own.items():
            schemas[renames.get(name, name)] = _rename_refs(copy.deepcopy(schema), renames)
        for path, item in document.get("paths", {}).items():
            merged["paths"][path] = _rename_refs(copy.deepcopy(item), renames)
        for item in document.get("paths", {}).values():
            for operation in item.values():
                for tag in operation.get("tags", []) if isinstance(operation, dict) else []:
                    if tag not in {t["name"] for t in merged["tags"]}:
                        title = document["info"].get("title", service)
                        merged["tags"].append({"name": tag, "description": f"by {title}"})
    return merged


def gateway_errors(method: str, path: str, operation: dict[str, Any]) -> dict[str, str]:
    """What the gateway itself answers before (or instead of) the service."""
    segment = path.split("/")[1]
    errors = {
        "429": "rate_limited",
        "503": "service_unavailable",
        "504": "upstream_timeout",
    }
    if not is_public(method, path, segment):
        errors["401"] = "invalid_token"
    if is_admin_path(path):
        errors["403"] = "forbidden"
    if operation.get("requestBody"):
        errors["413"] = "payload_too_large"
    return errors


class OpenApiCache:
    def __init__(
        self, routes: dict[str, str], client: aiohttp.ClientSession, *, ttl: float
    ) -> None:
        self.routes = routes
        self.client = client
        self.ttl = ttl
        self._cached: tuple[float, dict[str, Any], list[str]] | None = None

    async def _fetch(self, segment: str, base: str) -> dict[str, Any] | None:
        try:
            async with asyncio.timeout(3):
                async with self.client.get(f"{base}/{segment}/openapi.json") as response:
                    if response.status != 200:
                        return None
                    document: dict[str, Any] = json.loads(await response.read())
                    return document
        except (aiohttp.ClientError, TimeoutError, ValueError):
            return None

    async def document(self) -> tuple[dict[str, Any], list[str]]:
        """The merged document and the services that could not be reached for it."""
        if self._cached and time.monotonic() - self._cached[0] < self.ttl:
            return self._cached[1], self._cached[2]
        segments = list(self.routes)
        fetched = await asyncio.gather(*(self._fetch(s, self.routes[s]) for s in segments))
        documents = {s: d for s, d in zip(segments, fetched, strict=True) if d is not None}
        missing = [s for s, d in zip(segments, fetched, strict=True) if d is None]
        merged = add_errors(
            merge_documents(documents, title="Daily check-in rewards: public API"),
            gateway_errors,
        )
        if missing:
            merged["info"]["description"] = "Unreachable now: " + ", ".join(missing)
        else:
            self._cached = (time.monotonic(), merged, missing)
        return merged, missing
