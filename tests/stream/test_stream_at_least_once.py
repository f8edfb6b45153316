"""At-least-once delivery: duplicated batches, a failing record among good ones, poison records."""
from __future__ import annotations

import boto3

from devstack.pump import Pump, StreamReader
from tests.stream.kit import open_link, register, sequences, share


def _link(api, key, link_id):
    return api.get(f"/v1/links/{link_id}", key=key).json


def _audit_actions(api, key):
    return [e["action"] for e in api.get("/v1/audit", key=key).json["items"]]


def test_a_duplicated_batch_changes_nothing_twice(app_client, tenant, stream, receiver):
    api, key = app_client, tenant["admin"]
    # GIVEN a link with a webhook endpoint, opened twice
    link = share(api, key)
    endpoint = register(api, key, receiver)
    for ip in ("192.0.2.1", "192.0.2.2"):
        assert open_link(api, link["token"], ip=ip).status == 200
    records = stream.records()
    # WHEN the same batch reaches the consumer twice
    assert stream.handle(records) == {"batchItemFailures": []}
    once = (_link(api, key, link["id"]), len(receiver.requests), _audit_actions(api, key),
            api.get(f"/v1/webhooks/{endpoint['id']}/deliveries", key=key).json["items"])
    assert stream.handle(records) == {"batchItemFailures": []}
    # THEN counters, deliveries, audit and the delivery log are what one pass made
    twice = (_link(api, key, link["id"]), len(receiver.requests), _audit_actions(api, key),
             api.get(f"/v1/webhooks/{endpoint['id']}/deliveries", key=key).json["items"])
    assert once == twice
    assert once[0]["view_count"] == 2
    assert sorted(p["type"] for p in receiver.payloads()) == ["share.accessed", "share.accessed", "share.created"]


def test_a_failing_record_is_reported_alone_and_the_rest_commits(app_client, tenant, stream, aws):
    api, key = app_client, tenant["admin"]
    table = boto3.client("dynamodb", region_name="us-east-1")
    # GIVEN views of a healthy link, a view of a link whose counters cannot be written (its
    # counter item was corrupted by hand), and an access item the consumer cannot parse, in one batch
    good = share(api, key, "good")
    orphan = share(api, key, "orphan")
    stream.consume()
    assert open_link(api, good["token"], ip="192.0.2.1").status == 200
    assert open_link(api, orphan["token"], ip="192.0.2.2").status == 200
    table.put_item(TableName=aws["CountersTableName"], Item={"pk": {"S": f"LV#{orphan['id']}"},
                                                              "view_count": {"S": "not a number"}})
    table.put_item(TableName=aws["TableName"], Item={"pk": {"S": f"ACCESS#{good['id']}#0"},
                                                      "sk": {"S": "2020-01-01T00:00:00.000Z#acc_poison"},
                                                      "outcome": {"S": "viewed"}})
    assert open_link(api, good["token"], ip="192.0.2.3").status == 200
    records = stream.records()
    orphan_view = next(r for r in records if r["dynamodb"]["Keys"]["pk"]["S"].startswith(f"ACCESS#{orphan['id']}#"))
    poison = next(r for r in records if r["dynamodb"]["Keys"]["sk"]["S"].endswith("#acc_poison"))

    # WHEN the batch is processed
    response = stream.handle(records)

    # THEN exactly those two records are reported, by sequence number
    assert sorted(f["itemIdentifier"] for f in response["batchItemFailures"]) == sorted(
        sequences([orphan_view, poison]))
    # AND the healthy link's views were committed
    assert _link(api, key, good["id"])["view_count"] == 2

    # WHEN Lambda retries from the lowest failed sequence number (already-committed records come again)
    lowest = min(int(f["itemIdentifier"]) for f in response["batchItemFailures"])
    retried = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) >= lowest]
    again = stream.handle(retried)
    # THEN the same two fail again, and nothing is counted twice
    assert again == response
    assert _link(api, key, good["id"])["view_count"] == 2


def test_the_pump_gives_up_on_a_poison_record_after_bounded_retries(app_client, tenant, stream, aws):
    import app as app_module

    api, key = app_client, tenant["admin"]
    table = boto3.client("dynamodb", region_name="us-east-1")
    # GIVEN a poison record (a view, so the mapping's filters let it through, with nothing else a
    # view has) followed by a good view in the stream
    link = share(api, key)
    stream.consume()
    table.put_item(TableName=aws["TableName"], Item={"pk": {"S": "ACCESS#lnk_000000000000000000000000#0"},
                                                      "sk": {"S": "2020-01-01T00:00:00.000Z#acc_bad"},
                                                      "outcome": {"S": "viewed"}})
    assert open_link(api, link["token"]).status == 200
    given_up, lines = [], []
    reader = StreamReader(boto3.client("dynamodbstreams", region_name="us-east-1"), aws["TableStreamArn"])
    reader.checkpoints = dict(stream.reader.checkpoints)
    pump = Pump(reader, app_module.stream_consumer, max_retries=2,
                on_give_up=lambda shard, record, n: given_up.append((record["dynamodb"]["Keys"]["sk"]["S"], n)),
                out=lines.append)
    # WHEN the pump polls until it has nothing left
    polls, delays = 0, []
    while pump.poll() and polls < 10:
        polls += 1
        delays.append(pump.retry_delay)
    # THEN the poison record was tried three times, sent to the failure destination, and skipped,
    # while the good view was counted (once) and the shard moved on
    assert given_up == [("2020-01-01T00:00:00.000Z#acc_bad", 3)]
    assert polls == 3 + 1  # three deliveries of the batch, then the records after the poison one come again
    # and it backed off before each retry (doubling), not after giving up or a clean delivery
    assert delays == [0.5, 1.0, 0.0, 0.0]
    assert api.get(f"/v1/links/{link['id']}", key=key).json["view_count"] == 1
    assert link["token"] not in "\n".join(lines)
