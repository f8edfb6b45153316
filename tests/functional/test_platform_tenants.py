"""Tenants through the platform API over real HTTP: every tenant route with and without
`Keyhole-Tenant`, suspend/resume/delete and what they do to live links and keys, first keys, the
namespace's plans, and bad input (422 naming the field, nothing half-written).

Every response is checked against the OpenAPI document (tests/ops/kit.py's HttpApi).
"""
from __future__ import annotations

import uuid
from typing import Any, Dict, List, Optional

import pytest
import requests

from chalicelib.platform import keys
from chalicelib.platform.access import tenant_id_in
from chalicelib.runtime.errors import NotFound
from chalicelib.storage.models import AuditEvent, LinkRecord, Tenant
from chalicelib.tenancy import tenants
from tests.ops.kit import HttpApi
from tests.support import fresh_ip

ORG = {"name": "Globex", "plan": "team"}
DOC = {"type": "monitor", "name": "Checkout", "document": {"status": "up", "api_key": "sk_live_1"}}


@pytest.fixture(scope="module")
def stack(http_stack: Any) -> Any:
    http_stack.svc  # noqa: B018 (binds this process's models to the stack)
    return http_stack


@pytest.fixture
def api(stack: Any) -> HttpApi:
    stack.svc  # noqa: B018
    return HttpApi(stack.api_url)


@pytest.fixture
def product(stack: Any) -> "Product":
    return Product(stack)


class Product:
    """A product's backend: a platform key of its own namespace."""

    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.namespace = f"ns-{uuid.uuid4().hex[:10]}"
        self.item, self.key = keys.create_key(stack.svc, name="backend", namespace=self.namespace)
        self.api = HttpApi(stack.api_url)

    def call(self, method: str, path: str, tenant: Optional[str] = None, actor: Optional[str] = None,
             **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        if tenant is not None:
            headers["Keyhole-Tenant"] = tenant
        if actor is not None:
            headers["Keyhole-Actor"] = actor
        return self.api.call(method, path, key=self.key, headers=headers, **kw)

    def org(self, tenant: str = "org-1", **body: Any) -> Dict[str, Any]:
        reply = self.call("PUT", f"/v1/tenants/{tenant}", body={**ORG, **body})
        assert reply.status in (200, 201), reply
        return reply.json

    def share(self, tenant: str = "org-1", resource: str = "r1", **link: Any) -> Dict[str, Any]:
        assert self.call("PUT", f"/v1/resources/{resource}", tenant, body=DOC).status in (200, 201)
        reply = self.call("POST", f"/v1/resources/{resource}/links", tenant, body=link)
        assert reply.status == 201, reply
        return reply.json

    def admin_key(self, tenant: str = "org-1") -> str:
        reply = self.call("POST", f"/v1/tenants/{tenant}/api-keys", body={})
        assert reply.status == 201, reply
        return str(reply.json["key"])


def opens(link: Dict[str, Any]) -> int:
    return requests.get(link["url"] + "/data", headers={"x-forwarded-for": fresh_ip()}, timeout=30).status_code


def stored_tenant(stack: Any, product: Product, external_id: str) -> Optional[Tenant]:
    return stack.svc.store.get(Tenant, Tenant.key(tenant_id_in(product.item.namespace_key, external_id)))


# Every tenant route, with the path and body a platform key acting for `org-1` sends (role admin).
TENANT_ROUTES: List[tuple] = [
    ("GET", "/v1/tenant", None, 200),
    ("PATCH", "/v1/tenant", {"default_expires_in": "24h"}, 200),
    ("POST", "/v1/api-keys", {"name": "k", "role": "viewer"}, 201),
    ("GET", "/v1/api-keys", None, 200),
    ("GET", "/v1/resources", None, 200),
    ("PUT", "/v1/resources/r2", DOC, 201),
    ("PATCH", "/v1/resources/r1", {"name": "Renamed"}, 200),
    ("GET", "/v1/resources/r1", None, 200),
    ("POST", "/v1/resources/r1/links", {}, 201),
    ("GET", "/v1/resources/r1/links", None, 200),
    ("GET", "/v1/links", None, 200),
    ("GET", "/v1/links/{link}", None, 200),
    ("PATCH", "/v1/links/{link}", {"label": "x"}, 200),
    ("POST", "/v1/links/{link}/reveal", None, 200),
    ("GET", "/v1/links/{link}/access-logs", None, 200),
    ("GET", "/v1/audit", None, 200),
    ("GET", "/v1/webhooks", None, 200),
    ("POST", "/v1/introspect", {"token": "{token}"}, 200),
    ("DELETE", "/v1/links/{link}", None, 204),
    ("DELETE", "/v1/resources/r2", None, 204),
]


def test_every_tenant_route_with_and_without_keyhole_tenant(product: Product) -> None:
    product.org()
    link = product.share()
    for method, template, body, success in TENANT_ROUTES:
        path = template.replace("{link}", link["id"])
        sent = body if not isinstance(body, dict) else {
            k: (v.replace("{token}", link["token"]) if isinstance(v, str) else v) for k, v in body.items()}
        # WITHOUT the header: 400 tenant_required, nothing done
        bare = product.call(method, path, body=sent)
        assert bare.status == 400 and bare.json["error"]["code"] == "tenant_required", (method, path, bare)
        # WITH it: the route works as for the tenant's admin
        reply = product.call(method, path, "org-1", body=sent)
        assert reply.status == success, (method, path, reply)
        # AND another namespace's id is the usual 404
        assert product.call(method, path, "no-such-org", body=sent).status == 404, (method, path)
    assert product.call("POST", "/v1/introspect", "org-1", body={"token": link["token"]}).json == {"active": False}


def test_suspend_and_resume_stop_and_restore_links_and_keys_at_once(product: Product, stack: Any) -> None:
    product.org()
    link, admin = product.share(), product.admin_key()
    assert opens(link) == 200 and product.api.get("/v1/tenant", key=admin).status == 200
    # WHEN the product suspends its tenant
    suspended = product.call("POST", "/v1/tenants/org-1/suspend", actor="user:ops-desk")
    assert suspended.status == 200 and suspended.json["status"] == "suspended" and suspended.json["suspended_at"]
    # THEN its links are the one 404 and its keys the 401 of unknown keys, at once; acting is 409
    assert opens(link) == 404
    assert product.api.get("/v1/tenant", key=admin).status == 401
    blocked = product.call("GET", "/v1/links", "org-1")
    assert blocked.status == 409 and "suspended" in blocked.json["error"]["message"]
    # AND suspending again changes nothing
    assert product.call("POST", "/v1/tenants/org-1/suspend").json["status"] == "suspended"
    # WHEN resumed, everything works again as it was
    assert product.call("POST", "/v1/tenants/org-1/resume").json["status"] == "active"
    assert opens(link) == 200 and product.api.get("/v1/tenant", key=admin).status == 200
    trail = [e for e in product.call("GET", "/v1/audit", "org-1").json["items"] if e["action"].startswith("tenant.")]
    assert [e["action"] for e in trail][:2] == ["tenant.resumed", "tenant.suspended"]
    assert trail[1]["actor"]["type"] == "platform_key" and trail[1]["actor"]["actor"] == "user:ops-desk"


def test_delete_revokes_every_link_deletes_keys_and_keeps_the_records(product: Product, stack: Any) -> None:
    product.org()
    product.org("org-2")
    links = [product.share(), product.share(resource="r2"), product.share("org-2")]
    admin = product.admin_key()
    # WHEN the product deletes org-1
    gone = product.call("DELETE", "/v1/tenants/org-1", actor="user:offboarding")
    assert gone.status == 204
    # THEN its links are dead and its key refused; org-2 is untouched
    assert [opens(link) for link in links] == [404, 404, 200]
    assert product.api.get("/v1/tenant", key=admin).status == 401
    # AND it is gone from every platform route, and acting for it is the usual 404
    assert product.call("GET", "/v1/tenants/org-1").status == 404
    assert product.call("GET", "/v1/links", "org-1").status == 404
    assert product.call("DELETE", "/v1/tenants/org-1").status == 404
    assert [t["id"] for t in product.call("GET", "/v1/tenants").json["items"]] == ["org-2"]
    # AND its records are kept: the link records say revoked, the audit trail says who deleted it
    record = stack.svc.store.get(LinkRecord, LinkRecord.key(links[0]["id"]))
    assert record is not None and record.state == "revoked" and record.revoked_by_actor == "user:offboarding"
    tenant = stored_tenant(stack, product, "org-1")
    assert tenant is not None and tenant.deleted_at and tenant.deletion_done
    actions = [e.action for e in AuditEvent.query(AuditEvent.partition(tenant.tenant_id))]
    assert "tenant.deleted" in actions and actions.count("link.revoked") == 2
    # AND its id is not reused
    again = product.call("PUT", "/v1/tenants/org-1", body=ORG)
    assert again.status == 409 and "deleted" in again.json["error"]["message"]
    # AND nothing resumes it (its deletion is what holds it suspended): not even ops
    with pytest.raises(NotFound):
        tenants.set_suspended(stack.svc, tenant.tenant_id, False)
    assert opens(links[0]) == 404 and product.api.get("/v1/tenant", key=admin).status == 401


def test_patch_changes_what_it_names(product: Product) -> None:
    product.org(overrides={"links_per_resource": 25})
    changed = product.call("PATCH", "/v1/tenants/org-1", body={
        "plan": "enterprise", "settings": {"token_display": "once"}, "branding": {"accent_color": "#0F766E"}})
    assert changed.status == 200, changed
    body = changed.json
    assert body["plan"] == "enterprise" and body["limits"]["links_per_resource"] == 25  # the override stays
    assert body["limits"]["viewer_requests_per_min_per_ip"] == 3000
    assert body["settings"]["token_display"] == "once" and body["settings"]["accent_color"] == "#0f766e"
    assert product.call("GET", "/v1/tenant", "org-1").json["settings"]["token_display"] == "once"
    cleared = product.call("PATCH", "/v1/tenants/org-1", body={"overrides": {}}).json
    assert cleared["overrides"] == {} and cleared["limits"]["links_per_resource"] == 100
    # AND a PUT leaves the settings its tenant's admins chose alone
    assert product.call("PATCH", "/v1/tenant", "org-1", body={"require_password": True}).status == 200
    again = product.org(name="Globex Inc")
    assert again["name"] == "Globex Inc" and again["settings"]["require_password"] is True


def test_the_tenant_views_show_its_embed_origins(product: Product) -> None:
    """`embed_origins` is an item of its own (set acting for the tenant); every platform view of the
    tenant shows the stored origins, never a stand-in empty list."""
    product.org()
    origins = ["https://app.example.com", "http://shop.localhost:9000"]
    assert product.call("PATCH", "/v1/tenant", "org-1", body={"embed_origins": origins}).status == 200
    assert product.call("GET", "/v1/tenants/org-1").json["settings"]["embed_origins"] == origins
    listed = product.call("GET", "/v1/tenants").json["items"]
    assert [t["settings"]["embed_origins"] for t in listed if t["id"] == "org-1"] == [origins]
    assert product.call("PATCH", "/v1/tenants/org-1", body={"name": "Renamed"}).json["settings"]["embed_origins"] == origins
    assert product.org(name="Again")["settings"]["embed_origins"] == origins
    assert product.call("POST", "/v1/tenants/org-1/suspend").json["settings"]["embed_origins"] == origins


def test_a_put_that_meets_a_concurrent_create_of_the_same_tenant_is_an_update(product: Product, stack: Any) -> None:
    from chalicelib.platform import tenants as platform_tenants
    from chalicelib.service import RequestInfo

    product.org("org-race", name="First")
    caller, _ = keys.authenticate_caller(stack.svc, {"authorization": f"Bearer {product.key}"})
    # WHEN a PUT that read no tenant (before the other PUT's create committed) goes on to create it
    status, shown = platform_tenants.put_tenant(stack.svc, caller, "org-race", None, {**ORG, "name": "Second"},
                                                RequestInfo(request_id="test"))
    # THEN it is an update of the tenant the other PUT made (idempotent), not a 409
    assert (status, shown["name"]) == (200, "Second")
    assert product.call("GET", "/v1/tenants/org-race").json["name"] == "Second"


def test_a_tenant_put_takes_back_what_its_get_shows_embed_origins_included(product: Product) -> None:
    shown = product.org(settings={"embed_origins": ["https://app.example.com"]})
    assert shown["settings"]["embed_origins"] == ["https://app.example.com"]
    # WHEN the product PUTs back what it read: nothing changes, nothing is refused
    again = product.call("PUT", "/v1/tenants/org-1", body={"name": shown["name"], "plan": shown["plan"],
                                                           "settings": shown["settings"]})
    assert again.status == 200 and again.json["settings"] == shown["settings"], again
    # AND a PATCH changes the origins (and only them), as PATCH /v1/tenant acting for it does
    moved = product.call("PATCH", "/v1/tenants/org-1", body={"settings": {"embed_origins": ["https://b.example.com"]}})
    assert moved.status == 200 and moved.json["settings"]["embed_origins"] == ["https://b.example.com"]
    assert product.call("GET", "/v1/tenant", "org-1").json["settings"]["embed_origins"] == ["https://b.example.com"]
    assert product.call("PATCH", "/v1/tenants/org-1", body={"settings": {"embed_origins": ["ftp://x"]}}).status == 422


@pytest.mark.parametrize("body, field", [
    ({"name": "Globex"}, "plan"),
    ({"plan": "team"}, "name"),
    ({**ORG, "plan": "platinum"}, "plan"),
    ({**ORG, "colour": "red"}, "colour"),
    ({**ORG, "overrides": {"links_per_resource": -1}}, "overrides.links_per_resource"),
    ({**ORG, "overrides": {"links": 3}}, "overrides.links"),
    ({**ORG, "overrides": []}, "overrides"),
    ({**ORG, "settings": {"token_display": "sometimes"}}, "settings.token_display"),
    ({**ORG, "settings": {"default_expires_in": "30d", "max_expires_in": "7d"}}, "settings.default_expires_in"),
    ({**ORG, "branding": {"accent_color": "red"}}, "branding.accent_color"),
    ({**ORG, "branding": {"token_display": "once"}}, "branding.token_display"),
    ({**ORG, "name": ""}, "name"),
])
def test_bad_input_is_422_naming_the_field_and_leaves_nothing(product: Product, stack: Any, body: Dict[str, Any],
                                                               field: str) -> None:
    reply = product.call("PUT", "/v1/tenants/org-1", body=body)
    assert reply.status == 422, reply
    assert field in [d["field"] for d in reply.json["error"]["details"]], reply.json
    # THEN no tenant, no key, no namespace entry, no audit event
    assert stored_tenant(stack, product, "org-1") is None
    assert product.call("GET", "/v1/tenants").json["items"] == []
    tenant_id = tenant_id_in(product.item.namespace_key, "org-1")
    assert list(AuditEvent.query(AuditEvent.partition(tenant_id))) == []


@pytest.mark.parametrize("tenant_id", ["has space", "x" * 129, "slash%2Fin", "ümlaut"])
def test_a_malformed_tenant_id_is_422(product: Product, tenant_id: str) -> None:
    reply = product.call("PUT", f"/v1/tenants/{tenant_id}", body=ORG)
    assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == "tenant_id", reply
    assert product.call("GET", f"/v1/tenants/{tenant_id}").status == 422


def test_a_first_key_for_a_tenant(product: Product) -> None:
    product.org()
    made = product.call("POST", "/v1/tenants/org-1/api-keys", actor="user:setup", body={"name": "Globex admin"})
    assert made.status == 201 and made.json["role"] == "admin" and made.json["created_by"].startswith("pkey_")
    own = product.api.get("/v1/tenant", key=made.json["key"])
    assert own.status == 200 and own.json["name"] == "Globex"
    viewer = product.call("POST", "/v1/tenants/org-1/api-keys", body={"name": "ro", "role": "viewer"}).json
    assert product.api.post("/v1/api-keys", key=viewer["key"], body={"name": "x", "role": "admin"}).status == 403
    assert product.call("POST", "/v1/tenants/org-1/api-keys", body={"role": "root"}).status == 422
    assert product.call("POST", "/v1/tenants/nobody/api-keys", body={}).status == 404


def test_the_namespaces_plans(product: Product, stack: Any) -> None:
    listed = product.call("GET", "/v1/plans").json["items"]
    assert [(p["name"], p["source"]) for p in listed] == [("free", "builtin"), ("team", "builtin"),
                                                           ("enterprise", "builtin")]
    made = product.call("PUT", "/v1/plans/growth", body={"limits": {"links_per_resource": 20, "shared_resources": None}})
    assert made.status == 201 and made.json["limits"]["links_per_resource"] == 20
    assert made.json["limits"]["shared_resources"] is None and made.json["limits"]["api_requests_per_min"] == 300
    tenant = product.org(plan="growth", overrides={"api_requests_per_min": 900})
    assert tenant["limits"]["links_per_resource"] == 20 and tenant["limits"]["api_requests_per_min"] == 900
    # WHEN the plan changes THEN its tenants' limits follow (their overrides stay)
    changed = product.call("PUT", "/v1/plans/growth", body={"limits": {"links_per_resource": 40}})
    assert changed.status == 200 and changed.json["tenants_updated"] == 1
    now = product.call("GET", "/v1/tenants/org-1").json["limits"]
    assert now["links_per_resource"] == 40 and now["api_requests_per_min"] == 900
    # AND the same PUT again has nothing left to write (a PUT cut short is finished by sending it again)
    assert product.call("PUT", "/v1/plans/growth", body={"limits": {"links_per_resource": 40}}).json["tenants_updated"] == 0
    # AND another namespace neither sees nor uses it
    other = Product(stack)
    assert [p["name"] for p in other.call("GET", "/v1/plans").json["items"]] == ["free", "team", "enterprise"]
    refused = other.call("PUT", "/v1/tenants/org-1", body={"name": "x", "plan": "growth"})
    assert refused.status == 422 and refused.json["error"]["details"][0]["field"] == "plan"
    # AND built-in names and bad limits are refused
    assert product.call("PUT", "/v1/plans/team", body={"limits": {}}).status == 422
    bad = product.call("PUT", "/v1/plans/gold", body={"limits": {"links_per_resource": "many"}})
    assert bad.status == 422 and bad.json["error"]["details"][0]["field"] == "limits.links_per_resource"
    assert [p["name"] for p in product.call("GET", "/v1/plans").json["items"]][-1] == "growth"


def test_the_tenant_list_pages(product: Product) -> None:
    for n in range(5):
        product.org(f"org-{n}")
    first = product.call("GET", "/v1/tenants?limit=2").json
    second = product.call("GET", f"/v1/tenants?limit=2&cursor={first['next_cursor']}").json
    assert [t["id"] for t in first["items"] + second["items"]] == ["org-0", "org-1", "org-2", "org-3"]
    other = Product(product.stack)
    foreign = other.call("GET", f"/v1/tenants?cursor={first['next_cursor']}")
    assert foreign.status == 422 and foreign.json["error"]["details"][0]["field"] == "cursor"
