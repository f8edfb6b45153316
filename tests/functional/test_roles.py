"""Every admin route x every caller: no key, bad keys, deleted keys, other tenants' keys, and each
role. SPEC.md's Admin API table is the oracle: a role can do everything of the roles below it.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional, Tuple

import pytest

from chalicelib.service import Keyhole
from tests.conftest import Api
from tests.support import (ROLE_RANK, ROLES, RESOURCE_BODY, TenantKeys, Unchanged, assert_error, make_link,
                           new_key, put_resource)

Prepared = Tuple[str, Optional[Dict[str, Any]]]


@dataclass(frozen=True)
class Route:
    """One row of SPEC.md's Admin API table, with how to build a fresh target for it."""

    method: str
    template: str
    role: str  # the lowest role allowed
    success: int
    prepare: Callable[[Api, TenantKeys], Prepared]  # a target the call may consume
    scoped: bool = False  # names a tenant-scoped id: another tenant's key gets 404

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"


def _fresh_resource(api: Api, t: TenantKeys) -> str:
    resource_id = f"r-{secrets.token_hex(4)}"
    put_resource(api, t.admin, resource_id)
    return resource_id


def _origin_resource(api: Api, t: TenantKeys) -> str:
    """An origin resource (docs/origins.md); nothing calls its origin here."""
    resource_id = f"o-{secrets.token_hex(4)}"
    reply = api.put(f"/v1/resources/{resource_id}", key=t.admin,
                    body={"type": "monitor", "name": "Live", "origin": {"url": "http://127.0.0.1:9"}})
    assert reply.status == 201, reply
    return resource_id


def _fresh_link(api: Api, t: TenantKeys) -> str:
    return make_link(api, t.admin, t.resource_id, label="matrix")["id"]


FILE_BODY = {"name": "report.pdf", "content_type": "application/pdf", "size": 3,
             "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}  # b"abc"


def _pending_file(api: Api, t: TenantKeys) -> str:
    """An upload started and never sent (docs/files.md): completing it is 409, deleting it 204."""
    reply = api.post(f"/v1/resources/{t.resource_id}/files", key=t.admin, body=FILE_BODY)
    assert reply.status == 201, reply
    return reply.json["file_id"]


def _fresh_webhook(api: Api, t: TenantKeys) -> str:
    reply = api.post("/v1/webhooks", key=t.admin, body=WEBHOOK_BODY)
    assert reply.status == 201, reply
    return reply.json["id"]


_standing_links: Dict[str, str] = {}
_standing_webhooks: Dict[str, str] = {}
WEBHOOK_BODY = {"url": "https://hooks.localhost/keyhole", "events": ["share.created"]}


def _standing_webhook(api: Api, t: TenantKeys) -> str:
    if t.tenant_id not in _standing_webhooks:
        _standing_webhooks[t.tenant_id] = _fresh_webhook(api, t)
    return _standing_webhooks[t.tenant_id]


def _standing_link(api: Api, t: TenantKeys) -> str:
    """A link routes that do not destroy it can share (moto copies the whole table on every
    transaction, so the matrix creates only what a call consumes)."""
    if t.tenant_id not in _standing_links:
        _standing_links[t.tenant_id] = _fresh_link(api, t)
    return _standing_links[t.tenant_id]


ROUTES = [
    Route("GET", "/v1/tenant", "viewer", 200, lambda api, t: ("/v1/tenant", None)),
    Route("PATCH", "/v1/tenant", "admin", 200, lambda api, t: ("/v1/tenant", {"token_display": "recopyable"})),
    Route("POST", "/v1/api-keys", "admin", 201,
          lambda api, t: ("/v1/api-keys", {"name": "new", "role": "viewer"})),
    Route("GET", "/v1/api-keys", "admin", 200, lambda api, t: ("/v1/api-keys", None)),
    Route("DELETE", "/v1/api-keys/{key_id}", "admin", 204,
          lambda api, t: (f"/v1/api-keys/{new_key(api, t.admin)[0]}", None), scoped=True),
    Route("PUT", "/v1/resources/{resource_id}", "operator", 201,
          lambda api, t: (f"/v1/resources/r-{secrets.token_hex(4)}", RESOURCE_BODY)),
    Route("PATCH", "/v1/resources/{resource_id}", "operator", 200,
          lambda api, t: (f"/v1/resources/{t.resource_id}", {"document": {"status": "patched"}}), scoped=True),
    Route("POST", "/v1/resources/{resource_id}/origin-secret", "operator", 200,
          lambda api, t: (f"/v1/resources/{_origin_resource(api, t)}/origin-secret", None), scoped=True),
    Route("POST", "/v1/resources/{resource_id}/files", "operator", 201,
          lambda api, t: (f"/v1/resources/{t.resource_id}/files", FILE_BODY), scoped=True),
    Route("POST", "/v1/resources/{resource_id}/files/{file_id}/complete", "operator", 409,  # nothing uploaded yet
          lambda api, t: (f"/v1/resources/{t.resource_id}/files/{_pending_file(api, t)}/complete", None), scoped=True),
    Route("DELETE", "/v1/resources/{resource_id}/files/{file_id}", "operator", 204,
          lambda api, t: (f"/v1/resources/{t.resource_id}/files/{_pending_file(api, t)}", None), scoped=True),
    Route("POST", "/v1/introspect", "operator", 200, lambda api, t: ("/v1/introspect", {"token": "x" * 64})),
    Route("GET", "/v1/resources", "viewer", 200, lambda api, t: ("/v1/resources", None)),
    Route("GET", "/v1/resources/{resource_id}", "viewer", 200,
          lambda api, t: (f"/v1/resources/{t.resource_id}", None), scoped=True),
    Route("DELETE", "/v1/resources/{resource_id}", "operator", 204,
          lambda api, t: (f"/v1/resources/{_fresh_resource(api, t)}", None), scoped=True),
    Route("POST", "/v1/resources/{resource_id}/links", "operator", 201,
          lambda api, t: (f"/v1/resources/{t.resource_id}/links", {"label": "x"}), scoped=True),
    Route("GET", "/v1/resources/{resource_id}/links", "viewer", 200,
          lambda api, t: (f"/v1/resources/{t.resource_id}/links", None), scoped=True),
    Route("GET", "/v1/links", "viewer", 200, lambda api, t: ("/v1/links", None)),
    Route("POST", "/v1/links/import", "operator", 200,  # one result per item (here: the setting is off, 422)
          lambda api, t: ("/v1/links/import", {"links": [{"resource_id": t.resource_id,
                                                          "import_token": secrets.token_hex(8)}]})),
    Route("GET", "/v1/links/{link_id}", "viewer", 200,
          lambda api, t: (f"/v1/links/{_standing_link(api, t)}", None), scoped=True),
    Route("PATCH", "/v1/links/{link_id}", "operator", 200,
          lambda api, t: (f"/v1/links/{_standing_link(api, t)}", {"label": "renamed"}), scoped=True),
    Route("POST", "/v1/links/{link_id}/reveal", "operator", 200,
          lambda api, t: (f"/v1/links/{_standing_link(api, t)}/reveal", None), scoped=True),
    Route("DELETE", "/v1/links/{link_id}", "operator", 204,
          lambda api, t: (f"/v1/links/{_fresh_link(api, t)}", None), scoped=True),
    Route("POST", "/v1/links/revoke", "operator", 200,
          lambda api, t: ("/v1/links/revoke", {"link_ids": [_fresh_link(api, t)]})),
    Route("POST", "/v1/console/sessions", "operator", 201, lambda api, t: ("/v1/console/sessions", {})),
    Route("GET", "/v1/links/{link_id}/access-logs", "viewer", 200,
          lambda api, t: (f"/v1/links/{_standing_link(api, t)}/access-logs", None), scoped=True),
    Route("GET", "/v1/audit", "admin", 200, lambda api, t: ("/v1/audit", None)),
    Route("POST", "/v1/webhooks", "admin", 201, lambda api, t: ("/v1/webhooks", WEBHOOK_BODY)),
    Route("GET", "/v1/webhooks", "admin", 200, lambda api, t: ("/v1/webhooks", None)),
    Route("DELETE", "/v1/webhooks/{webhook_id}", "admin", 204,
          lambda api, t: (f"/v1/webhooks/{_fresh_webhook(api, t)}", None), scoped=True),
    Route("GET", "/v1/webhooks/{webhook_id}/deliveries", "admin", 200,
          lambda api, t: (f"/v1/webhooks/{_standing_webhook(api, t)}/deliveries", None), scoped=True),
]
ROUTE_IDS = [r.name for r in ROUTES]


def _send(api: Api, route: Route, path: str, body: Optional[Dict[str, Any]], headers: Dict[str, str]) -> Any:
    return api.call(route.method, path, body=body, headers=headers)


@pytest.fixture(scope="module")
def standing(module_api: Api, module_tenant: TenantKeys) -> Dict[str, Prepared]:
    """One prepared target per route, for the refused cases: a refused request changes nothing, so
    they can share targets (moto copies the whole table on every transaction: keep it small)."""
    return {route.name: route.prepare(module_api, module_tenant) for route in ROUTES}


@pytest.fixture(scope="module")
def deleted_key(module_api: Api, module_tenant: TenantKeys) -> str:
    key_id, key = new_key(module_api, module_tenant.admin, role="admin")
    assert module_api.delete(f"/v1/api-keys/{key_id}", key=module_tenant.admin).status == 204
    return key


def _bearer(key: str) -> Dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def test_the_matrix_covers_every_admin_route_in_app() -> None:
    """GIVEN app.py's routes WHEN compared with this table THEN no admin route is left untested."""
    import app as app_module

    registered = {(method, path) for path, entry in app_module.app.routes.items() if path.startswith("/v1/")
                  for method in entry}
    public = {("GET", "/v1/openapi.json")}  # the API's description: no key, no role (tests/unit/test_openapi.py)
    # the console page's own calls: its ticket (no key), and a session signing itself out (any key: 403);
    # tests/functional/test_console_sessions.py
    public |= {("POST", "/v1/console/session"), ("DELETE", "/v1/console/session")}
    # platform routes take a platform key, never a role: tests/functional/test_platform_access.py
    platform = {(method, path) for method, path in registered if path.startswith(("/v1/tenants", "/v1/plans"))}
    assert registered - public - platform == {(r.method, r.template) for r in ROUTES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_each_role_is_allowed_or_forbidden_exactly_per_spec(module_svc: Keyhole, module_api: Api,
                                                             module_tenant: TenantKeys,
                                                             standing: Dict[str, Prepared], route: Route,
                                                             role: str) -> None:
    # GIVEN a target for the route (a fresh one if the call will change it) and a key of `role`
    allowed = ROLE_RANK[role] >= ROLE_RANK[route.role]
    path, body = route.prepare(module_api, module_tenant) if allowed else standing[route.name]
    if allowed:
        # WHEN the key calls the route THEN it succeeds with the route's status
        reply = _send(module_api, route, path, body, _bearer(module_tenant.key(role)))
        assert reply.status == route.success, reply
        assert reply.headers.get("x-request-id")
        if route.success == 204:
            assert reply.body in (b"", "", None)
        else:
            assert reply.headers["content-type"].startswith("application/json") and reply.json is not None
    else:
        # WHEN a lower role calls it THEN 403 forbidden, and nothing was written
        with Unchanged(module_svc):
            reply = _send(module_api, route, path, body, _bearer(module_tenant.key(role)))
        error = assert_error(reply, 403, "forbidden")
        assert route.role in error["message"]


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_x_api_key_header_authenticates_like_bearer(module_api: Api, module_tenant: TenantKeys,
                                                    route: Route) -> None:
    # GIVEN the lowest allowed role's key, sent as x-api-key (no Authorization header)
    path, body = route.prepare(module_api, module_tenant)
    # WHEN the route is called THEN it succeeds
    reply = _send(module_api, route, path, body, {"x-api-key": module_tenant.key(route.role)})
    assert reply.status == route.success, reply


def _unknown_key(t: TenantKeys) -> str:
    """Well-formed, names a real tenant, but was never issued."""
    return f"kh_{t.tenant_id[4:]}_{secrets.token_urlsafe(32)}"


AUTH_FAILURES: Dict[str, Callable[[TenantKeys], Dict[str, str]]] = {
    "no key": lambda t: {},
    "empty bearer": lambda t: {"authorization": "Bearer "},
    "malformed bearer": lambda t: _bearer("not-a-key"),
    "truncated key": lambda t: _bearer(t.admin[:-1]),
    "basic auth": lambda t: {"authorization": "Basic YWRtaW46YWRtaW4="},
    "malformed x-api-key": lambda t: {"x-api-key": "kh_zz_" + "a" * 43},
    "unknown key": lambda t: _bearer(_unknown_key(t)),
    "key of no tenant": lambda t: _bearer(f"kh_{secrets.token_hex(8)}_{secrets.token_urlsafe(32)}"),
    "key with another tenant's prefix": lambda t: _bearer(f"kh_{secrets.token_hex(8)}{t.admin[19:]}"),
}


@pytest.mark.parametrize("failure", list(AUTH_FAILURES))
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_missing_or_bad_keys_get_401_and_change_nothing(module_svc: Keyhole, module_api: Api,
                                                        module_tenant: TenantKeys, standing: Dict[str, Prepared],
                                                        route: Route, failure: str) -> None:
    # GIVEN a valid target and a request without a usable key
    path, body = standing[route.name]
    headers = AUTH_FAILURES[failure](module_tenant)
    # WHEN it is sent
    with Unchanged(module_svc):
        reply = _send(module_api, route, path, body, headers)
    # THEN 401 unauthorized in Keyhole's error format, and the message never echoes the key
    assert_error(reply, 401, "unauthorized")
    for value in headers.values():
        if len(value) > 12:
            assert value.split()[-1].encode() not in reply.body


def test_a_deleted_key_stops_working_at_once(module_svc: Keyhole, module_api: Api,
                                             module_tenant: TenantKeys) -> None:
    # GIVEN an admin key that worked a moment ago
    key_id, key = new_key(module_api, module_tenant.admin, role="admin")
    assert module_api.get("/v1/api-keys", key=key).status == 200
    # WHEN another admin deletes it
    assert module_api.delete(f"/v1/api-keys/{key_id}", key=module_tenant.admin).status == 204
    # THEN the very next request with it is 401, and the list no longer shows it
    assert_error(module_api.get("/v1/api-keys", key=key), 401, "unauthorized")
    listed = module_api.get("/v1/api-keys", key=module_tenant.admin).json["items"]
    assert key_id not in [k["id"] for k in listed]


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_a_deleted_key_is_refused_on_every_route(module_svc: Keyhole, module_api: Api, deleted_key: str,
                                                 standing: Dict[str, Prepared], route: Route) -> None:
    # GIVEN a deleted admin key WHEN it calls any route THEN 401, and nothing changes
    path, body = standing[route.name]
    with Unchanged(module_svc):
        reply = _send(module_api, route, path, body, _bearer(deleted_key))
    assert_error(reply, 401, "unauthorized")


SCOPED = [r for r in ROUTES if r.scoped]


@pytest.mark.parametrize("route", SCOPED, ids=[r.name for r in SCOPED])
def test_another_tenants_admin_key_gets_404_for_our_ids(module_svc: Keyhole, module_api: Api,
                                                        module_attacker: TenantKeys, standing: Dict[str, Prepared],
                                                        route: Route) -> None:
    # GIVEN a real id of tenant A and tenant B's admin key (the highest role)
    path, body = standing[route.name]
    # WHEN B calls the route with A's id
    with Unchanged(module_svc):
        reply = _send(module_api, route, path, body, _bearer(module_attacker.admin))
    # THEN 404 not_found, exactly like an id that does not exist, and nothing changed
    assert_error(reply, 404, "not_found")


def test_put_of_another_tenants_resource_id_creates_the_callers_own(module_svc: Keyhole, module_api: Api,
                                                                    module_tenant: TenantKeys,
                                                                    module_attacker: TenantKeys) -> None:
    # GIVEN tenant A's resource and tenant B knowing its id
    resource_id = _fresh_resource(module_api, module_tenant)
    before = module_api.get(f"/v1/resources/{resource_id}", key=module_tenant.viewer).json
    # WHEN B PUTs that id
    reply = module_api.put(f"/v1/resources/{resource_id}", key=module_attacker.operator,
                           body={"type": "evil", "name": "Evil", "document": {"pwned": True}})
    # THEN B created its own resource (ids are per tenant) and A's is untouched
    assert reply.status == 201 and reply.json["version"] == 1
    assert module_api.get(f"/v1/resources/{resource_id}", key=module_tenant.viewer).json == before


@pytest.mark.parametrize("header", ["authorization", "Authorization", "AUTHORIZATION"])
@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_and_header_name_are_case_insensitive(module_api: Api, module_tenant: TenantKeys,
                                                            header: str, scheme: str) -> None:
    # GIVEN / WHEN the key is sent with any casing of the header and scheme THEN it works
    reply = module_api.call("GET", "/v1/tenant", headers={header: f"{scheme} {module_tenant.viewer}"})
    assert reply.status == 200, reply


def test_the_last_admin_key_cannot_be_deleted(module_svc: Keyhole, module_api: Api) -> None:
    # GIVEN a tenant whose only admin key is the caller's own
    from chalicelib.tenancy import tenants

    tenant, admin = tenants.create_tenant(module_svc, name="Lonely")
    key_id = module_api.get("/v1/api-keys", key=admin).json["items"][0]["id"]
    # WHEN it tries to delete itself THEN 409 conflict and the key still works
    with Unchanged(module_svc):
        reply = module_api.delete(f"/v1/api-keys/{key_id}", key=admin)
    assert_error(reply, 409, "conflict")
    assert module_api.get("/v1/tenant", key=admin).status == 200
