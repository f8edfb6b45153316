"""The platform API through the stream consumer: usage per day (views and links created, one write
per tenant per batch, counted once), and actors in webhook payloads."""
from __future__ import annotations

from typing import Any, Dict, List

from chalicelib.platform import keys, usage
from chalicelib.storage.models import TenantDay
from tests.stream.kit import open_link, register

DOC = {"type": "monitor", "name": "Checkout", "document": {"status": "up"}}


def platform(api: Any, svc: Any, *tenant_ids: str) -> Dict[str, Any]:
    """A product's platform key and its tenants."""
    _, key = keys.create_key(svc, name="backend", namespace="stream-ns")
    for tenant_id in tenant_ids:
        assert api.put(f"/v1/tenants/{tenant_id}", key=key, body={"name": tenant_id, "plan": "team"}).status == 201
    return {"key": key}


def acting(tenant_id: str, actor: str | None = None) -> Dict[str, str]:
    return {"Keyhole-Tenant": tenant_id, **({"Keyhole-Actor": actor} if actor else {})}


def link(api: Any, key: str, tenant_id: str, actor: str | None = None) -> Dict[str, Any]:
    assert api.put("/v1/resources/r1", key=key, headers=acting(tenant_id), body=DOC).status in (200, 201)
    reply = api.post("/v1/resources/r1/links", key=key, headers=acting(tenant_id, actor), body={})
    assert reply.status == 201, reply
    return reply.json


def days(api: Any, key: str, tenant_id: str) -> List[Dict[str, Any]]:
    reply = api.get(f"/v1/tenants/{tenant_id}/usage", key=key)
    assert reply.status == 200, reply
    assert len(reply.json["days"]) == 90
    return [d for d in reply.json["days"] if d["views"] or d["links_created"]]


def test_usage_counts_views_and_links_per_day_once_per_tenant_per_batch(app_client: Any, svc: Any,
                                                                         stream: Any) -> None:
    api = app_client
    product = platform(api, svc, "org-a", "org-b")
    key = product["key"]
    # GIVEN two tenants' links, opened 3 and 1 times, and a 304 poll (not a view)
    a1, a2, b1 = link(api, key, "org-a"), link(api, key, "org-a"), link(api, key, "org-b")
    for token in (a1["token"], a1["token"], a2["token"], b1["token"]):
        assert open_link(api, token).status == 200
    etag = open_link(api, a1["token"]).headers["etag"]
    assert open_link(api, a1["token"], headers={"if-none-match": etag}).status == 304
    # WHEN the consumer takes the stream (one batch)
    records = stream.records()
    assert stream.handle(records) == {"batchItemFailures": []}
    # THEN each tenant's day has its views and links; the poll is not a view
    today = svc.clock.now().date().isoformat()
    assert days(api, key, "org-a") == [{"date": today, "views": 4, "links_created": 2}]
    assert days(api, key, "org-b") == [{"date": today, "views": 1, "links_created": 1}]
    totals = api.get("/v1/tenants/org-a/usage", key=key).json["totals"]
    assert totals == {"views": 4, "links_created": 2}
    # AND the same batch delivered again (Lambda's at-least-once) adds no view: only views the
    # consumer counts first on their link's counter count in usage
    assert stream.handle(records) == {"batchItemFailures": []}
    assert [d["views"] for d in days(api, key, "org-a")] == [4]
    assert [d["views"] for d in days(api, key, "org-b")] == [1]
    # AND a batch writes one day item per tenant
    views = {r["dynamodb"]["SequenceNumber"] for r in records if r["dynamodb"]["Keys"]["pk"]["S"].startswith("ACCESS#")}
    assert usage.count_batch(svc, records, [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}]) == 0
    assert usage.count_batch(svc, records, [{"itemIdentifier": records[0]["dynamodb"]["SequenceNumber"]}], views) == 2
    assert [d["views"] for d in days(api, key, "org-a")] == [8]


def test_views_count_in_usage_when_their_link_counts_them_and_links_before_the_first_failure(
        svc: Any, app_client: Any, stream: Any) -> None:
    api = app_client
    key = platform(api, svc, "org-c")["key"]
    token = link(api, key, "org-c")["token"]
    for _ in range(3):
        assert open_link(api, token).status == 200
    records = [r for r in stream.records() if r["dynamodb"]["Keys"]["pk"]["S"].startswith("ACCESS#")]
    assert len(records) == 3
    sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
    # WHEN the batch counted all three views on the link's counter but reports its second record
    # failed (its webhook deliveries were not enqueued, say)
    assert usage.count_batch(svc, records, [{"itemIdentifier": sequences[1]}], set(sequences)) == 1
    # THEN all three count now; the retry (from the failed record on) counts none of them again
    assert usage.count_batch(svc, records[1:], [], set()) == 0
    today = svc.clock.now().date().isoformat()
    item = svc.store.get(TenantDay, TenantDay.key(api.get("/v1/tenants/org-c", key=key).json["keyhole_id"], today))
    assert item is not None and int(item.views) == 3


def test_webhook_payloads_carry_the_actor(app_client: Any, svc: Any, stream: Any, receiver: Any) -> None:
    api = app_client
    key = platform(api, svc, "org-w")["key"]
    reply = api.post("/v1/webhooks", key=key, headers=acting("org-w"), body={"url": receiver.url})
    assert reply.status == 201, reply
    receiver.secret = reply.json["secret"]
    made = link(api, key, "org-w", actor="user:alice")
    assert api.delete(f"/v1/links/{made['id']}", key=key, headers=acting("org-w", "user:bob")).status == 204
    stream.consume()
    (created,) = receiver.payloads("share.created")
    (revoked,) = receiver.payloads("share.revoked")
    key_id = made["created_by"]["key_id"]
    assert created["data"]["created_by"] == {"key_id": key_id, "actor": "user:alice"}
    assert revoked["data"]["revoked_by"] == {"key_id": key_id, "actor": "user:bob"}
    assert "created_by_actor" not in created["data"] and made["token"] not in str(receiver.payloads())


def test_register_helper_still_works_for_a_tenants_own_key(app_client: Any, svc: Any, stream: Any,
                                                          receiver: Any) -> None:
    """A tenant's own key's links carry `{key_id, actor: null}` in payloads."""
    api = app_client
    key = platform(api, svc, "org-k")["key"]
    admin = api.post("/v1/tenants/org-k/api-keys", key=key, body={}).json
    register(api, admin["key"], receiver, events=["share.created"])
    assert api.put("/v1/resources/r1", key=admin["key"], body=DOC).status == 201
    made = api.post("/v1/resources/r1/links", key=admin["key"], body={}).json
    stream.consume()
    (created,) = receiver.payloads("share.created")
    assert created["data"]["created_by"] == {"key_id": admin["id"], "actor": None} == made["created_by"]


def test_a_tenant_no_platform_manages_keeps_no_usage(app_client: Any, svc: Any, stream: Any) -> None:
    """A tenant ops created has no usage route: its views and links are not flagged `daily`, and a
    batch of them writes no usage item (a rarely viewed link pays no extra write per view)."""
    from chalicelib.tenancy import tenants

    _, admin = tenants.create_tenant(svc, name="Ops-made", plan="team")
    api = app_client
    assert api.put("/v1/resources/r1", key=admin, body=DOC).status == 201
    token = api.post("/v1/resources/r1/links", key=admin, body={}).json["token"]
    assert open_link(api, token).status == 200
    records = stream.records()
    assert [r for r in records if "daily" in r["dynamodb"].get("NewImage", {})] == []
    assert usage.count_batch(svc, records, []) == 0
    # AND a platform tenant's view and link are flagged, and counted
    key = platform(api, svc, "org-d")["key"]
    opened = open_link(api, link(api, key, "org-d")["token"])
    assert opened.status == 200
    flagged = [r for r in stream.records() if r["dynamodb"].get("NewImage", {}).get("daily") == {"BOOL": True}]
    assert {r["dynamodb"]["Keys"]["pk"]["S"].split("#")[0] for r in flagged} == {"ACCESS", "LINK"}
