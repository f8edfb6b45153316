"""The OpenAPI document as a contract the tests hold every response to.

`check(method, path, status, headers, body)` fails (AssertionError) when a response's status is not
one the document lists for that operation, a required header is missing or does not match, the
content type is not documented, or the body does not validate against the documented schema
(JSON Schema 2020-12, `jsonschema`). The shared test clients (`tests.conftest.Api`,
`tests.ops.kit.HttpApi`) call it on every response, so every functional test checks the document
too. A request for a route the document does not describe (a 405, the gateway's 404) must still
answer the error shape.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from chalicelib.runtime import apidoc

ROOT_URI = "urn:keyhole:openapi"
METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: "re.Pattern[str]"
    spec: Dict[str, Any]
    pointer: str  # JSON pointer of the operation in the document

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.template}"


def path_items(document: Dict[str, Any]) -> List[Tuple[str, Dict[str, Any]]]:
    """(JSON pointer, path items) of every route the document describes: `paths`, and the proxied
    surface of origin links under `x-keyhole-proxied` (kept out of `paths` for client generators)."""
    found = [("/paths", document["paths"])]
    proxied = document.get("x-keyhole-proxied", {}).get("paths")
    if proxied:
        found.append(("/x-keyhole-proxied/paths", proxied))
    return found


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


class Contract:
    def __init__(self, document: Dict[str, Any]) -> None:
        self.document = document
        self.registry: Registry = Registry().with_resource(ROOT_URI, DRAFT202012.create_resource(document))
        self.operations: List[Operation] = []
        for base, paths in path_items(document):
            for template, item in paths.items():
                regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
                for method in METHODS:
                    if method in item:
                        pointer = f"{base}/{_escape(template)}/{method}"
                        self.operations.append(Operation(method, template, re.compile(regex), item[method], pointer))
        self._validators: Dict[str, Draft202012Validator] = {}

    # --- lookups ----------------------------------------------------------------------------

    def operation(self, method: str, path: str) -> Optional[Operation]:
        for op in self.operations:
            if op.method == method.lower() and op.pattern.match(path):
                return op
        return None

    def resolve(self, obj: Dict[str, Any]) -> Tuple[Dict[str, Any], str]:
        """A `$ref` (to `#/components/...`) followed: (the object, its JSON pointer)."""
        pointer = ""
        while "$ref" in obj:
            pointer = obj["$ref"][1:]
            obj = self.registry.resolver(ROOT_URI).lookup(f"{ROOT_URI}#{pointer}").contents
        return obj, pointer

    def validator(self, pointer: str) -> Draft202012Validator:
        """A validator for the schema at `pointer` (refs inside it resolve against the document)."""
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator(
                {"$ref": f"{ROOT_URI}#{pointer}"}, registry=self.registry, format_checker=FormatChecker())
        return self._validators[pointer]

    # --- the check --------------------------------------------------------------------------

    def check(self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
        path = urlsplit(path).path  # still percent-encoded: `a%2Fb` is one path segment
        lowered = {k.lower(): v for k, v in headers.items()}
        op = self.operation(method, path)
        if op is None:
            self._check_undocumented(method, path, status, lowered, body)
            return
        responses = op.spec["responses"]
        key = next((k for k in (str(status), f"{status // 100}XX", "default") if k in responses), None)
        assert key is not None, (f"{op.id} answered {status}, which the OpenAPI document does not list "
                                 f"(documented: {', '.join(sorted(responses))}): {body[:300]!r}")
        response, pointer = self.resolve(responses[key])
        pointer = pointer or f"{op.pointer}/responses/{key}"
        where = f"{op.id} -> {status}"
        for name, header in response.get("headers", {}).items():
            header, header_pointer = self.resolve(header)
            value = lowered.get(name.lower())
            if value is None:
                assert not header.get("required"), f"{where}: required header {name} is missing"
                continue
            schema_pointer = f"{header_pointer}/schema" if header_pointer else f"{pointer}/headers/{_escape(name)}/schema"
            self._validate(schema_pointer, value, f"{where}: header {name}")
        content = response.get("content")
        if not content:
            assert not body, f"{where}: documented without a body, answered {body[:200]!r}"
            return
        media = (lowered.get("content-type") or "").split(";")[0].strip().lower()
        assert media in content, f"{where}: content type {media!r} is not documented ({', '.join(content)})"
        if media.endswith("json"):
            try:
                value = json.loads(body)
            except ValueError:
                raise AssertionError(f"{where}: {media} body is not JSON: {body[:200]!r}") from None
        else:
            value = body.decode("utf-8")
        self._validate(f"{pointer}/content/{_escape(media)}/schema", value, f"{where}: body")
        codes = response.get("x-keyhole-error-codes")
        if codes and isinstance(value, dict) and isinstance(value.get("error"), dict):
            code = value["error"].get("code")
            assert code in codes, f"{where}: error code {code!r} is not one this response lists ({', '.join(codes)})"

    def _check_undocumented(self, method: str, path: str, status: int, headers: Mapping[str, str], body: bytes) -> None:
        """No such operation (a method a path does not take, an unknown route): an error, in the shape."""
        assert status in (403, 404, 405, 415), f"{method} {path} is not in the OpenAPI document, yet answered {status}"
        if (headers.get("content-type") or "").startswith("application/json"):
            self._validate("/components/schemas/Error", json.loads(body), f"{method} {path} -> {status}")

    def _validate(self, pointer: str, value: Any, where: str) -> None:
        errors = sorted(self.validator(pointer).iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            at = "/".join(str(p) for p in first.absolute_path) or "(root)"
            raise AssertionError(f"{where} does not match the OpenAPI document at {at}: {first.message} "
                                 f"(schema {pointer}; {len(errors)} error(s))")


@lru_cache(maxsize=1)
def contract() -> Contract:
    return Contract(apidoc.document())


def check(method: str, path: str, status: int, headers: Mapping[str, str], body: Optional[bytes]) -> None:
    contract().check(method, path, status, headers, body or b"")
