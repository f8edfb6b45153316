"""`opscli stream replay` against the local stack: records the consumer gave up on (sent to the
stream-failure queue by the pump, as Lambda's on-failure destination would) are read back from
the stream and handed to the consumer again, idempotently.

The failure is a real one: the link's counter item was broken by hand while its views arrive (its
count is not a number, so DynamoDB refuses every write of it), so the pump retries and then gives
up on each view record. Ops remove the broken item and replay."""
from __future__ import annotations

import json
from typing import Any, Dict, Iterator, List

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.ops import replay as replay_tool
from chalicelib.links import viewcounts
from devstack.pump import Pump, StreamReader, failure_notice, sequence_of
from tests.ops.kit import HttpApi, run_cli
from tests.support import fresh_ip, make_link, make_tenant

pytestmark = pytest.mark.http


@pytest.fixture
def app_on_stack(stack: Any) -> Iterator[Any]:
    """The Lambda handlers in this process, with the stack's service (as the pump test does)."""
    import app as app_module

    app_module.use_service(stack.svc)
    yield app_module
    app_module.use_service(None)


@pytest.fixture
def aws(stack: Any) -> Dict[str, Any]:
    session = boto3.Session(region_name="us-east-1")
    sqs = session.client("sqs", endpoint_url=stack.aws_endpoint)
    streams = session.client("dynamodbstreams", endpoint_url=stack.aws_endpoint)
    queue = sqs.get_queue_url(QueueName=f"{stack.svc.settings.table_name}-stream-failures")["QueueUrl"]
    while True:  # start empty (PurgeQueue is allowed once a minute)
        found = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not found:
            break
        for message in found:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
    return {"sqs": sqs, "streams": streams, "queue": queue}


def _messages(aws: Dict[str, Any]) -> List[Dict[str, Any]]:
    """What is on the queue (read, then made visible again)."""
    found = aws["sqs"].receive_message(QueueUrl=aws["queue"], MaxNumberOfMessages=10, VisibilityTimeout=0)
    return found.get("Messages", [])


def test_replay_counts_what_the_consumer_gave_up_on_once_however_often_it_runs(stack, app_on_stack, aws):
    http = HttpApi(stack.api_url)
    svc = stack.svc
    t = make_tenant(svc, http, name="Replay Co")
    link = make_link(http, t.operator, t.resource_id)
    reader = StreamReader(aws["streams"], stack.outputs["TableStreamArn"])
    pump = Pump(reader, app_on_stack.stream_consumer, max_retries=1, out=lambda line: None,
                on_give_up=lambda shard, record, attempts: aws["sqs"].send_message(
                    QueueUrl=aws["queue"],
                    MessageBody=json.dumps(failure_notice(reader.stream_arn, shard, record, attempts))))
    reader.read_all()  # start after what was written so far (the stack is shared by this package)

    # GIVEN the link's view counters are broken by a manual mistake (a count that is not a number,
    # so counting fails) while two views arrive
    table = svc.store.client
    counters = {"TableName": svc.settings.counters_table_name, "Key": {"pk": {"S": f"LV#{link['id']}"}}}
    table.put_item(TableName=counters["TableName"], Item={**counters["Key"], "view_count": {"S": "oops"}})
    ip = fresh_ip()
    for _ in range(2):
        assert http.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status == 200
    # AND the pump gives up on both view records after its retries: two notices on the queue
    for _ in range(12):
        pump.poll()
    notices = _messages(aws)
    assert len(notices) == 2, notices
    batch_info = [json.loads(m["Body"])["DDBStreamBatchInfo"] for m in notices]
    view_sequences = sorted((b["startSequenceNumber"] for b in batch_info), key=int)

    # WHEN ops remove the broken item, check what replay would do, then replay
    table.delete_item(**counters)
    planned = run_cli(stack.env, "stream", "replay", "--dry-run")
    assert planned.code == 0, planned.stderr
    assert sorted(r["status"] for r in planned.json) == ["planned", "planned"]
    assert viewcounts.read(svc.store, [link["id"]])[link["id"]].view_count == 0
    assert len(_messages(aws)) == 2  # a dry run leaves the messages, visible at once
    # (the same notice twice, and one naming the whole range of both views: all idempotent)
    aws["sqs"].send_message(QueueUrl=aws["queue"], MessageBody=notices[0]["Body"])
    whole = json.loads(notices[0]["Body"])
    whole["DDBStreamBatchInfo"].update(startSequenceNumber=view_sequences[0], endSequenceNumber=view_sequences[1],
                                       batchSize=2)
    aws["sqs"].send_message(QueueUrl=aws["queue"], MessageBody=json.dumps(whole))
    done = run_cli(stack.env, "stream", "replay")

    # THEN every message was replayed and deleted, and the link counts each view exactly once
    assert done.code == 0, done.stderr
    assert [r["status"] for r in done.json] == ["replayed"] * 4 and all(r["deleted"] for r in done.json)
    assert sum(r["records"] for r in done.json) >= 5  # 1 + 1 + 1 + (2 views and whatever lies between)
    counted = viewcounts.read(svc.store, [link["id"]])[link["id"]]
    assert counted.view_count == 2 and counted.last_accessed_at
    logs = http.get(f"/v1/links/{link['id']}/access-logs", key=t.viewer).json["items"]
    assert len(logs) == 2
    assert _messages(aws) == []
    # AND replaying again finds nothing to do
    again = run_cli(stack.env, "stream", "replay")
    assert again.code == 0 and again.json == []
    assert "0 message(s) read" in again.stderr


def test_messages_that_cannot_be_replayed_stay_on_the_queue(stack, app_on_stack, aws):
    svc = stack.svc
    reader = StreamReader(aws["streams"], stack.outputs["TableStreamArn"])
    last = reader.read_all()
    shard = reader.shards()[0]
    end = int(sequence_of(last[-1])) if last else 1
    # a message that is not an on-failure record, and one naming a range the stream does not hold
    aws["sqs"].send_message(QueueUrl=aws["queue"], MessageBody="not json")
    beyond = failure_notice(reader.stream_arn, shard, {"dynamodb": {"SequenceNumber": str(end + 10**9)}}, 6)
    aws["sqs"].send_message(QueueUrl=aws["queue"], MessageBody=json.dumps(beyond))
    done = run_cli(stack.env, "stream", "replay")
    assert done.code == 3, done.stderr  # something needs attention
    assert sorted(r["status"] for r in done.json) == ["expired", "unreadable"]
    assert not any(r["deleted"] for r in done.json)
    assert len(_messages(aws)) == 2  # both still there, visible again
    # WHEN ops drop what the stream no longer holds: the expired one goes, the unreadable one stays
    dropped = run_cli(stack.env, "stream", "replay", "--drop-expired")
    assert {r["status"]: r["deleted"] for r in dropped.json} == {"expired": True, "unreadable": False}
    left = _messages(aws)
    assert [m["Body"] for m in left] == ["not json"]
    _ = svc


def test_a_range_past_the_streams_retention_is_reported_as_expired():
    """moto never trims its streams; DynamoDB answers GetShardIterator for a trimmed sequence
    number with TrimmedDataAccessException. A botocore Stubber on a real client plays that answer."""
    streams = boto3.client("dynamodbstreams", region_name="us-east-1", aws_access_key_id="x",
                           aws_secret_access_key="y")
    notice = replay_tool.FailureNotice.parse({"MessageId": "m1", "ReceiptHandle": "r1", "Body": json.dumps(
        failure_notice("arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000",
                       "shardId-00000001700000000000-abcdef12",
                       {"dynamodb": {"SequenceNumber": "100000000000000000001"}}, 6))})
    with Stubber(streams) as stub:
        stub.add_client_error("get_shard_iterator", service_error_code="TrimmedDataAccessException",
                              service_message="trimmed")
        with pytest.raises(replay_tool.RangeExpired):
            replay_tool.read_range(streams, notice)
