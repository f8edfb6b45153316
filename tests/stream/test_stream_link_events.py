"""Link changes become share.* webhooks and (for system-driven changes) audit events."""
from __future__ import annotations

import boto3

from chalicelib.credentials.tokens import sha256_hex

from tests.stream.kit import as_ttl_removal, open_link, register, share


def _audit(api, key, action):
    return [e for e in api.get("/v1/audit", key=key).json["items"] if e["action"] == action]


def test_a_ttl_deletion_becomes_share_expired_once(app_client, tenant, stream, receiver, svc, aws):
    api, key = app_client, tenant["admin"]
    # GIVEN a link that expires in an hour, and an endpoint for share.expired
    register(api, key, receiver, events=["share.expired"])
    link = share(api, key, expires_in="1h")
    stream.consume()
    assert api.get("/v1/tenant", key=key).json["usage"]["active_links"] == 1
    # WHEN two hours pass and DynamoDB's TTL deletes the capability item (moto never deletes by TTL:
    # the item is deleted and its real REMOVE record is given TTL's userIdentity, as AWS documents)
    svc.clock.advance(2 * 3600)
    boto3.client("dynamodb", region_name="us-east-1").delete_item(
        TableName=aws["TableName"], Key={"pk": {"S": f"CAP#{sha256_hex(link['token'])}"}, "sk": {"S": "CAP"}})
    (removal,) = stream.records()
    batch = [as_ttl_removal(removal)]
    assert stream.handle(batch) == {"batchItemFailures": []}
    # AND the records that handling wrote (the slot freed on the link record) are consumed too,
    # and the TTL record arrives a second time
    stream.consume()
    assert stream.handle(batch) == {"batchItemFailures": []}

    # THEN the link's slot is free, the link reads as expired,
    tenant_view = api.get("/v1/tenant", key=key).json
    assert tenant_view["usage"]["active_links"] == 0 and tenant_view["usage"]["shared_resources"] == 0
    assert api.get(f"/v1/links/{link['id']}", key=key).json["status"] == "expired"
    # AND one system audit event and one signed share.expired delivery record the expiry
    (expired,) = _audit(api, key, "link.expired")
    assert expired["actor"]["type"] == "system" and expired["target_id"] == link["id"]
    (payload,) = receiver.payloads("share.expired")
    assert payload["data"]["link_id"] == link["id"] and payload["data"]["expires_at"] == link["expires_at"]
    assert len(receiver.requests) == 1


def test_a_revocation_removal_is_not_an_expiry(app_client, tenant, stream, receiver):
    api, key = app_client, tenant["admin"]
    # GIVEN an endpoint for every event and a link
    register(api, key, receiver)
    link = share(api, key)
    # WHEN the link is revoked (its capability item is deleted by the API, not by TTL)
    assert api.delete(f"/v1/links/{link['id']}", key=key).status == 204
    stream.consume()
    # THEN the endpoint heard share.created and share.revoked, never share.expired
    assert sorted(p["type"] for p in receiver.payloads()) == ["share.created", "share.revoked"]
    (revoked,) = receiver.payloads("share.revoked")
    assert revoked["data"]["link_id"] == link["id"] and revoked["data"]["revoked_at"]
    assert link["token"] not in str(receiver.payloads())
    # AND the revocation is audited once, by the admin action itself (not again by the consumer)
    assert len(_audit(api, key, "link.revoked")) == 1
    assert _audit(api, key, "link.expired") == []


def test_a_reclaimed_expired_slot_announces_share_expired(app_client, tenant, stream, receiver, svc):
    from chalicelib.links import links

    api, key = app_client, tenant["admin"]
    # GIVEN an expired link whose slot is reclaimed before TTL removes anything
    register(api, key, receiver, events=["share.expired"])
    link = share(api, key, expires_in="1h")
    stream.consume()
    svc.clock.advance(3601)
    assert links.reclaim_tenant(svc, tenant["id"]) == 1
    # WHEN the consumer processes the link record's change
    stream.consume()
    # THEN share.expired is delivered once and audited once
    assert [p["data"]["link_id"] for p in receiver.payloads("share.expired")] == [link["id"]]
    assert len(_audit(api, key, "link.expired")) == 1


def test_using_the_last_view_exhausts_the_link_at_once(app_client, tenant, stream, receiver):
    api, key = app_client, tenant["admin"]
    # GIVEN a link limited to one view and an endpoint for share.exhausted
    register(api, key, receiver, events=["share.exhausted"])
    link = share(api, key, max_views=1)
    stream.consume()
    # WHEN its one view is used and the consumer catches up
    assert open_link(api, link["token"], method="POST").status == 200
    stream.consume()  # the capability reached max_views: the link is marked exhausted
    stream.consume()  # the link record's change: share.exhausted
    # THEN its slot is free, it reads as exhausted with one view, and the endpoint heard about it
    assert api.get("/v1/tenant", key=key).json["usage"]["active_links"] == 0
    shown = api.get(f"/v1/links/{link['id']}", key=key).json
    assert shown["status"] == "exhausted" and shown["view_count"] == 1
    assert [p["data"]["link_id"] for p in receiver.payloads("share.exhausted")] == [link["id"]]
    assert len(_audit(api, key, "link.exhausted")) == 1
