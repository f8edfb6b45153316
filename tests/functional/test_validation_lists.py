"""Every list parameter of SPEC.md's admin API on every list: `limit` (1-100), opaque cursors
(garbage, another tenant's, another list's, another status filter's), `status`; and unknown ids.

A refused request gets 400/413/422 in Keyhole's error format (422 naming each bad field) and
changes nothing: `Unchanged` watches the table's stream for any write during the request.
"""
from __future__ import annotations

from typing import Any, Dict

import pytest

from chalicelib.service import Keyhole
from tests.conftest import Api
from tests.support import TenantKeys, b64_cursor, make_link, put_resource, refused, refused_fields


# --- lists: limit, cursor, status ----------------------------------------------------------

@pytest.fixture(scope="module")
def lists(module_api: Api, module_tenant: TenantKeys, module_attacker: TenantKeys) -> Dict[str, Any]:
    """Both tenants get at least two items in every list, so every list has a next_cursor at limit=1."""
    for t in (module_tenant, module_attacker):
        put_resource(module_api, t.admin, "second-res")
        for _ in range(2):
            link = make_link(module_api, t.admin, t.resource_id)
            module_api.post("/v1/webhooks", key=t.admin, body={"url": "https://hooks.localhost/k"})
        for _ in range(2):  # two access-log entries
            module_api.get(f"/share/{link['token']}/info", headers={"x-forwarded-for": "10.250.0.1"})
        _LINKS[t.tenant_id] = link["id"]
    return _LINKS


LISTS = {
    "resources": "/v1/resources",
    "api-keys": "/v1/api-keys",
    "links": "/v1/links",
    "resource links": "/v1/resources/{resource}/links",
    "audit": "/v1/audit",
    "webhooks": "/v1/webhooks",
    "access logs": "/v1/links/{link}/access-logs",
}


def _list_path(name: str, t: TenantKeys) -> str:
    return LISTS[name].format(resource=t.resource_id, link=_LINKS.get(t.tenant_id, "none"))


_LINKS: Dict[str, str] = {}  # tenant id -> a link with access-log entries (filled by the `lists` fixture)


def _cursor(api: Api, path: str, key: str, query: str = "") -> str:
    reply = api.get(f"{path}?limit=1{query}", key=key)
    assert reply.status == 200 and reply.json["next_cursor"], reply
    return reply.json["next_cursor"]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "1.5", "", "1e2", "99999999999999999999", "%EF%BC%99", "%205",
                                   "1_0", "+5"])
@pytest.mark.parametrize("name", list(LISTS))
def test_list_limits_outside_1_to_100_are_422(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                              lists: Dict[str, Any], name: str, limit: str) -> None:
    send = lambda: module_api.get(f"{_list_path(name, module_tenant)}?limit={limit}",  # noqa: E731
                                  key=module_tenant.admin)
    assert refused_fields(module_svc, send) == ["limit"]


@pytest.mark.parametrize("name", list(LISTS))
def test_list_limits_1_and_100_are_honoured(module_api: Api, module_tenant: TenantKeys, lists: Dict[str, Any],
                                            name: str) -> None:
    path = _list_path(name, module_tenant)
    one = module_api.get(f"{path}?limit=1", key=module_tenant.admin)
    assert one.status == 200 and len(one.json["items"]) == 1 and one.json["next_cursor"]
    hundred = module_api.get(f"{path}?limit=100", key=module_tenant.admin)
    assert hundred.status == 200 and 2 <= len(hundred.json["items"]) <= 100


GARBAGE_CURSORS = {
    "not base64": "!!!not-a-cursor!!!",
    "base64 of garbage": "Zm9vYmFy",
    "base64 of a list": b64_cursor([1, 2]),
    "base64 of an empty object": b64_cursor({}),
    "base64 of a number": b64_cursor(5),
    "base64 of null": b64_cursor(None),
    "non-string key values": b64_cursor({"pk": 1, "sk": 2, "list": "resources"}),
    "deeply nested JSON": b64_cursor(b"[" * 50_000),
    "not UTF-8": b64_cursor(b"\xff\xfe\xfd"),
    "one character": "A",
}


@pytest.mark.parametrize("cursor", list(GARBAGE_CURSORS))
@pytest.mark.parametrize("name", list(LISTS))
def test_garbage_cursors_are_422_never_500(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                           lists: Dict[str, Any], name: str, cursor: str) -> None:
    send = lambda: module_api.get(f"{_list_path(name, module_tenant)}?cursor={GARBAGE_CURSORS[cursor]}",  # noqa: E731
                                  key=module_tenant.admin)
    assert refused_fields(module_svc, send) == ["cursor"]


@pytest.mark.parametrize("name", list(LISTS))
def test_another_tenants_cursor_is_422(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                       module_attacker: TenantKeys, lists: Dict[str, Any], name: str) -> None:
    # GIVEN a cursor from tenant A's list WHEN tenant B replays it on the same list THEN 422, no A data
    cursor = _cursor(module_api, _list_path(name, module_tenant), module_tenant.admin)
    send = lambda: module_api.get(f"{_list_path(name, module_attacker)}?cursor={cursor}",  # noqa: E731
                                  key=module_attacker.admin)
    assert refused_fields(module_svc, send) == ["cursor"]


CROSS = [(a, b) for a in LISTS for b in LISTS if a != b]


@pytest.mark.parametrize("source,target", CROSS, ids=[f"{a} -> {b}" for a, b in CROSS])
def test_a_cursor_from_another_list_is_422(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                           lists: Dict[str, Any], source: str, target: str) -> None:
    # GIVEN a cursor of one list WHEN used on another list of the same tenant THEN 422
    cursor = _cursor(module_api, _list_path(source, module_tenant), module_tenant.admin)
    send = lambda: module_api.get(f"{_list_path(target, module_tenant)}?cursor={cursor}",  # noqa: E731
                                  key=module_tenant.admin)
    assert refused_fields(module_svc, send) == ["cursor"]


@pytest.mark.parametrize("target", ["revoked", "expired", "all", "exhausted"])
@pytest.mark.parametrize("name", ["links", "resource links"])
def test_a_cursor_from_another_status_filter_is_422(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                                    lists: Dict[str, Any], name: str, target: str) -> None:
    # GIVEN a cursor of ?status=active WHEN used with another status THEN 422 (it is another list)
    path = _list_path(name, module_tenant)
    cursor = _cursor(module_api, path, module_tenant.admin, "&status=active")
    send = lambda: module_api.get(f"{path}?status={target}&cursor={cursor}", key=module_tenant.admin)  # noqa: E731
    assert refused_fields(module_svc, send) == ["cursor"]


@pytest.mark.parametrize("status", ["bogus", "ACTIVE", "", "active,revoked", "live", "deleted"])
@pytest.mark.parametrize("name", ["links", "resource links"])
def test_unknown_status_filters_are_422(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                        name: str, status: str) -> None:
    send = lambda: module_api.get(f"{_list_path(name, module_tenant)}?status={status}",  # noqa: E731
                                  key=module_tenant.viewer)
    assert refused_fields(module_svc, send) == ["status"]


@pytest.mark.parametrize("status", ["active", "revoked", "expired", "exhausted", "all"])
@pytest.mark.parametrize("name", ["links", "resource links"])
def test_every_documented_status_filter_is_accepted(module_api: Api, module_tenant: TenantKeys, name: str,
                                                    status: str) -> None:
    reply = module_api.get(f"{_list_path(name, module_tenant)}?status={status}", key=module_tenant.viewer)
    assert reply.status == 200 and all(status in ("all", item["status"]) for item in reply.json["items"]), reply


def test_links_of_an_unknown_resource_are_404(module_svc: Keyhole, module_api: Api,
                                              module_tenant: TenantKeys) -> None:
    for path in ("/v1/resources/no-such-res/links", "/v1/resources/bad%20id/links"):
        refused(module_svc, lambda: module_api.get(path, key=module_tenant.viewer), 404, "not_found")
        refused(module_svc, lambda: module_api.post(path, key=module_tenant.operator, body={}), 404, "not_found")


@pytest.mark.parametrize("path", ["/v1/links/lnk_000000000000000000000000", "/v1/links/lnk_nothex", "/v1/links/x",
                                  "/v1/links/" + "a" * 300])
def test_unknown_or_malformed_link_ids_are_404(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                               path: str) -> None:
    for method, body in (("GET", None), ("PATCH", {"label": "x"}), ("DELETE", None)):
        refused(module_svc, lambda: module_api.call(method, path, key=module_tenant.admin, body=body),
                404, "not_found")
    refused(module_svc, lambda: module_api.post(f"{path}/reveal", key=module_tenant.admin), 404, "not_found")


@pytest.mark.parametrize("key_id", ["key_00000000000000000000", "nope", "key_" + "f" * 100])
def test_unknown_api_key_ids_are_404(module_svc: Keyhole, module_api: Api, module_tenant: TenantKeys,
                                     key_id: str) -> None:
    refused(module_svc, lambda: module_api.delete(f"/v1/api-keys/{key_id}", key=module_tenant.admin),
            404, "not_found")
