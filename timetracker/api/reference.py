"""The API's OpenAPI 3.1 document and its reference page, both public.

The page is rendered on the server from the same document (operations, parameters, answers,
schemas): no script, no third-party renderer, nothing the Content-Security-Policy has to
allow.

URL table (policy ``public``):

    /api/v1/openapi.json    openapi_json   the document (with an ETag)
    /api/v1/docs            reference      the reference page
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue

from timetracker.auth.access import Policy, UrlTable, register_urls

bp = Blueprint("api_reference", __name__, url_prefix="/api/v1")

METHODS = ("get", "post", "put", "patch", "delete")


def document() -> dict[str, Any]:
    """The OpenAPI document, built once per app from the registered views."""
    cached = current_app.extensions.get("timetracker.api.document")
    if cached is None:
        cached = current_app.extensions["timetracker.api"].spec.to_dict()
        current_app.extensions["timetracker.api.document"] = cached
    return cached


def openapi_json() -> ResponseReturnValue:
    response = Response(json.dumps(document(), indent=2), mimetype="application/json")
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)


def _resolve(spec: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    """``item`` itself, or what its ``$ref`` names in ``spec``."""
    ref = item.get("$ref")
    if not isinstance(ref, str):
        return item
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def schema_name(schema: dict[str, Any] | None) -> str:
    """A short name of a schema: its component's name, or its type."""
    if not schema:
        return ""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.rsplit("/", 1)[-1]
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        return f"array of {schema_name(schema.get('items'))}"
    fmt = schema.get("format")
    return f"{kind} ({fmt})" if fmt else str(kind)


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the document, by tag, for the page."""
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [_resolve(spec, p) for p in operation.get("parameters", [])]
            answers = []
            for status, answer in sorted(operation.get("responses", {}).items()):
                answer = _resolve(spec, answer)
                content = answer.get("content", {})
                media = next(iter(content), "")
                answers.append(
                    {
                        "status": status,
                        "description": answer.get("description", ""),
                        "media": media,
                        "schema": schema_name(content.get(media, {}).get("schema")),
                    }
                )
            body = operation.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or [""])[0],
                    "scopes": [
                        s for r in operation.get("security", []) for v in r.values() for s in v
                    ],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": parameters,
                    "body": schema_name(body.get("application/json", {}).get("schema")),
                    "answers": answers,
                }
            )
    return found


def reference() -> ResponseReturnValue:
    spec = document()
    schemas = spec.get("components", {}).get("schemas", {})
    return render_template(
        "api/reference.html",
        spec=spec,
        operations=operations(spec),
        schemas=sorted(schemas.items()),
        schema_name=schema_name,
    )


URLS: UrlTable = [
    ("/openapi.json", openapi_json, ["GET"], Policy.PUBLIC),
    ("/docs", reference, ["GET"], Policy.PUBLIC),
]
register_urls(bp, URLS)
