"""Every field, range and limit of SPEC.md's admin API, at and just past each boundary: resources,
request bodies on every body route, tenant settings and API keys.

A refused request gets 400/413/422 in Keyhole's error format (422 naming each bad field) and
changes nothing: `Unchanged` watches the table's stream for any write during the request.
"""
from __future__ import annotations

import json
import secrets
from typing import Any, Dict, List

import pytest

from chalicelib.tenancy import tenants
from chalicelib.service import Keyhole
from tests.conftest import Api
from tests.support import RESOURCE_BODY, TenantKeys, make_link, refused, refused_fields

KIB = 1024
_DROP = object()  # marks a field to leave out of the body


def _resource(**changes: Any) -> Dict[str, Any]:
    body = json.loads(json.dumps(RESOURCE_BODY))
    for name, value in changes.items():
        if value is _DROP:
            body.pop(name)
        else:
            body[name] = value
    return body


def _nested(levels: int) -> Dict[str, Any]:
    value: Any = "bottom"
    for _ in range(levels - 1):
        value = {"n": value}
    return {"n": value} if levels else {}


def _document_of_bytes(size: int) -> Dict[str, Any]:
    """A document whose compact JSON encoding is exactly `size` bytes."""
    overhead = len(json.dumps({"pad": ""}, separators=(",", ":")))
    return {"pad": "x" * (size - overhead)}


# --- resources -----------------------------------------------------------------------------

@pytest.mark.parametrize("resource_id", ["a", "A-Za-z0-9._:-", "x" * 128, "tenant:42.prod_v-1", "."])
def test_resource_ids_of_the_allowed_charset_and_length_are_accepted(module_api: Api, module_tenant: TenantKeys,
                                                                     resource_id: str) -> None:
    # GIVEN / WHEN an id of 1-128 chars of A-Za-z0-9._:- THEN the resource is created and readable
    reply = module_api.put(f"/v1/resources/{resource_id}", key=module_tenant.operator, body=RESOURCE_BODY)
    assert reply.status in (200, 201) and reply.json["id"] == resource_id, reply
    assert module_api.get(f"/v1/resources/{resource_id}", key=module_tenant.viewer).json["id"] == resource_id


@pytest.mark.parametrize("resource_id", ["x" * 129, "a b", "a%20b", "a*b", "a@b", "a,b", "a+b", "caf%C3%A9",
                                         "café", "a%00b", "a%2Fb", "<script>", "a'b"])
def test_resource_ids_outside_the_charset_or_too_long_are_422(module_svc: Keyhole, module_api: Api,
                                                              module_tenant: TenantKeys, resource_id: str) -> None:
    # GIVEN an id outside the rules WHEN it is PUT THEN 422 naming resource_id, nothing stored
    send = lambda: module_api.put(f"/v1/resources/{resource_id}", key=module_tenant.operator,  # noqa: E731
                                  body=RESOURCE_BODY)
    assert refused_fields(module_svc, send) == ["resource_id"]


RESOURCE_FIELD_CASES = [
    ("type missing", _resource(type=_DROP), ["type"]),
    ("type empty", _resource(type=""), ["type"]),
    ("type too long", _resource(type="t" * 65), ["type"]),
    ("type not a string", _resource(type=7), ["type"]),
    ("type null", _resource(type=None), ["type"]),
    ("type control char", _resource(type="a\x07b"), ["type"]),
    ("name blank", _resource(name="   "), ["name"]),
    ("type blank", _resource(type="\t"), ["type"]),
    ("name embedding control", _resource(name="Invoice \u202a42"), ["name"]),
    ("name missing", _resource(name=_DROP), ["name"]),
    ("name empty", _resource(name=""), ["name"]),
    ("name too long", _resource(name="n" * 201), ["name"]),
    ("name not a string", _resource(name=["x"]), ["name"]),
    ("document missing", _resource(document=_DROP), ["document"]),
    ("document null", _resource(document=None), ["document"]),
    ("document an array", _resource(document=[1, 2]), ["document"]),
    ("document a string", _resource(document="{}"), ["document"]),
    ("document a number", _resource(document=1), ["document"]),
    ("document nested 65 deep", _resource(document=_nested(65)), ["document"]),
    ("redact not a list", _resource(redact="password"), ["redact"]),
    ("redact of numbers", _resource(redact=[1]), ["redact"]),
    ("redact empty name", _resource(redact=[""]), ["redact"]),
    ("redact name too long", _resource(redact=["r" * 129]), ["redact"]),
    ("redact too many", _resource(redact=[f"f{i}" for i in range(101)]), ["redact"]),
    ("scopes a list", _resource(scopes=["summary"]), ["scopes"]),
    ("scopes a string", _resource(scopes="summary"), ["scopes"]),
    ("scope name bad chars", _resource(scopes={"bad name!": ["title"]}), ["scopes.bad name!"]),
    ("scope name too long", _resource(scopes={"s" * 65: ["title"]}), ["scopes." + "s" * 65]),
    ("scope fields empty", _resource(scopes={"s": []}), ["scopes.s"]),
    ("scope fields a string", _resource(scopes={"s": "title"}), ["scopes.s"]),
    ("scope fields of numbers", _resource(scopes={"s": [1]}), ["scopes.s"]),
    ("scope field empty name", _resource(scopes={"s": [""]}), ["scopes.s"]),
    ("too many scopes", _resource(scopes={f"s{i}": ["title"] for i in range(51)}), ["scopes"]),
    ("unknown field", _resource(owner="me"), ["owner"]),
    ("several bad fields at once", _resource(type="", name=None, document=[], extra=1),
     ["extra", "type", "name", "document"]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in RESOURCE_FIELD_CASES],
                         ids=[c[0] for c in RESOURCE_FIELD_CASES])
def test_resource_field_errors_are_422_with_every_bad_field(module_svc: Keyhole, module_api: Api,
                                                            module_tenant: TenantKeys, body: Dict[str, Any],
                                                            expected: List[str]) -> None:
    # GIVEN an existing resource WHEN a bad replacement is PUT THEN 422 lists every bad field,
    # and the stored resource is unchanged
    before = module_api.get(f"/v1/resources/{module_tenant.resource_id}", key=module_tenant.viewer).json
    send = lambda: module_api.put(f"/v1/resources/{module_tenant.resource_id}",  # noqa: E731
                                  key=module_tenant.operator, body=body)
    assert sorted(refused_fields(module_svc, send)) == sorted(expected)
    assert module_api.get(f"/v1/resources/{module_tenant.resource_id}", key=module_tenant.viewer).json == before


@pytest.mark.parametrize("body", [
    _resource(redact=None), _resource(scopes=None), _resource(redact=_DROP, scopes=_DROP),
    _resource(document={}), _resource(document=_nested(64)), _resource(type="t" * 64, name="n" * 200),
    _resource(redact=[f"f{i}" for i in range(100)]), _resource(scopes={f"s{i}": ["title"] for i in range(50)}),
], ids=["redact null", "scopes null", "no redact/scopes", "empty document", "64 levels deep", "max type/name",
        "100 redact names", "50 scopes"])
def test_resource_bodies_at_the_limits_are_accepted(module_api: Api, module_tenant: TenantKeys,
                                                    body: Dict[str, Any]) -> None:
    # GIVEN / WHEN a body right at each limit creates a resource THEN it is stored (a replace that
    # leaves out rules the resource has is refused: test_resource_updates.py)
    reply = module_api.put(f"/v1/resources/at-the-limits-{secrets.token_hex(4)}", key=module_tenant.operator,
                           body=body)
    assert reply.status in (200, 201), reply


def test_a_document_of_exactly_256_kib_is_accepted_and_one_byte_more_is_413(module_svc: Keyhole, module_api: Api,
                                                                           module_tenant: TenantKeys) -> None:
    # GIVEN a document of exactly 256 KiB as compact JSON
    path = "/v1/resources/big-doc"
    exact = module_api.put(path, key=module_tenant.operator, body=_resource(document=_document_of_bytes(256 * KIB)))
    # THEN it is stored
    assert exact.status == 201 and exact.json["document_bytes"] == 256 * KIB, exact
    # WHEN the document grows by one byte THEN 413 payload_too_large naming the document, nothing changed
    error = refused(module_svc, lambda: module_api.put(path, key=module_tenant.operator,
                                                       body=_resource(document=_document_of_bytes(256 * KIB + 1))),
                    413, "payload_too_large")
    assert [d["field"] for d in error["details"]] == ["document"]
    assert module_api.get(path, key=module_tenant.viewer).json["version"] == 1


def test_a_document_counted_in_utf8_bytes_not_characters(module_svc: Keyhole, module_api: Api,
                                                         module_tenant: TenantKeys) -> None:
    # GIVEN a document under 256 Ki characters but over 256 KiB as UTF-8 (3-byte characters)
    document = {"text": "€" * (90 * KIB)}
    # WHEN it is PUT THEN 413
    refused(module_svc, lambda: module_api.put("/v1/resources/euro", key=module_tenant.operator,
                                               body=_resource(document=document)), 413, "payload_too_large")


# --- request bodies on every body route ----------------------------------------------------

BODY_ROUTES = [
    ("PATCH", "/v1/tenant", "admin"),
    ("POST", "/v1/api-keys", "admin"),
    ("PUT", "/v1/resources/body-res", "operator"),
    ("POST", "/v1/resources/{resource}/links", "operator"),
    ("PATCH", "/v1/links/{link}", "operator"),
]
BAD_BODIES = {
    "invalid JSON": b'{"name": ',
    "trailing garbage": b'{"name": "x"} trailing',
    "a JSON array": b"[]",
    "a JSON string": b'"hello"',
    "a JSON number": b"42",
    "JSON null": b"null",
    "JSON true": b"true",
    "not UTF-8": b'{"name": "\xff\xfe"}',
    "single quotes": b"{'name': 'x'}",
    "NaN": b'{"label": NaN}',
    "Infinity": b'{"label": -Infinity}',
    "number overflowing to infinity": b'{"max_views": 1e400}',
    "lone surrogate": b'{"label": "\\ud800"}',
    "10,000 nested arrays": b"[" * 10_000 + b"]" * 10_000,
    "10,000 nested objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
}


@pytest.fixture(scope="module")
def body_targets(module_api: Api, module_tenant: TenantKeys) -> Dict[str, str]:
    link = make_link(module_api, module_tenant.admin, module_tenant.resource_id, label="body target")
    return {"resource": module_tenant.resource_id, "link": link["id"]}


@pytest.mark.parametrize("bad", list(BAD_BODIES))
@pytest.mark.parametrize("method,template,role", BODY_ROUTES, ids=[f"{m} {p}" for m, p, _ in BODY_ROUTES])
def test_bodies_that_are_not_a_json_object_are_400(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                                   body_targets: Dict[str, str], method: str, template: str,
                                                   role: str, bad: str) -> None:
    # GIVEN a body route WHEN the body is not a JSON object THEN 400 bad_request, nothing changed
    path = template.format(**body_targets)
    refused(module_svc, lambda: module_api.call(method, path, key=module_tenant.key(role), raw=BAD_BODIES[bad]),
            400, "bad_request")


@pytest.mark.parametrize("method,template,role", BODY_ROUTES, ids=[f"{m} {p}" for m, p, _ in BODY_ROUTES])
def test_bodies_over_the_size_limit_are_413(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                            body_targets: Dict[str, str], method: str, template: str,
                                            role: str) -> None:
    # GIVEN a body one KiB over what the admin API accepts WHEN sent THEN 413, nothing changed
    path = template.format(**body_targets)
    raw = json.dumps({"label": "x" * (module_svc.settings.max_body_bytes + KIB)}).encode()
    refused(module_svc, lambda: module_api.call(method, path, key=module_tenant.key(role), raw=raw),
            413, "payload_too_large")


# Routes whose body has a required field; creating a link (every field optional) takes no body.
NEEDS_BODY = [r for r in BODY_ROUTES if r[0] != "PATCH" and not r[1].endswith("/links")]


@pytest.mark.parametrize("method,template,role", NEEDS_BODY, ids=[f"{m} {p}" for m, p, _ in NEEDS_BODY])
def test_an_empty_body_on_create_routes_is_400(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                               body_targets: Dict[str, str], method: str, template: str,
                                               role: str) -> None:
    # GIVEN / WHEN a create route gets no body at all THEN 400, nothing changed
    path = template.format(**body_targets)
    refused(module_svc, lambda: module_api.call(method, path, key=module_tenant.key(role), raw=b""),
            400, "bad_request")


# --- tenant settings -----------------------------------------------------------------------

TENANT_PATCH_ERRORS = [
    ("default_expires_in garbage", {"default_expires_in": "forever"}, ["default_expires_in"]),
    ("default_expires_in a number", {"default_expires_in": 7}, ["default_expires_in"]),
    ("default_expires_in zero", {"default_expires_in": "0d"}, ["default_expires_in"]),
    ("default_expires_in null", {"default_expires_in": None}, ["default_expires_in"]),
    ("max_expires_in garbage", {"max_expires_in": "1y"}, ["max_expires_in"]),
    ("max_expires_in below the default", {"max_expires_in": "1d"}, ["max_expires_in"]),
    ("default above the max", {"default_expires_in": "60d", "max_expires_in": "30d"}, ["default_expires_in"]),
    ("default never under a max", {"default_expires_in": "never", "max_expires_in": "30d"}, ["default_expires_in"]),
    ("token_display unknown", {"token_display": "sometimes"}, ["token_display"]),
    ("token_display upper case", {"token_display": "ONCE"}, ["token_display"]),
    ("token_display a bool", {"token_display": True}, ["token_display"]),
    ("token_display a list", {"token_display": ["once"]}, ["token_display"]),
    ("require_password a string", {"require_password": "yes"}, ["require_password"]),
    ("require_password a number", {"require_password": 1}, ["require_password"]),
    ("require_password null", {"require_password": None}, ["require_password"]),
    ("retention zero", {"access_log_retention_days": 0}, ["access_log_retention_days"]),
    ("retention over a year", {"access_log_retention_days": 366}, ["access_log_retention_days"]),
    ("plan is ops-only", {"plan": "enterprise"}, ["plan"]),
    ("limits are ops-only", {"limits": {"links_per_resource": 1000}}, ["limits"]),
    ("name is not a setting", {"name": "Renamed"}, ["name"]),
    ("good and bad together", {"token_display": "once", "require_password": "no"}, ["require_password"]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in TENANT_PATCH_ERRORS], ids=[c[0] for c in TENANT_PATCH_ERRORS])
def test_tenant_settings_errors_are_422_and_change_nothing(module_svc: Keyhole, module_api: Api,
                                                           module_tenant: TenantKeys, body: Dict[str, Any],
                                                           expected: List[str]) -> None:
    # GIVEN the tenant's settings WHEN a bad PATCH is sent THEN 422 naming each bad field, settings as before
    before = module_api.get("/v1/tenant", key=module_tenant.viewer).json
    send = lambda: module_api.patch("/v1/tenant", key=module_tenant.admin, body=body)  # noqa: E731
    assert sorted(refused_fields(module_svc, send)) == sorted(expected)
    assert module_api.get("/v1/tenant", key=module_tenant.viewer).json == before


@pytest.mark.parametrize("body", [
    {"default_expires_in": "1d", "max_expires_in": "30d"},
    {"default_expires_in": "30d", "max_expires_in": "30d"},
    {"default_expires_in": "90m"},
    {"default_expires_in": "never"},
    {"max_expires_in": "never"},
    {"token_display": "once"},
    {"token_display": "recopyable"},
    {"require_password": True},
    {"require_password": False},
    {},
], ids=["default under max", "default equals max", "minutes", "default never", "max never", "once", "recopyable",
        "require password", "no password", "empty patch"])
def test_valid_tenant_settings_are_stored_and_returned(module_svc: Keyhole, module_api: Api,
                                                       body: Dict[str, Any]) -> None:
    # GIVEN a fresh tenant WHEN valid settings are PATCHed THEN the reply and GET /v1/tenant show them
    _, admin = tenants.create_tenant(module_svc, name="Settings Co")
    reply = module_api.patch("/v1/tenant", key=admin, body=body)
    assert reply.status == 200, reply
    settings = module_api.get("/v1/tenant", key=admin).json["settings"]
    assert reply.json["settings"] == settings
    for name, value in body.items():
        assert settings[name] == value


# --- API keys ------------------------------------------------------------------------------

API_KEY_ERRORS = [
    ("name missing", {"role": "viewer"}, ["name"]),
    ("name empty", {"name": "", "role": "viewer"}, ["name"]),
    ("name too long", {"name": "n" * 101, "role": "viewer"}, ["name"]),
    ("name not a string", {"name": 5, "role": "viewer"}, ["name"]),
    ("name null", {"name": None, "role": "viewer"}, ["name"]),
    ("role missing", {"name": "ci"}, ["role"]),
    ("role unknown", {"name": "ci", "role": "root"}, ["role"]),
    ("role upper case", {"name": "ci", "role": "Admin"}, ["role"]),
    ("role null", {"name": "ci", "role": None}, ["role"]),
    ("role a list", {"name": "ci", "role": ["admin"]}, ["role"]),
    ("role an object", {"name": "ci", "role": {"admin": True}}, ["role"]),
    ("role a number", {"name": "ci", "role": 3}, ["role"]),
    ("caller-chosen key", {"name": "ci", "role": "viewer", "key": "kh_" + "0" * 16 + "_" + "a" * 43}, ["key"]),
    ("unknown field", {"name": "ci", "role": "viewer", "expires": "1d"}, ["expires"]),
    ("all wrong", {"name": "", "role": "god", "x": 1}, ["x", "name", "role"]),
]


@pytest.mark.parametrize("body,expected", [c[1:] for c in API_KEY_ERRORS], ids=[c[0] for c in API_KEY_ERRORS])
def test_api_key_errors_are_422_and_mint_nothing(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                                 body: Dict[str, Any], expected: List[str]) -> None:
    send = lambda: module_api.post("/v1/api-keys", key=module_tenant.admin, body=body)  # noqa: E731
    assert sorted(refused_fields(module_svc, send)) == sorted(expected)


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_api_keys_of_each_role_can_be_minted_and_are_shown_once(module_api: Api, module_tenant: TenantKeys,
                                                                role: str) -> None:
    # GIVEN / WHEN a key is created THEN the reply carries the key once; the list never does
    reply = module_api.post("/v1/api-keys", key=module_tenant.admin, body={"name": "n" * 100, "role": role})
    assert reply.status == 201 and reply.json["role"] == role and reply.json["key"].startswith("kh_")
    listed = module_api.get("/v1/api-keys?limit=100", key=module_tenant.admin)
    assert reply.json["key"] not in listed.body.decode()
    assert all("key" not in item for item in listed.json["items"])
    assert module_api.get("/v1/tenant", key=reply.json["key"]).status == 200


