"""What acting for a tenant costs, asserted on the request sequence (not on time): a platform key
with `Keyhole-Tenant` makes the very requests the tenant's own key makes (its key and the tenant
ride in one BatchGetItem with what the route reads), and a platform route reads the key and the
tenant it names in one. `make bench` prices the same requests (bench/bench.py, "acting")."""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Tuple

import pytest

from chalicelib.platform import keys

Call = Tuple[str, Dict[str, Any]]
DOC = {"type": "doc", "name": "R1", "document": {"a": 1}}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[Call]]:
    """Every DynamoDB call below Keyhole (botocore), as (operation, parameters)."""
    from botocore.client import BaseClient

    recorded: List[Call] = []
    original = BaseClient._make_api_call

    def recording(client: Any, operation: str, params: Dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            recorded.append((operation, params))
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    yield recorded


def shape(calls: List[Call]) -> List[Tuple[Any, ...]]:
    """Operations, key counts per table, consistency; writes by table and expression."""
    out: List[Tuple[Any, ...]] = []
    for operation, params in calls:
        if operation == "BatchGetItem":
            out.append((operation, tuple(sorted((table, len(r["Keys"]), bool(r.get("ConsistentRead")))
                                                for table, r in params["RequestItems"].items()))))
        elif operation in ("UpdateItem", "PutItem", "DeleteItem"):
            out.append((operation, params["TableName"], params.get("UpdateExpression")))
        else:
            out.append((operation,))
    return out


def test_acting_for_a_tenant_reads_what_its_own_key_reads(app_client: Any, svc: Any, calls: List[Call]) -> None:
    # GIVEN a product's tenant, its own admin key, a resource and a link
    _, platform_key = keys.create_key(svc, name="backend", namespace="work")
    api = app_client
    assert api.put("/v1/tenants/org-1", key=platform_key, body={"name": "Org", "plan": "team"}).status == 201
    own = api.post("/v1/tenants/org-1/api-keys", key=platform_key, body={}).json["key"]
    assert api.put("/v1/resources/r1", key=own, body=DOC).status == 201
    link = api.post("/v1/resources/r1/links", key=own, body={}).json
    acting = {"Keyhole-Tenant": "org-1", "Keyhole-Actor": "user:1"}
    for method, path, body in [("GET", "/v1/tenant", None), ("GET", f"/v1/links/{link['id']}", None),
                               ("GET", "/v1/resources/r1", None), ("PATCH", f"/v1/links/{link['id']}", {"label": "x"}),
                               ("GET", "/v1/links?status=all", None)]:
        # WHEN the same request is sent with the tenant's key and by the platform key acting for it
        work = []
        for key, headers in ((own, {}), (platform_key, acting)):
            calls.clear()
            reply = api.call(method, path, key=key, body=body, headers=headers)
            assert reply.status == 200, (method, path, reply)
            work.append(shape(calls))
        # THEN both make the same requests: one BatchGetItem of the credential, the tenant and the
        # route's items, the same rate-limit window update, the same operation
        assert work[0] == work[1], (method, path, work)
        first = work[1][0]
        assert first[0] == "BatchGetItem" and sum(n for _, n, _ in first[1]) >= 2


def test_a_platform_route_reads_its_key_and_tenant_in_one_read(app_client: Any, svc: Any, calls: List[Call]) -> None:
    """The platform key, the tenant and the tenant's embed origins (an item of its own, shown in its
    settings): three keys, one BatchGetItem."""
    _, platform_key = keys.create_key(svc, name="backend", namespace="work2")
    assert app_client.put("/v1/tenants/org-9", key=platform_key, body={"name": "Org", "plan": "team"}).status == 201
    calls.clear()
    assert app_client.get("/v1/tenants/org-9", key=platform_key).status == 200
    work = shape(calls)
    assert work[0] == ("BatchGetItem", (("keyhole-test", 3, True),))
    assert [step[0] for step in work] == ["BatchGetItem", "UpdateItem"]


def test_imported_tokens_cost_what_the_design_says(app_client: Any, svc: Any, calls: List[Call], clock: Any) -> None:
    """Dead: the very work of any dead token (one read of two keys, the address's window); live: one
    read more, of the viewer head its capability names (docs/design.md, "What a view costs")."""
    import base64
    import secrets

    api = app_client
    _, platform_key = keys.create_key(svc, name="backend", namespace="work3")
    assert api.put("/v1/tenants/org", key=platform_key, body={"name": "Org", "plan": "team", "settings": {
        "allow_imported_tokens": True}}).status == 201
    admin = api.post("/v1/tenants/org/api-keys", key=platform_key, body={}).json["key"]
    assert api.put("/v1/resources/r1", key=admin, body=DOC).status == 201

    def imported(**body: Any) -> Dict[str, Any]:
        reply = api.post("/v1/resources/r1/links", key=admin, body={"import_token": secrets.token_hex(8), **body})
        assert reply.status == 201, reply
        return reply.json

    live, revoked = imported(), imported()
    assert api.delete(f"/v1/links/{revoked['id']}", key=admin).status == 204
    expired, exhausted = imported(expires_in="1m"), imported(max_views=1)
    paused = imported()
    assert api.patch(f"/v1/links/{paused['id']}", key=admin, body={"paused": True}).status == 200
    assert api.post(f"/share/{exhausted['token']}/data", headers={"x-forwarded-for": "198.51.100.7"}).status == 200
    minted = api.post("/v1/resources/r1/links", key=admin, body={}).json["token"]
    raw = base64.urlsafe_b64decode(minted + "=" * (-len(minted) % 4))
    unknown_keyhole = base64.urlsafe_b64encode(secrets.token_bytes(32) + raw[32:]).decode().rstrip("=")
    clock.advance(120)
    api.get(f"/share/{live['token']}/data", headers={"x-forwarded-for": "198.51.100.8"})  # the tenant is cached
    work = {}
    for kind, token in {"unknown (Keyhole's shape)": unknown_keyhole, "unknown (imported shape)": secrets.token_hex(8),
                        "revoked": revoked["token"], "expired": expired["token"],
                        "exhausted": exhausted["token"], "paused": paused["token"]}.items():
        calls.clear()
        assert api.get(f"/share/{token}/data", headers={"x-forwarded-for": "198.51.100.9"}).status == 404, kind
        work[kind] = shape(calls)
    assert all(w == work["unknown (Keyhole's shape)"] for w in work.values()), work
    assert [step[0] for step in work["revoked"]] == ["BatchGetItem", "UpdateItem"]
    assert work["revoked"][0][1] == (("keyhole-test", 2, True),)
    # WHEN a live imported token is viewed THEN one more read: the viewer head its capability names
    calls.clear()
    assert api.get(f"/share/{live['token']}/data", headers={"x-forwarded-for": "198.51.100.10"}).status == 200
    reads = [step for step in shape(calls) if step[0] == "BatchGetItem"]
    assert reads == [("BatchGetItem", (("keyhole-test", 2, True),)), ("BatchGetItem", (("keyhole-test", 1, True),))]
    assert {step[0] for step in shape(calls)} == {"BatchGetItem", "UpdateItem", "PutItem"}


def test_introspecting_another_tenants_imported_token_costs_what_an_unknown_token_costs(
        app_client: Any, svc: Any, calls: List[Call]) -> None:
    """Introspection's {"active": false} is the same answer and the same work for another tenant's
    live imported link as for a token naming nothing: no second read of the link's viewer head."""
    import secrets

    api = app_client
    _, platform_key = keys.create_key(svc, name="backend", namespace="work4")
    admins = {}
    for tenant in ("org-a", "org-b"):
        assert api.put(f"/v1/tenants/{tenant}", key=platform_key, body={"name": tenant, "plan": "team", "settings": {
            "allow_imported_tokens": True}}).status == 201
        admins[tenant] = api.post(f"/v1/tenants/{tenant}/api-keys", key=platform_key, body={}).json["key"]
        assert api.put("/v1/resources/r1", key=admins[tenant], body=DOC).status == 201
    theirs = api.post("/v1/resources/r1/links", key=admins["org-b"], body={"import_token": secrets.token_hex(8)}).json
    ours = api.post("/v1/resources/r1/links", key=admins["org-a"], body={"import_token": secrets.token_hex(8)}).json
    key = api.post("/v1/api-keys", key=admins["org-a"], body={"name": "dash", "role": "introspect"}).json["key"]

    def introspect(token: str) -> Any:
        calls.clear()
        reply = api.post("/v1/introspect", key=key, body={"token": token})
        assert reply.status == 200, reply
        return reply.json, shape(calls)

    assert introspect(ours["token"])[0]["active"] is True  # the key and the tenant are cached now
    unknown, foreign = introspect(secrets.token_hex(8)), introspect(theirs["token"])
    # THEN both are {"active": false}, from the very same requests: one read, the key's window
    assert unknown[0] == foreign[0] == {"active": False}
    assert foreign[1] == unknown[1], (foreign[1], unknown[1])
    assert [step[0] for step in unknown[1]] == ["BatchGetItem", "UpdateItem"]
    # AND the caller's own live imported token still reads its viewer head (the second read)
    assert [step[0] for step in introspect(ours["token"])[1]].count("BatchGetItem") == 2
