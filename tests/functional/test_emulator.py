"""The local stack's DynamoDB emulator (moto server with devstack/moto_patches.py): a cancelled
transaction leaves nothing behind (items and stream), the server's memory stays flat however
many transactions it serves (moto used to keep a copy of every table for every transaction), and
its faster responses carry every attribute exactly as moto's own serializer would."""
from __future__ import annotations

import base64
import json
from typing import Any, Dict, Iterator, List

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.moto_server import MotoServer, moto_server

TABLE = "emulator-test"


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with moto_server(serial=True) as server:
        yield server


@pytest.fixture(scope="module")
def ddb(moto: MotoServer) -> Any:
    client = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=moto.endpoint)
    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "S"}],
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    return client


def _stream_records(moto: MotoServer, ddb: Any) -> List[Dict[str, Any]]:
    streams = boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=moto.endpoint)
    arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    found: List[Dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            found += page["Records"]
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return found


def _item(ddb: Any, pk: str) -> Any:
    return ddb.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": "x"}}, ConsistentRead=True).get("Item")


def _key(pk: str) -> Dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "x"}}


def test_a_cancelled_transaction_leaves_no_item_and_no_stream_record(moto, ddb):
    ddb.put_item(TableName=TABLE, Item={**_key("kept"), "n": {"N": "1"}})
    before = len(_stream_records(moto, ddb))
    with pytest.raises(ClientError) as cancelled:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": TABLE, "Key": _key("kept"), "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": TABLE, "Item": {**_key("new"), "n": {"N": "1"}}}},
            {"Delete": {"TableName": TABLE, "Key": _key("kept-too")}},
            {"ConditionCheck": {"TableName": TABLE, "Key": _key("missing"),
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert _item(ddb, "kept")["n"] == {"N": "1"}  # the in-place update was undone
    assert _item(ddb, "new") is None
    assert len(_stream_records(moto, ddb)) == before


def test_a_committed_transaction_writes_every_item_and_its_stream_records(moto, ddb):
    before = len(_stream_records(moto, ddb))
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": TABLE, "Item": {**_key("a"), "n": {"N": "1"}}}},
        {"Put": {"TableName": TABLE, "Item": {**_key("b"), "n": {"N": "2"}}},
         },
    ])
    assert _item(ddb, "a")["n"] == {"N": "1"} and _item(ddb, "b")["n"] == {"N": "2"}
    assert len(_stream_records(moto, ddb)) == before + 2


def test_memory_stays_flat_over_many_transactions_and_misses(moto, ddb):
    def burst(start: int) -> None:
        for n in range(start, start + 150):
            ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": TABLE, "Item": {**_key(f"item-{n}"), "body": {"S": "x" * 500}}}},
                {"Update": {"TableName": TABLE, "Key": _key("counter"), "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            ])
            ddb.batch_get_item(RequestItems={TABLE: {"Keys": [_key(f"unknown-{n}")]}})

    burst(0)  # warm up: imports, caches, the allocator's arenas
    warm = moto.rss_bytes()
    burst(150)
    burst(300)
    # each transaction used to keep a deep copy of the table (items and stream): hundreds of MB here
    assert moto.rss_bytes() - warm < 30 * 2**20


RICH_ITEM = {"s": {"S": "text ünïcode"}, "n": {"N": "-12.5"}, "b": {"B": b"\x00\xffbinary"}, "t": {"BOOL": False},
             "nothing": {"NULL": True}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"x", b"\x01"]},
             "m": {"M": {"deep": {"L": [{"S": "x"}, {"M": {"b": {"B": b"\x02"}}}, {"L": []}, {"M": {}}]}}}}


def test_items_come_back_exactly_as_written_through_every_read(moto, ddb):
    """The response fast path (moto_patches, fix 5) loses nothing: every attribute type, nested."""
    item = {**_key("rich"), **RICH_ITEM}
    ddb.put_item(TableName=TABLE, Item=item)
    assert _item(ddb, "rich") == item
    assert ddb.batch_get_item(RequestItems={TABLE: {"Keys": [_key("rich")]}})["Responses"][TABLE] == [item]
    assert ddb.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "rich"}})["Items"] == [item]
    old = ddb.put_item(TableName=TABLE, Item={**_key("rich"), "n": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert old["Attributes"] == item
    streamed = [r["dynamodb"].get("OldImage") for r in _stream_records(moto, ddb)]
    assert item in streamed


def test_the_fast_attribute_encoding_matches_moto_serializer():
    """`attribute_value_wire` writes what moto's shape-walking serializer writes, for every type."""
    from moto.core.serialize import JSONSerializer, XFormedAttributePicker
    from moto.core.utils import get_service_model
    from moto.dynamodb.models.utilities import dynamo_to_dict

    from devstack.moto_patches import attribute_value_wire

    operation = get_service_model("dynamodb").operation_model("GetItem")
    slow = JSONSerializer(operation_model=operation, value_picker=XFormedAttributePicker())
    model = {name: _moto_value(value) for name, value in RICH_ITEM.items()}
    expected = json.loads(slow.serialize(dynamo_to_dict({"Item": model}))["body"])["Item"]
    assert {name: attribute_value_wire(value) for name, value in dynamo_to_dict(model).items()} == expected


def _moto_value(value: Dict[str, Any]) -> Any:
    """An attribute as moto keeps it (binary as the base64 text the wire carried)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    return DynamoType(json.loads(json.dumps(value, default=lambda raw: base64.b64encode(raw).decode())))


def _indexed_table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk", "gpk", "gsk")],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                 "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"},
                                               {"AttributeName": "gsk", "KeyType": "RANGE"}]}])
    for n in range(90):
        item = {"pk": {"S": f"P#{n % 4}"}, "sk": {"S": f"{(n * 37) % 90:03d}"}, "n": {"N": str(n)}}
        if n % 3:  # a sparse index: a third of the items are not in it
            item.update({"gpk": {"S": f"G#{n % 2}"}, "gsk": {"S": f"{(n * 11) % 7}"}})  # equal sort keys too
        client.put_item(TableName=name, Item=item)


def _pages(client: Any, name: str, **query: Any) -> List[Any]:
    pages, start = [], None
    while True:
        page = client.query(TableName=name, Limit=7, **query, **({"ExclusiveStartKey": start} if start else {}))
        pages.append([page["Items"], page.get("LastEvaluatedKey")])
        start = page.get("LastEvaluatedKey")
        if not start:
            return pages


QUERIES = [
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P#1"}}},
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P#2"}}, "ScanIndexForward": False},
    {"KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
     "ExpressionAttributeValues": {":p": {"S": "P#3"}, ":a": {"S": "010"}, ":b": {"S": "060"}}},
    {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "P#9"}}},
    {"IndexName": "gsi", "KeyConditionExpression": "gpk = :g", "ExpressionAttributeValues": {":g": {"S": "G#0"}}},
    {"IndexName": "gsi", "KeyConditionExpression": "gpk = :g AND gsk > :s",
     "ExpressionAttributeValues": {":g": {"S": "G#1"}, ":s": {"S": "2"}}, "ScanIndexForward": False},
]


def test_queries_answer_exactly_as_unpatched_moto(ddb):
    """The query fast path (moto_patches, fix 6) returns the same items, in the same order, on
    the same pages as moto itself, for table and index queries, forwards and backwards."""
    from moto import mock_aws

    _indexed_table(ddb, "emulator-query")
    served = [_pages(ddb, "emulator-query", **query) for query in QUERIES]
    with mock_aws():
        plain = boto3.client("dynamodb", region_name="us-east-1")
        _indexed_table(plain, "emulator-query")
        expected = [_pages(plain, "emulator-query", **query) for query in QUERIES]
    assert served == expected
    assert sum(len(items) for items, _ in served[0]) == 23 and len(served[0]) == 4  # the test reads real pages
