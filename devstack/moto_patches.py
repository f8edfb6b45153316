"""Six fixes to moto's DynamoDB emulator (moto 5.2.5), so a local stack holds under load and over
hours, and one to its S3 (7), so presigned URLs are refused where S3 refuses them. `apply()`
installs them in the moto server process (`devstack.moto_server`); nothing here runs in Lambda or
changes what Keyhole sends.

1. Instance tracking. Every moto model object (each DynamoDB item, stream record and table) is
   appended to a class-level list for moto's web dashboard and never released, so memory only
   grows. Together with (2), 250 sequential resource updates took the server from 0.2 to 2.3 GB.
   The dashboard is not used here: objects are no longer tracked.
2. Transactions. `TransactWriteItems` deep-copied every table it touched (all items and the whole
   stream) before each transaction, to roll back a cancelled one: time and memory per transaction
   grew with the table. The replacement keeps an undo log instead: a copy of each item it is about
   to change and each stream's length, restored if the transaction is cancelled. Same checks, same
   cancellation reasons in the same order, all or nothing.
3. Reads. A `GetItem` or `BatchGetItem` miss on a table with a sort key left an empty partition
   behind (a `defaultdict` lookup), so every unknown share token grew the table.
4. Dispatch. Every request listed moto's package directory (about 200 `stat` calls) to find its
   service: the list is read once.
5. Responses. moto writes every response through a generic serializer that walks botocore's shape
   model member by member; for item data (each attribute a structure of ten possible members, maps
   and lists of them nested) that cost about 30 ms per response carrying a document, most of the
   server's time under the contract fuzz run. Attribute values are already in DynamoDB's wire form
   (`{"S": ...}`, `{"M": {...}}`) except binary ones, so they are copied through with only
   `B`/`BS` base64-encoded, as the serializer would; everything around them is serialized as before.
6. Queries. Every `Query` sorted the whole table (every item of every partition, compared as
   DynamoDB values) before picking the items of one partition or index key, so each query cost
   more as access events piled up. A table query now reads only its partition and an index query
   scans the items once without sorting them; both still sort what matches by the keys, as before,
   so results and pages are the same.
7. Presigned S3 requests. moto checks neither a request's signature nor a checksum header against
   the body, nor a presigned URL's expiry, so a presigned PUT it serves accepts any bytes of any
   length. S3 refuses such a PUT: headers that differ from the signed ones break the signature
   (403 `SignatureDoesNotMatch`), and a body whose SHA-256 is not `x-amz-checksum-sha256` is 400
   `BadDigest`; an expired URL is 403 `AccessDenied`. This fix makes moto refuse what it can tell
   without the signing key: a presigned request that lacks a header it was signed with, or is
   past `X-Amz-Date + X-Amz-Expires`, and (any PUT) a body that does not hash to its
   `x-amz-checksum-sha256`. A header sent with another value than the signed one is not caught
   (that needs the secret key); a body that differs is, by its checksum (docs/files.md).
"""

from __future__ import annotations

import base64
import copy
import inspect
import threading
from typing import Any

_applied = False


def apply() -> None:
    """Install the fixes (idempotent)."""
    global _applied
    if _applied:
        return
    from moto import backends
    from moto.core import common_models
    from moto.core.serialize import BaseJSONSerializer, ResponseSerializer
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    common_models.BaseModel.__new__ = staticmethod(_untracked_new)  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
    Table.get_item = _get_item  # type: ignore[method-assign]
    _all_items, _query = Table.all_items, Table.query

    def all_items(self: Any) -> Any:
        if getattr(_querying, "table", None) is not self:
            return _all_items(self)
        return _query_candidates(self, _querying.partition)

    query_signature = inspect.signature(_query)

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = query_signature.bind(self, *args, **kwargs).arguments
        _querying.table = self
        _querying.partition = None if call.get("index_name") else call["hash_key"]
        try:
            return _query(self, *args, **kwargs)
        finally:
            _querying.table = _querying.partition = None

    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    _serialize = ResponseSerializer._serialize

    def _serialize_fast(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if shape.name == "AttributeValue" and isinstance(value, dict):
            serialized[self.get_serialized_name(shape, key)] = attribute_value_wire(value)
            return
        _serialize(self, serialized, value, shape, key)

    BaseJSONSerializer._serialize = _serialize_fast  # type: ignore[method-assign]
    _patch_s3_presigned_requests()
    _applied = True


def _s3_error(status: int, code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{message}</Message></Error>'
    ).encode()
    return status, {"Content-Type": "application/xml"}, body


def presigned_refusal(
    query: dict[str, Any], headers: Any, now: float | None = None
) -> tuple[int, dict[str, str], bytes] | None:
    """What S3 answers a presigned request that lacks a signed header or is past its expiry."""
    import time
    from datetime import UTC, datetime

    def first(name: str) -> str | None:
        value = query.get(name)
        return (value[0] if isinstance(value, list) else value) if value else None

    if not first("X-Amz-Signature"):
        return None
    try:
        signed_at = datetime.strptime(first("X-Amz-Date") or "", "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()
        expires = int(first("X-Amz-Expires") or "0")
    except ValueError:
        return _s3_error(403, "AccessDenied", "Invalid date or expiry in the presigned URL")
    if (time.time() if now is None else now) > signed_at + expires:
        return _s3_error(403, "AccessDenied", "Request has expired")
    present = {str(name).lower() for name in headers.keys()}
    for name in (first("X-Amz-SignedHeaders") or "").split(";"):
        if name and name != "host" and name not in present:
            return _s3_error(
                403,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
    return None


def checksum_refusal(headers: Any, body: bytes) -> tuple[int, dict[str, str], bytes] | None:
    """400 BadDigest when the body does not hash to the request's x-amz-checksum-sha256."""
    import hashlib

    claimed = next((v for k, v in headers.items() if str(k).lower() == "x-amz-checksum-sha256"), None)
    if claimed is None:
        return None
    actual = base64.b64encode(hashlib.sha256(body or b"").digest()).decode()
    if claimed != actual:
        return _s3_error(400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.")
    return None


def _patch_s3_presigned_requests() -> None:
    from moto.s3.responses import S3Response

    put, get = S3Response._key_response_put, S3Response._key_response_get

    def checked_put(self: Any, query: dict[str, Any], key_name: str) -> Any:
        body = self.body if isinstance(self.body, bytes) else (self.body or "").encode()
        return (
            presigned_refusal(self.querystring, self.headers)
            or checksum_refusal(self.headers, body)
            or put(self, query, key_name)
        )

    def checked_get(self: Any, query: dict[str, Any], key_name: str) -> Any:
        return presigned_refusal(self.querystring, self.headers) or get(self, query, key_name)

    S3Response._key_response_put = checked_put  # type: ignore[method-assign]
    S3Response._key_response_get = checked_get  # type: ignore[method-assign]


def attribute_value_wire(value: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB attribute value as the JSON protocol sends it: binary base64-encoded, maps and lists
    recursively, everything else as it is (what moto's serializer produces, without the shape walk)."""
    wire: dict[str, Any] = {}
    for kind, inner in value.items():
        if inner is None:
            continue
        if kind == "B":
            wire[kind] = _base64(inner)
        elif kind == "BS":
            wire[kind] = [_base64(one) for one in inner]
        elif kind == "M":
            wire[kind] = {name: attribute_value_wire(member) for name, member in inner.items()}
        elif kind == "L":
            wire[kind] = [attribute_value_wire(member) for member in inner]
        else:
            wire[kind] = inner
    return wire


def _base64(value: str | bytes) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return base64.b64encode(raw).strip().decode("utf-8")


_querying = threading.local()  # the table a Query is running on, and its partition key (table queries)


def _query_candidates(table: Any, partition_key: Any) -> list[Any]:
    """What moto's `Table.query` filters and sorts: one partition's items for a table query, every
    item (in no particular order) for an index query."""
    if partition_key is not None:
        partition = table.items.get(partition_key)
        if partition is None:
            return []
        return list(partition.values()) if table.range_key_attr else [partition]
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for partition in table.items.values() for item in partition.values()]


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def _get_item(
    self: Any, hash_key: Any, range_key: Any = None, projection_expression: list[list[str]] | None = None
) -> Any:
    """moto's `Table.get_item` without the side effect of creating an empty partition on a miss."""
    from moto.dynamodb.exceptions import MockValidationException

    if self.has_range_key and not range_key:
        raise MockValidationException("Table has a range key, but no range key was passed into get_item")
    partition = self.items.get(hash_key)
    if range_key:
        result = partition.get(range_key) if partition is not None else None
    else:
        result = partition
    if projection_expression and result:
        result = result.project(projection_expression)
    return result


class UndoLog:
    """What a transaction changed, to put back if it is cancelled: the items as they were before
    their first change, and the length of each stream it wrote to."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.items: list[tuple[Any, Any, Any, Any]] = []
        self.streams: dict[str, tuple[Any, int]] = {}

    def remember(self, table_name: str, key: dict[str, Any]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = self.backend.get_table(table_name)
        if table.stream_shard is not None and table.name not in self.streams:
            self.streams[table.name] = (table.stream_shard, len(table.stream_shard.items))
        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        before = table.get_item(hash_value, range_value)
        self.items.append((table, hash_value, range_value, copy.deepcopy(before)))

    def rollback(self) -> None:
        for table, hash_value, range_value, before in reversed(self.items):
            if range_value is None:
                if before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
                continue
            partition = table.items.get(hash_value)
            if before is not None:
                table.items[hash_value][range_value] = before
            elif partition is not None:
                partition.pop(range_value, None)
                if not partition:
                    table.items.pop(hash_value, None)
        for shard, length in self.streams.values():
            del shard.items[length:]
        self.items.clear()
        self.streams.clear()


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's `DynamoDBBackend.transact_write_items`, rolled back through an `UndoLog`."""
    from moto.dynamodb.comparisons import get_filter_expression
    from moto.dynamodb.exceptions import (
        ConditionalCheckFailed,
        MockValidationException,
        MultipleTransactionsException,
        TooManyTransactionsException,
        TransactionCanceledException,
        TransactWriteSingleOpException,
    )

    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    undo = UndoLog(self)
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        marker = (str(table_name), str(dict(sorted(key.items()))))
        if marker in target_items:
            raise MultipleTransactionsException()
        target_items.add(marker)

    errors: list[tuple[Any, Any, Any]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            undo.rollback()
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            names = op.get("ExpressionAttributeNames")
            values = op.get("ExpressionAttributeValues")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            check_unicity(table_name, key)
            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition_op = get_filter_expression(condition_expression, names, values)
                if not condition_op.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            if op_type != "ConditionCheck":
                undo.remember(table_name, key)
            if op_type == "Put":
                self.put_item(
                    table_name,
                    op["Item"],
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Delete":
                self.delete_item(
                    table_name,
                    key,
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            elif op_type == "Update":
                self.update_item(
                    table_name,
                    key,
                    update_expression=op["UpdateExpression"],
                    condition_expression=condition_expression,
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            undo.rollback()
            raise
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:  # as moto does: any other failure is that item's cancellation reason
            errors.append((type(error).__name__, str(error), original_item))
    if any(code is not None for code, _, _ in errors):
        undo.rollback()
        raise TransactionCanceledException(errors)
