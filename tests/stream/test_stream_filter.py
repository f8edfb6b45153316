"""The event source mapping's filter criteria (infra/chalice-merge.json, applied by post_deploy and by
the devstack pump): only records the consumer acts on invoke it. Filtered records are not billed,
so a TTL removal, a refused view or the consumer's own delivery items cost nothing; a record the
filter dropped must be one the consumer would have done nothing with."""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List

import boto3

from chalicelib.credentials.tokens import sha256_hex
from devstack.pump import StreamFilter, lambda_event
from tests.stream.faults import AwsFaults, access_items
from tests.stream.kit import as_ttl_removal, open_link, register, share


def _kind(record: Dict[str, Any]) -> str:
    keys = record["dynamodb"]["Keys"]
    prefix = keys["pk"]["S"].split("#", 1)[0]
    if prefix == "TENANT":
        prefix += "/" + keys["sk"]["S"].split("#", 1)[0]
    outcome = record["dynamodb"].get("NewImage", {}).get("outcome", {}).get("S")
    ttl = "ttl " if record.get("userIdentity") else ""
    return f"{prefix} {ttl}{record['eventName']}" + (f" {outcome}" if outcome else "")


def test_records_the_filters_drop_are_ones_the_consumer_does_nothing_with(app_client, tenant, stream, receiver, svc,
                                                                          aws):
    api, key = app_client, tenant["admin"]
    # GIVEN a stream with every kind of record a tenant's day makes
    endpoint = register(api, key, receiver)
    link = share(api, key, expires_in="1h")
    limited = share(api, key, "r2", max_views=5)
    token = link["token"]
    first = open_link(api, token)
    open_link(api, token, headers={"if-none-match": first.headers["etag"]})  # a 304: no access event
    open_link(api, token, path="/info")
    assert open_link(api, limited["token"]).status == 409  # confirm_required
    assert open_link(api, limited["token"], method="POST").status == 200  # uses a view
    assert api.patch(f"/v1/links/{link['id']}", key=key, body={"label": "renamed"}).status == 200
    assert api.patch("/v1/resources/r1", key=key, body={"document": {"status": "down"}}).status == 200
    stream.consume()  # the deliveries the consumer wrote are in the stream now, with the rest
    svc.clock.advance(2 * 3600)
    table = boto3.client("dynamodb", region_name="us-east-1")
    table.delete_item(TableName=aws["TableName"], Key={"pk": {"S": f"CAP#{sha256_hex(token)}"}, "sk": {"S": "CAP"}})
    assert api.delete(f"/v1/webhooks/{endpoint['id']}", key=key).status == 204
    # (an access event's retention ends: TTL removes it)
    old = access_items(svc, tenant["id"], link["id"], 1, outcome="info")[0]
    table.put_item(TableName=aws["TableName"], Item=old)
    table.delete_item(TableName=aws["TableName"], Key={"pk": old["pk"], "sk": old["sk"]})
    history = [as_ttl_removal(r) if r["eventName"] == "REMOVE" and r["dynamodb"]["Keys"]["pk"]["S"].split("#")[0] in (
        "CAP", "ACCESS") else r for r in _history(aws)]  # (moto never deletes by TTL: its REMOVEs labelled)
    # WHEN the deployed filters are applied
    keep = StreamFilter.deployed()
    shaped = lambda_event(history, aws["TableStreamArn"])["Records"]
    kept = [r for r, s in zip(history, shaped) if keep.passes(s)]
    dropped = [r for r, s in zip(history, shaped) if not keep.passes(s)]
    # THEN what invokes the consumer is what it acts on
    assert set(Counter(_kind(r) for r in kept)) == {
        "ACCESS INSERT viewed", "LINK INSERT", "LINK MODIFY", "CAP MODIFY", "CAP ttl REMOVE", "TENANT/WH INSERT",
        "TENANT/WH REMOVE"}
    dropped_kinds = set(Counter(_kind(r) for r in dropped))
    for kind in ("ACCESS INSERT info", "ACCESS INSERT confirm_required", "ACCESS ttl REMOVE", "WH INSERT",
                 "WH MODIFY", "AUDIT INSERT", "HEAD INSERT", "TENANT/TENANT MODIFY"):
        assert any(k.startswith(kind) for k in dropped_kinds), (kind, dropped_kinds)
    # AND what the filters drop, handed to the consumer all the same, would have done nothing
    faults = AwsFaults(svc.store.client)
    try:
        seen = len(receiver.requests)
        assert stream.handle(dropped) == {"batchItemFailures": []}
        assert faults.writes == [] and len(receiver.requests) == seen
    finally:
        faults.remove()


def _history(aws: Dict[str, str]) -> List[Dict[str, Any]]:
    """Every record of the table's stream, from the trim horizon."""
    from devstack.pump import StreamReader

    reader = StreamReader(boto3.client("dynamodbstreams", region_name="us-east-1"), aws["TableStreamArn"])
    return reader.read_all()
