"""The OpenAPI document (chalicelib/runtime/openapi.json) describes exactly the routes the app serves, is
valid OpenAPI 3.1, and agrees with the code on the values both state (roles, statuses, event types,
limits). Its examples are checked against its own schemas."""
from __future__ import annotations

from typing import Any, Dict, Iterator, Set, Tuple

import pytest
from openapi_spec_validator import validate

from chalicelib.runtime import apidoc
from chalicelib.links import links
from chalicelib.tenancy import plans, tenants
from chalicelib.tenancy.apikeys import ROLES
from chalicelib.webhooks import EVENT_TYPES
from tests.contract import Contract, contract, path_items

DOC = apidoc.document()
ADMIN_ALWAYS = {"401", "429", "500", "503"}


def app_routes() -> Set[Tuple[str, str]]:
    import app as app_module

    return {(method, path) for path, entries in app_module.app.routes.items() for method in entries}


def documented_routes() -> Set[Tuple[str, str]]:
    return {(method, path) for method, path, _ in operations()}


def operations() -> Iterator[Tuple[str, str, Dict[str, Any]]]:
    """Every operation, the proxied surface (`x-keyhole-proxied`) included."""
    for _, paths in path_items(DOC):
        for path, item in paths.items():
            for method, op in item.items():
                if method != "parameters":
                    yield method.upper(), path, op


def test_the_document_is_valid_openapi_3_1():
    assert DOC["openapi"].startswith("3.1")
    validate(DOC)


def test_the_document_lists_exactly_the_routes_the_app_serves():
    served, documented = app_routes(), documented_routes()
    assert served - documented == set(), f"routes the OpenAPI document lacks: {sorted(served - documented)}"
    assert documented - served == set(), f"documented routes the app does not serve: {sorted(documented - served)}"


def test_every_operation_is_named_summarised_and_answers_its_failures():
    ids = [op["operationId"] for _, _, op in operations()]
    assert len(ids) == len(set(ids))
    for method, path, op in operations():
        assert op.get("summary") and op.get("description"), (method, path)
        statuses = set(op["responses"])
        if op.get("security") != []:  # admin: a key, a role, a rate limit, outages
            assert ADMIN_ALWAYS <= statuses, (method, path, ADMIN_ALWAYS - statuses)
            # every role-checked route can refuse a key whose role is too low: an introspect key
            # (which can do nothing but introspect) gets 403 even on the viewer routes
            assert "403" in statuses, (method, path)
            if "requestBody" in op:
                assert {"400", "413", "415", "422"} <= statuses, (method, path)
        elif path.startswith("/share/"):
            assert {"404", "429", "500", "503"} <= statuses, (method, path)


def _examples(node: Any, pointer: str) -> Iterator[Tuple[str, Any]]:
    """Every media type object with an `example`, and the JSON pointer of its schema."""
    if isinstance(node, dict):
        if "schema" in node and "example" in node:
            yield f"{pointer}/schema", node["example"]
        for key, value in node.items():
            yield from _examples(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")


@pytest.mark.parametrize("pointer, example", list(_examples(DOC, "")), ids=lambda v: v if isinstance(v, str) else "")
def test_every_example_matches_its_schema(pointer, example):
    errors = list(contract().validator(pointer).iter_errors(example))
    assert not errors, f"{pointer}: {errors[0].message}"


def test_every_json_success_has_an_example_and_every_body_route_an_example_body():
    for method, path, op in operations():
        for status, response in op["responses"].items():
            media = response.get("content", {}).get("application/json") if "$ref" not in response else None
            if status.startswith("2") and media and path != "/v1/openapi.json":
                assert "example" in media, (method, path, status)
        for media_type, media in op.get("requestBody", {}).get("content", {}).items():
            assert "example" in media, (method, path, media_type)


def schema(name: str) -> Dict[str, Any]:
    return DOC["components"]["schemas"][name]


def test_the_document_states_the_values_the_code_uses():
    assert schema("ApiKey")["properties"]["role"]["enum"] == sorted(ROLES, key=ROLES.get)
    assert schema("Link")["properties"]["status"]["enum"] + ["all"] == list(links.STATUSES)
    assert set(schema("LinkCreate")["properties"]) == set(links.CREATE_FIELDS)
    assert set(schema("LinkPatch")["properties"]) == set(links.PATCH_FIELDS)
    assert schema("WebhookCreate")["properties"]["events"]["items"]["enum"] == [*EVENT_TYPES, "*"]
    assert schema("Limits")["required"] == list(plans.LIMIT_NAMES)
    assert set(schema("TenantSettings")["required"]) == set(tenants.SETTING_NAMES)
    assert set(schema("TenantSettingsPatch")["properties"]) == set(tenants.SETTING_NAMES)
    from chalicelib.resources.resources import RESOURCE_FIELDS, RESOURCE_ID_RE

    put_fields = set(schema("DocumentResourcePut")["properties"]) | set(schema("OriginResourcePut")["properties"])
    assert put_fields == set(RESOURCE_FIELDS)
    assert DOC["components"]["parameters"]["resource_id"]["schema"]["pattern"] == RESOURCE_ID_RE.pattern


def test_the_contract_check_refuses_what_the_document_does_not_say():
    """The check the functional tests run on every response can fail (a test that cannot is a defect)."""
    strict = Contract(DOC)
    ok_headers = {"Content-Type": "application/json", "X-Request-Id": "r1", "Cache-Control": "no-store"}
    error = b'{"error": {"code": "not_found", "message": "No such link", "request_id": "r1"}}'
    strict.check("GET", "/v1/links/lnk_0", 404, ok_headers, error)
    with pytest.raises(AssertionError, match="does not list"):
        strict.check("GET", "/v1/links/lnk_0", 418, ok_headers, error)
    with pytest.raises(AssertionError, match="required header Cache-Control"):
        strict.check("GET", "/v1/links/lnk_0", 404, {"Content-Type": "application/json", "X-Request-Id": "r1"}, error)
    with pytest.raises(AssertionError, match="does not match"):
        strict.check("GET", "/v1/links/lnk_0", 404, ok_headers, b'{"error": {"code": "not_found", "message": "x"}}')
    with pytest.raises(AssertionError, match="content type"):
        strict.check("GET", "/v1/links/lnk_0", 404, {**ok_headers, "Content-Type": "text/html"}, b"<p>")
    with pytest.raises(AssertionError, match="not in the OpenAPI document"):
        strict.check("GET", "/v1/nowhere", 200, ok_headers, b"{}")


# --- the document as client generators read it (tests/unit/test_openapi_generators.py runs them) ---


def _nodes(node: Any, pointer: str = "") -> Iterator[Tuple[str, Any]]:
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nodes(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _nodes(value, f"{pointer}/{n}")


def test_errors_share_one_schema_and_list_their_codes_beside_it():
    """No `allOf` narrowing per operation and status (a generator makes one model of each): every
    error body is the shared `Error` (admin) or `ViewerError` (viewer), and the codes a response
    can carry are listed in `x-keyhole-error-codes`, which the contract check enforces."""
    assert [p for p, node in _nodes(DOC) if isinstance(node, dict) and "allOf" in node] == []
    for pointer, node in _nodes(DOC):
        if isinstance(node, dict) and "x-keyhole-error-codes" in node:
            example = node["content"]["application/json"].get("example")
            if example:
                assert example["error"]["code"] in node["x-keyhole-error-codes"], pointer


def test_every_object_says_what_it_holds():
    """An object schema with no `properties` says what its members are (`additionalProperties`):
    openapi-typescript types a bare `{"type": "object"}` as `Record<string, never>`."""
    bare = [
        p for p, node in _nodes(DOC)
        if isinstance(node, dict) and "object" in (node.get("type") if isinstance(node.get("type"), list) else [node.get("type")])
        and not {"properties", "additionalProperties", "patternProperties"} & set(node)
    ]
    assert bare == []


def test_the_proxied_surface_is_out_of_the_paths_generators_read():
    assert not [p for p in DOC["paths"] if "/o" in p.split("{token}", 1)[-1][:2]]
    proxied = DOC["x-keyhole-proxied"]["paths"]
    assert set(proxied) == {"/share/{token}/o", "/share/{token}/o/{proxy+}"}


def test_a_resource_is_a_document_or_an_origin_and_the_schema_says_so():
    validator = contract().validator("/components/schemas/ResourcePut")
    ok = [{"type": "t", "name": "n", "document": {}}, {"type": "t", "name": "n", "origin": {"url": "https://x.test"}},
          {"type": "t", "name": "n", "origin": {"url": "https://x.test"}, "document": None, "redact": []}]
    bad = [{"type": "t", "name": "n"}, {"type": "t", "name": "n", "document": {}, "origin": {"url": "https://x.test"}},
           {"type": "t", "name": "n", "origin": {"url": "https://x.test"}, "redact": ["a"]}]
    assert [validator.is_valid(body) for body in ok] == [True] * len(ok)
    assert [validator.is_valid(body) for body in bad] == [False] * len(bad)


def test_webhook_events_are_unique_and_star_stands_alone():
    validator = contract().validator("/components/schemas/WebhookCreate")
    assert validator.is_valid({"url": "https://h.test/x", "events": ["share.created", "share.revoked"]})
    assert validator.is_valid({"url": "https://h.test/x", "events": ["*"]})
    assert not validator.is_valid({"url": "https://h.test/x", "events": ["share.created", "share.created"]})
    assert not validator.is_valid({"url": "https://h.test/x", "events": ["*", "share.created"]})


def test_an_empty_logo_is_not_a_logo():
    validator = contract().validator("/components/schemas/TenantSettingsPatch")
    assert not validator.is_valid({"logo": ""})
    assert validator.is_valid({"logo": None})
