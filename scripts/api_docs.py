"""Generate `docs/api.md`, the API reference, from the OpenAPI document (`chalicelib/runtime/openapi.json`).

    python -m scripts.api_docs          # rewrite docs/api.md
    python -m scripts.api_docs --check  # exit 1 if docs/api.md is not what the document says

The document is the source of truth; this page is its readable form, with a curl example per route
(`tests/unit/test_api_docs.py` fails when the page is stale).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "chalicelib" / "runtime" / "openapi.json"
OUTPUT = ROOT / "docs" / "api.md"
METHODS = ("get", "head", "put", "post", "patch", "delete", "options")
STATUS_TEXT = {
    "200": "OK",
    "201": "Created",
    "204": "No Content",
    "301": "Moved Permanently",
    "302": "Found",
    "303": "See Other",
    "304": "Not Modified",
    "307": "Temporary Redirect",
    "400": "Bad Request",
    "401": "Unauthorized",
    "403": "Forbidden",
    "404": "Not Found",
    "409": "Conflict",
    "412": "Precondition Failed",
    "413": "Payload Too Large",
    "415": "Unsupported Media Type",
    "422": "Unprocessable Content",
    "429": "Too Many Requests",
    "500": "Internal Server Error",
    "502": "Bad Gateway",
    "503": "Service Unavailable",
    "504": "Gateway Timeout",
}


class Doc:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node = target
        return node

    def ref_name(self, node: Any) -> str | None:
        return node["$ref"].rsplit("/", 1)[-1] if isinstance(node, dict) and "$ref" in node else None


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def type_of(doc: Doc, schema: Any) -> str:
    name = doc.ref_name(schema)
    schema = doc.resolve(schema)
    if name:
        return f"`{name}`" if schema.get("type") == "object" or "properties" in schema else type_of(doc, schema)
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "anyOf" in schema:
        return " or ".join(type_of(doc, s) for s in schema["anyOf"])
    if "allOf" in schema:
        return type_of(doc, schema["allOf"][0])
    kinds = schema.get("type", "any")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    out = []
    for kind in kinds:
        if kind == "array" and "items" in schema:
            out.append(f"array of {type_of(doc, schema['items'])}")
        elif kind == "string" and "format" in schema:
            out.append(f"string ({schema['format']})")
        else:
            out.append(kind)
    return " or ".join(out)


def rules_of(doc: Doc, schema: Any) -> str:
    schema = doc.resolve(schema)
    rules = []
    if "enum" in schema:
        rules.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"]))
    for key, text in (
        ("minLength", "at least {} chars"),
        ("maxLength", "at most {} chars"),
        ("minimum", ">= {}"),
        ("maximum", "<= {}"),
        ("minItems", "at least {} items"),
        ("maxItems", "at most {} items"),
        ("maxProperties", "at most {} members"),
    ):
        if key in schema:
            rules.append(text.format(f"{schema[key]:,}" if isinstance(schema[key], int) else schema[key]))
    if "pattern" in schema and not schema.get("x-pattern-in-words"):  # else the description says it
        rules.append(f"pattern `{schema['pattern']}`")
    if schema.get("description"):
        rules.append(schema["description"])
    return "; ".join(rules)


def fields_table(doc: Doc, schema: Any) -> list[str]:
    schema = doc.resolve(schema)
    properties = schema.get("properties", {})
    if not properties:
        return []
    required = set(schema.get("required", []))
    lines = ["| field | type | required | rules |", "|---|---|---|---|"]
    for name, prop in properties.items():
        lines.append(
            f"| `{name}` | {_cell(type_of(doc, prop))} | {'yes' if name in required else ''} | "
            f"{_cell(rules_of(doc, prop))} |"
        )
    return lines


def _example_path(doc: Doc, path: str, parameters: list[Any]) -> str:
    for param in parameters:
        param = doc.resolve(param)
        if param["in"] == "path":
            value = "$TOKEN" if param["name"] == "token" else param.get("example", param["name"])
            path = path.replace("{" + param["name"] + "}", str(value))
    return path


def curl_example(doc: Doc, method: str, path: str, op: dict[str, Any], parameters: list[Any]) -> str:
    url = "$API" + _example_path(doc, path, parameters)
    parts = ["curl -s"]
    if method != "get":
        parts.append(f"-X {method.upper()}")
    parts.append(f'"{url}"')
    if op.get("security") != []:
        parts.append('-H "Authorization: Bearer $KEY"')
    body = op.get("requestBody", {}).get("content", {})
    for media_type in ("application/merge-patch+json", "application/json", "application/x-www-form-urlencoded"):
        if media_type in body and "example" in body[media_type]:
            example = body[media_type]["example"]
            if media_type == "application/x-www-form-urlencoded":
                data = "&".join(f"{k}={v}" for k, v in example.items()).replace(" ", "+")
            else:
                data = json.dumps(example, separators=(", ", ": "))
            parts.append(f"-H 'Content-Type: {media_type}'")
            parts.append(f"-d '{data}'")
            break
    if method == "post" and path.endswith("/unlock") and not body:
        parts.append("-d ''")
    return " \\\n     ".join([" ".join(parts[:3]), *parts[3:]]) if len(parts) > 3 else " ".join(parts)


def render(document: dict[str, Any]) -> str:
    doc = Doc(document)
    info = document["info"]
    out = [
        f"# {info['title']} API reference",
        "",
        "<!-- Generated from chalicelib/runtime/openapi.json by `python -m scripts.api_docs`: edit the document, "
        "not this page. -->",
        "",
        f"{info['summary']} Version {info['version']}, OpenAPI {document['openapi']}: the same document is served at "
        "`GET /v1/openapi.json` with this deployment's URL, for client generators and tools.",
        "",
        info["description"],
        "",
        "The examples use `API` (the base URL: `http://127.0.0.1:8000` under `make run`, the stage's URL once "
        "deployed), `KEY` (an API key with the role named) and `TOKEN` (a share token from a link's `url`).",
        "",
        "## Errors",
        "",
        "| status | code | when |",
        "|---|---|---|",
    ]
    for status, code, text in _error_rows(document):
        out.append(f"| {status} | `{code}` | {_cell(text)} |")
    out += ["", "## Routes", "", "| method and path | role | what |", "|---|---|---|"]
    for method, path, op in _operations(document):
        role = op.get("x-keyhole-role", "none")
        out.append(f"| [`{method.upper()} {path}`](#{_anchor(method, path)}) | {role} | {_cell(op['summary'])} |")
    for tag in document.get("tags", []):
        ops = [(m, p, o) for m, p, o in _operations(document) if tag["name"] in o.get("tags", [])]
        if not ops:
            continue
        out += ["", f"## {tag['description']}", ""]
        for method, path, op in ops:
            out += _operation(doc, method, path, op)
    out += ["", "## Schemas", "", "The objects the routes above read and answer.", ""]
    for name, schema in document["components"]["schemas"].items():
        table = fields_table(doc, schema)
        if not table:
            continue
        out += [f"### {name}", ""]
        if schema.get("description"):
            out += [schema["description"], ""]
        out += [*table, ""]
    return "\n".join(out).rstrip() + "\n"


def _anchor(method: str, path: str) -> str:
    text = f"{method} {path}".lower()
    return "".join(ch for ch in text.replace(" ", "-") if ch.isalnum() or ch in "-_")


def _path_items(document: dict[str, Any]) -> dict[str, Any]:
    """`paths` and the proxied surface of origin links (`x-keyhole-proxied`, kept out of `paths`
    for client generators): the reference lists both."""
    return {**document["paths"], **document.get("x-keyhole-proxied", {}).get("paths", {})}


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, item[m]) for p, item in _path_items(document).items() for m in METHODS if m in item]


def _error_rows(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The admin error responses (components/responses), by the status the routes give them."""
    rows = []
    statuses: dict[str, str] = {}
    for _, _, op in _operations(document):
        for status, response in op["responses"].items():
            if "$ref" in response:
                statuses.setdefault(response["$ref"].rsplit("/", 1)[-1], status)
    for name, response in document["components"]["responses"].items():
        status = statuses.get(name)
        example = response.get("content", {}).get("application/json", {}).get("example", {}).get("error", {})
        if status and example.get("code") and not name.startswith("Share"):
            codes = _codes(Doc(document), response)
            rows.append((status, "`, `".join(codes), response["description"]))
    return sorted(rows)


def _codes(doc: Doc, response: dict[str, Any]) -> list[str]:
    return list(response.get("x-keyhole-error-codes", []))


def _operation(doc: Doc, method: str, path: str, op: dict[str, Any]) -> list[str]:
    item = _path_items(doc.document)[path]
    parameters = [*item.get("parameters", []), *op.get("parameters", [])]
    out = [f"### {method.upper()} {path}", "", f"**{op['summary']}.** {op['description']}", ""]
    if op.get("security") == []:
        out += ["No key needed.", ""]
    out += ["```sh", curl_example(doc, method, path, op, parameters), "```", ""]
    if parameters:
        out += ["| parameter | in | type | rules |", "|---|---|---|---|"]
        for param in parameters:
            param = doc.resolve(param)
            rules = rules_of(doc, param["schema"])
            text = "; ".join(x for x in (param.get("description", ""), rules) if x)
            required = " (required)" if param.get("required") else ""
            out.append(
                f"| `{param['name']}`{required} | {param['in']} | {_cell(type_of(doc, param['schema']))} | "
                f"{_cell(text)} |"
            )
        out.append("")
    body = op.get("requestBody")
    if body:
        kinds = ", ".join(f"`{k}`" for k in body["content"])
        first = next(iter(body["content"].values()))
        name = doc.ref_name(first["schema"])
        required = "required" if body.get("required") else "optional"
        out += [f"Body ({required}; {kinds}): {('`' + name + '`') if name else 'an object'}.", ""]
        if "example" in first:
            out += ["```json", json.dumps(first["example"], indent=2, ensure_ascii=False), "```", ""]
    out += ["| status | what |", "|---|---|"]
    for status, response in op["responses"].items():
        resolved = doc.resolve(response)
        content = resolved.get("content", {})
        shapes = []
        for media_type, media in content.items():
            name = doc.ref_name(media.get("schema", {}))
            shapes.append(f"`{media_type}`" + (f" `{name}`" if name else ""))
        what = resolved["description"] + (f" ({', '.join(shapes)})" if shapes else "")
        out.append(f"| {status} {STATUS_TEXT.get(status, '')} | {_cell(what)} |")
    out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if docs/api.md is stale")
    args = parser.parse_args(argv)
    text = render(json.loads(DOCUMENT.read_text(encoding="utf-8")))
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print("docs/api.md is stale: run `python -m scripts.api_docs`", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
