"""Hostile and sloppy requests: deep nesting, huge strings, odd Unicode, missing or wrong content
types, wrong methods. Each gets a clear 4xx in Keyhole's error format (never a 500) and changes
nothing; tolerable sloppiness (no Content-Type, text/plain) is simply accepted.
"""
from __future__ import annotations

import json
from typing import Any, Dict

import pytest

from chalicelib.service import Keyhole
from tests.conftest import Api, Reply
from tests.support import TenantKeys, Unchanged, assert_error, fresh_ip, make_link, refused


def _raw(api: Api, method: str, path: str, *, headers: Dict[str, str], body: bytes = b"") -> Reply:
    """A request exactly as given: no Content-Type unless the caller sets one."""
    return Reply(api.client.http.request(method, path, headers=headers, body=body))


@pytest.mark.parametrize("depth", [100, 1_000, 10_000, 100_000])
@pytest.mark.parametrize("shape", ["arrays", "objects", "arrays in a field"])
def test_deeply_nested_bodies_are_4xx_never_500(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                                depth: int, shape: str) -> None:
    # GIVEN a body nested `depth` levels deep (within the 300 KiB body limit except the deepest)
    raw = {"arrays": b"[" * depth + b"]" * depth,
           "objects": b'{"a":' * depth + b"1" + b"}" * depth,
           "arrays in a field": b'{"label": ' + b"[" * depth + b"]" * depth + b"}"}[shape]
    path = f"/v1/resources/{module_tenant.resource_id}/links"
    # WHEN it is sent THEN a 4xx in Keyhole's format (400 not an object / too deep, 413 too big,
    # 422 a field of the wrong type), and nothing is written
    with Unchanged(module_svc):
        reply = module_api.post(path, key=module_tenant.operator, raw=raw)
    assert 400 <= reply.status < 500, reply
    assert_error(reply, reply.status, reply.json["error"]["code"])


def test_a_document_nested_deeper_than_64_is_422_even_when_json_allows_it(module_svc: Keyhole, module_api: Api,
                                                                          module_tenant: TenantKeys) -> None:
    document: Any = "x"
    for _ in range(500):
        document = [document]
    body = {"type": "t", "name": "n", "document": {"deep": document}}
    send = lambda: module_api.put("/v1/resources/deep-doc", key=module_tenant.operator, body=body)  # noqa: E731
    error = refused(module_svc, send, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == ["document"]


@pytest.mark.parametrize("field,size", [("label", 10_000), ("description", 100_000), ("password", 250_000)])
def test_huge_strings_are_rejected_by_their_field_limit(module_svc: Keyhole, module_api: Api,
                                                        module_tenant: TenantKeys, field: str, size: int) -> None:
    send = lambda: module_api.post(f"/v1/resources/{module_tenant.resource_id}/links",  # noqa: E731
                                   key=module_tenant.operator, body={field: "x" * size})
    error = refused(module_svc, send, 422, "validation_error")
    assert [d["field"] for d in error["details"]] == [field]
    assert "x" * 100 not in json.dumps(error)


def test_huge_query_strings_are_422(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys) -> None:
    refused(module_svc, lambda: module_api.get(f"/v1/links?cursor={'A' * 100_000}", key=module_tenant.viewer),
            422, "validation_error")
    refused(module_svc, lambda: module_api.get(f"/v1/links?limit={'9' * 10_000}", key=module_tenant.viewer),
            422, "validation_error")


@pytest.mark.parametrize("label", ["Zoë's link", "東京オフィス", "🔑🚀✨", "עברית", "a\u200bb", "\u200fמחיר: 42", "ﷺ" * 100,
                                   "line\nbreak\ttab"])
def test_unicode_labels_round_trip(module_api: Api, module_tenant: TenantKeys, label: str) -> None:
    # GIVEN / WHEN a link is labelled in any script (counted in characters) THEN it comes back intact,
    # to admins and to viewers
    link = make_link(module_api, module_tenant.operator, module_tenant.resource_id, label=label)
    assert module_api.get(f"/v1/links/{link['id']}", key=module_tenant.viewer).json["label"] == label
    info = module_api.get(f"/share/{link['token']}/info", headers={"x-forwarded-for": fresh_ip()})
    assert info.json["label"] == label


@pytest.mark.parametrize("label", ["a\x00b", "bell\x07", "esc\x1b[31m", "cr\rlf", "\u202eevil", "del\x7f",
                                   "nel\x85"])
def test_control_characters_are_rejected(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                         label: str) -> None:
    send = lambda: module_api.post(f"/v1/resources/{module_tenant.resource_id}/links",  # noqa: E731
                                   key=module_tenant.operator, body={"label": label})
    assert [d["field"] for d in refused(module_svc, send, 422, "validation_error")["details"]] == ["label"]


@pytest.mark.parametrize("content_type", [None, "text/plain", "text/plain; charset=utf-8",
                                          "application/json; charset=utf-8", "application/x-www-form-urlencoded"])
def test_json_bodies_are_read_whatever_the_content_type_says(module_api: Api, module_tenant: TenantKeys,
                                                             content_type: str) -> None:
    # GIVEN a client that forgets the header or sends text/plain WHEN it creates a key THEN it works
    headers = {"authorization": f"Bearer {module_tenant.admin}"}
    if content_type:
        headers["content-type"] = content_type
    reply = _raw(module_api, "POST", "/v1/api-keys", headers=headers,
                 body=json.dumps({"name": "ct", "role": "viewer"}).encode())
    assert reply.status == 201, reply


# (application/octet-stream is a binary type on API Gateway: a route cannot take it beside JSON)
@pytest.mark.parametrize("content_type", ["application/xml", "image/png", "application/octet-stream"])
def test_unsupported_content_types_are_415_in_keyholes_format(module_svc: Keyhole, module_api: Api,
                                                              module_tenant: TenantKeys, content_type: str) -> None:
    headers = {"authorization": f"Bearer {module_tenant.admin}", "content-type": content_type}
    with Unchanged(module_svc):
        reply = _raw(module_api, "POST", "/v1/api-keys", headers=headers, body=b'{"name": "x", "role": "viewer"}')
    assert_error(reply, 415, "unsupported_media_type")


@pytest.mark.parametrize("method,path", [
    ("PUT", "/v1/tenant"), ("DELETE", "/v1/tenant"), ("POST", "/v1/tenant"),
    ("PATCH", "/v1/api-keys"), ("PUT", "/v1/api-keys"), ("GET", "/v1/api-keys/key_x"),
    ("POST", "/v1/resources"), ("PATCH", "/v1/resources"), ("POST", "/v1/resources/r1"),
    ("PUT", "/v1/resources/r1/links"), ("DELETE", "/v1/resources/r1/links"),
    ("POST", "/v1/links"), ("PUT", "/v1/links/lnk_x"), ("GET", "/v1/links/lnk_x/reveal"),
    ("DELETE", "/v1/audit"),
])
def test_wrong_methods_on_admin_routes_are_405_in_keyholes_format(module_svc: Keyhole, module_api: Api,
                                                                  module_tenant: TenantKeys, method: str,
                                                                  path: str) -> None:
    with Unchanged(module_svc):
        reply = module_api.call(method, path, key=module_tenant.admin, body={"name": "x"})
    assert_error(reply, 405, "method_not_allowed")
    assert module_tenant.admin.encode() not in reply.body


@pytest.mark.parametrize("method,suffix", [("DELETE", "/data"), ("PUT", "/data"), ("POST", "/info"),
                                           ("PATCH", "/data")])
def test_wrong_methods_on_viewer_routes_are_405_with_viewer_headers(module_api: Api, module_tenant: TenantKeys,
                                                                    method: str, suffix: str) -> None:
    link = make_link(module_api, module_tenant.operator, module_tenant.resource_id)
    reply = module_api.call(method, f"/share/{link['token']}{suffix}", headers={"x-forwarded-for": fresh_ip()})
    assert reply.status == 405 and reply.json["error"]["code"] == "method_not_allowed"
    assert reply.headers["cache-control"] == "no-store" and reply.headers["referrer-policy"] == "no-referrer"
    assert link["token"].encode() not in reply.body


def test_duplicate_json_keys_take_the_last_value_consistently(module_api: Api, module_tenant: TenantKeys) -> None:
    raw = b'{"label": "first", "label": "second"}'
    reply = module_api.post(f"/v1/resources/{module_tenant.resource_id}/links", key=module_tenant.operator, raw=raw)
    assert reply.status == 201 and reply.json["label"] == "second"


def test_a_body_on_reveal_and_get_routes_is_ignored(module_api: Api, module_tenant: TenantKeys) -> None:
    link = make_link(module_api, module_tenant.operator, module_tenant.resource_id)
    reply = module_api.post(f"/v1/links/{link['id']}/reveal", key=module_tenant.operator, raw=b"[not json")
    assert reply.status == 200 and reply.json["token"] == link["token"]
    assert module_api.get("/v1/tenant", key=module_tenant.viewer, raw=b"{{{").status == 200


@pytest.mark.parametrize("body", [b"[" * 3000 + b"]" * 3000, b'{"password": ' + b"[" * 3000 + b"]" * 3000 + b"}",
                                  b"{", b"[]", b'{"password": NaN}', b'{"password": "\\ud800"}'],
                         ids=["nested arrays", "nested password", "truncated", "array", "NaN", "lone surrogate"])
def test_hostile_unlock_bodies_are_4xx_and_unlock_nothing(module_api: Api, module_tenant: TenantKeys,
                                                          body: bytes) -> None:
    # GIVEN a password link WHEN its unlock endpoint gets a hostile JSON body THEN a 4xx, no cookie
    link = make_link(module_api, module_tenant.operator, module_tenant.resource_id, password="open sesame")
    reply = module_api.call("POST", f"/share/{link['token']}/unlock", raw=body,
                            headers={"x-forwarded-for": fresh_ip(), "content-type": "application/json"})
    assert 400 <= reply.status < 500, reply
    assert "set-cookie" not in reply.headers
    assert reply.headers["cache-control"] == "no-store"

