"""An example on every request body and success response of an OpenAPI document, taken
from the models' own `examples` (written beside each model); a page of items gets one
made of its item's example."""

import json
from typing import Any

JSON = "application/json"


def _schema(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def example_of(document: dict[str, Any], node: dict[str, Any]) -> Any | None:
    """The schema's first example; for a page (`items` + `next_cursor`), one page of one;
    for an optional body (`anyOf` the model and null), the model's."""
    schema = _schema(document, node)
    choices = [c for c in schema.get("anyOf", []) if c.get("type") != "null"]
    if len(choices) == 1:
        return example_of(document, choices[0])
    if schema.get("examples"):
        return schema["examples"][0]
    properties = schema.get("properties", {})
    if set(properties) == {"items", "next_cursor"}:
        item = example_of(document, properties["items"].get("items", {}))
        if item is not None:
            return {"items": [item], "next_cursor": None}
    return None


def add_examples(document: dict[str, Any]) -> dict[str, Any]:
    _restore_schema_examples(document)
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            contents = [operation.get("requestBody", {}).get("content", {}).get(JSON)]
            contents += [
                response.get("content", {}).get(JSON)
                for status, response in operation.get("responses", {}).items()
                if status.startswith("2")
            ]
            for content in contents:
                if content and "example" not in content and "examples" not in content:
                    found = example_of(document, content.get("schema", {}))
                    if found is not None:
                        content["example"] = found
    return document


EXAMPLE_JSON = "x-example-json"


def example(value: dict[str, Any]) -> dict[str, Any]:
    """A model's `json_schema_extra`: its example in the OpenAPI document. Kept as JSON text
    until `add_examples` (FastAPI drops every null from the document it builds, and an
    example's nulls are part of it)."""
    return {EXAMPLE_JSON: json.dumps(value)}


def _restore_schema_examples(document: dict[str, Any]) -> None:
    for schema in document.get("components", {}).get("schemas", {}).values():
        if EXAMPLE_JSON in schema:
            schema["examples"] = [json.loads(schema.pop(EXAMPLE_JSON))]
