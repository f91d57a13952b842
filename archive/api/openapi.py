"""What the OpenAPI document says that FastAPI cannot infer: streamed multipart bodies, headers a route reads
itself, and the problem details (RFC 9457) of error responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


def multipart_body(
    json_parts: dict[str, dict[str, Any]],
    alternatives: dict[str, Any] | None = None,
    *,
    idempotent: bool = False,
    nonempty_file: bool = False,
) -> dict[str, Any]:
    """The OpenAPI request body of a route that parses its multipart upload as a stream: a required
    binary `file` part (of at least one byte, where an empty one is refused), the given `json_parts`
    (parts holding JSON of the given schema), any `alternatives` (other media types), and, for uploads,
    the `Idempotency-Key` header they honour."""
    file = {"type": "string", "format": "binary", **({"minLength": 1} if nonempty_file else {})}
    # The parser refuses any other part, so the schema does too.
    schema = {
        "type": "object",
        "required": ["file"],
        "properties": {"file": file, **json_parts},
        "additionalProperties": False,
    }
    encoding = {name: {"contentType": "application/json"} for name in json_parts}
    form: dict[str, Any] = {"schema": schema, **({"encoding": encoding} if encoding else {})}
    content = {"multipart/form-data": form, **(alternatives or {})}
    extra: dict[str, Any] = {"requestBody": {"required": True, "content": content}}
    if idempotent:
        extra["parameters"] = [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A retry with the same key and body gets the first answer; another body, 422.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
            }
        ]
    return extra


def request_headers(
    descriptions: dict[str, str],
    patterns: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The OpenAPI `parameters` of optional request headers that a route reads itself (`Range`,
    `Accept-Datetime` …), so that clients and fuzzers know of them; `patterns` gives the form of some, and
    `formats` the registered format (OpenAPI Format Registry: `http-date` …) of some."""
    patterns, formats = patterns or {}, formats or {}

    def schema(name: str) -> dict[str, Any]:
        form = {"pattern": patterns[name]} if name in patterns else {}
        return {"type": "string", **form, **({"format": formats[name]} if name in formats else {})}

    return {
        "parameters": [
            {
                "name": name,
                "in": "header",
                "required": False,
                "description": description,
                "schema": schema(name),
            }
            for name, description in descriptions.items()
        ]
    }


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema with its `$defs` written in place, for OpenAPI documents that name it
    outside `components` (pydantic's `#/$defs/…` references do not resolve there)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved = resolve(schema)
    assert isinstance(resolved, dict)
    return resolved


def problem_doc(description: str) -> dict[str, Any]:
    """An error response in OpenAPI: RFC 9457 problem details, as `application/problem+json`."""
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": inline_schema(Problem)}},
    }


def unauthenticated_doc() -> dict[str, Any]:
    return problem_doc("No key, or a malformed, unknown or revoked key.")


def forbidden_doc() -> dict[str, Any]:
    return problem_doc("The key's role does not allow this.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
