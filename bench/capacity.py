"""Every AWS call an operation makes, with the DynamoDB capacity it would consume on AWS.

moto answers `ReturnConsumedCapacity` with a constant per call (1.0 or 0.5 whatever the item
size), so it cannot be used as the measure. Instead each DynamoDB call is recorded by wrapping
botocore's one dispatch point (`BaseClient._make_api_call`), and its units are computed from the
items' stored sizes by DynamoDB's documented rules:

- item size: attribute names plus values (strings and binaries by length, numbers about one byte
  per two significant digits plus one, lists and maps 3 bytes plus one per element);
- reads: per item of a BatchGetItem or GetItem, `ceil(size / 4 KB)` units, half for eventually
  consistent reads, the minimum even for a missing item; a Query pays for the total size read;
- writes: `ceil(max(old item, new item) / 1 KB)`, the minimum (or the existing item's size) when a
  condition fails, twice that inside a transaction (ConditionCheck included), plus one unit for
  each global secondary index entry written or removed (two when an index key changes).

Old and new images of written items are read around the call with the recording switched off.
The time spent inside each call (wall and this thread's CPU time) is kept, so the caller can
subtract the emulator's time from its own and bill a DynamoDB latency model instead.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from chalicelib.storage.sizes import raw_item_bytes

from . import pricing

_GSI_KEYS = {f"gsi{n}": (f"gsi{n}pk", f"gsi{n}sk") for n in range(1, 6)}


# --- item sizes ------------------------------------------------------------------------------


def item_size(item: dict[str, Any] | None) -> int:
    """An item's billed size: the same rules Keyhole keeps its hot items by (storage/sizes.py)."""
    return raw_item_bytes(item) if item else 0


# --- one recorded call -----------------------------------------------------------------------


@dataclass
class Call:
    service: str
    operation: str
    seconds: float  # wall time inside the call, the recorder's own reads included
    cpu_seconds: float = 0.0  # this thread's CPU time inside the call (moto runs in process)
    rru: float = 0.0
    wru: float = 0.0
    items_read: int = 0
    bytes_read: int = 0  # size of the items (or projections) returned
    keys_requested: int = 0
    items_written: int = 0
    retries: int = 0
    shape: tuple = ()  # what the request asks for, without values: for "same work" comparisons
    failed: str | None = None

    @property
    def model_ms(self) -> float:
        if self.service != "dynamodb":
            return pricing.DEFAULT_AWS_LATENCY_MS
        base = pricing.DYNAMODB_LATENCY_MS.get(self.operation, pricing.DEFAULT_AWS_LATENCY_MS)
        return base + max(0.0, self.rru - 1) * pricing.DYNAMODB_LATENCY_MS_PER_EXTRA_READ_UNIT


@dataclass
class Measure:
    calls: list[Call] = field(default_factory=list)

    def of(self, service: str) -> list[Call]:
        return [c for c in self.calls if c.service == service]

    @property
    def rru(self) -> float:
        return sum(c.rru for c in self.calls)

    @property
    def wru(self) -> float:
        return sum(c.wru for c in self.calls)

    @property
    def aws_seconds(self) -> float:
        return sum(c.seconds for c in self.calls)

    @property
    def aws_cpu_seconds(self) -> float:
        return sum(c.cpu_seconds for c in self.calls)

    @property
    def model_ms(self) -> float:
        return sum(c.model_ms for c in self.calls)

    @property
    def bytes_read(self) -> int:
        return sum(c.bytes_read for c in self.calls)

    @property
    def retries(self) -> int:
        return sum(c.retries for c in self.calls)

    def requests(self, service: str = "dynamodb") -> int:
        return len(self.of(service))

    def operations(self) -> list[str]:
        return [f"{c.service}:{c.operation}" for c in self.calls]

    def shapes(self) -> list[tuple]:
        return [(c.operation, *c.shape) for c in self.calls]


# --- the recorder ---------------------------------------------------------------------------


class Recorder:
    """Wraps botocore's dispatch for as long as `installed()` is active; `measure()` collects."""

    def __init__(self) -> None:
        self.current: Measure | None = None
        self._quiet = threading.local()
        self._original: Callable[..., Any] | None = None
        self._key_names: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    @contextmanager
    def installed(self) -> Iterator[Recorder]:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        self._original = original
        recorder = self

        def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
            return recorder._call(client, operation, params)

        setattr(BaseClient, "_make_api_call", recording)  # noqa: B010 (a method swapped for the measurement)
        try:
            yield self
        finally:
            setattr(BaseClient, "_make_api_call", original)  # noqa: B010

    @contextmanager
    def measure(self) -> Iterator[Measure]:
        measured = Measure()
        self.current = measured
        try:
            yield measured
        finally:
            self.current = None

    # -- internals --

    def _raw(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        if self._original is None:
            raise RuntimeError("the recorder is not installed")
        self._quiet.on = True
        try:
            return self._original(client, operation, params)
        finally:
            self._quiet.on = False

    def _call(self, client: Any, operation: str, params: dict[str, Any]) -> Any:
        if self._original is None:
            raise RuntimeError("the recorder is not installed")
        service = client.meta.service_model.service_name
        if getattr(self._quiet, "on", False) or self.current is None:
            return self._original(client, operation, params)
        started, cpu_started = time.perf_counter(), time.thread_time()
        before = self._images(client, operation, params) if service == "dynamodb" else {}
        failure: str | None = None
        try:
            response = self._original(client, operation, params)
        except Exception as error:
            response = None
            failure = getattr(error, "response", {}).get("Error", {}).get("Code") or type(error).__name__
            raise
        finally:
            call = Call(service=service, operation=operation, seconds=0.0, failed=failure)
            if response is not None:
                call.retries = int(response.get("ResponseMetadata", {}).get("RetryAttempts", 0) or 0)
            if service == "dynamodb":
                after = self._images(client, operation, params) if _is_write(operation) else {}
                self._units(client, call, operation, params, response, before, after)
            call.seconds = time.perf_counter() - started
            call.cpu_seconds = time.thread_time() - cpu_started
            if self.current is not None:
                with self._lock:
                    self.current.calls.append(call)
        return response

    def _keys_of(self, client: Any, table: str) -> list[str]:
        if table not in self._key_names:
            described = self._raw(client, "DescribeTable", {"TableName": table})["Table"]
            self._key_names[table] = [k["AttributeName"] for k in described["KeySchema"]]
        return self._key_names[table]

    def _targets(self, client: Any, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """(table, key) of every item a write touches."""
        if operation in ("PutItem",):
            names = self._keys_of(client, params["TableName"])
            return [(params["TableName"], {n: params["Item"][n] for n in names})]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], params["Key"])]
        if operation == "TransactWriteItems":
            found = []
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                if kind == "Put":
                    names = self._keys_of(client, body["TableName"])
                    found.append((body["TableName"], {n: body["Item"][n] for n in names}))
                else:
                    found.append((body["TableName"], body["Key"]))
            return found
        if operation == "BatchWriteItem":
            found = []
            for table, requests in params["RequestItems"].items():
                names = self._keys_of(client, table)
                for request in requests:
                    if "PutRequest" in request:
                        found.append((table, {n: request["PutRequest"]["Item"][n] for n in names}))
                    else:
                        found.append((table, request["DeleteRequest"]["Key"]))
            return found
        return []

    def _stored_size(self, client: Any, table: str, key: dict[str, Any]) -> int:
        got = self._raw(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
        return item_size(got.get("Item"))

    def _images(self, client: Any, operation: str, params: dict[str, Any]) -> dict[tuple, dict[str, Any] | None]:
        images: dict[tuple, dict[str, Any] | None] = {}
        for table, key in self._targets(client, operation, params):
            marker = _marker(table, key)
            got = self._raw(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
            images[marker] = got.get("Item")
        return images

    def _units(
        self,
        client: Any,
        call: Call,
        operation: str,
        params: dict[str, Any],
        response: Any,
        before: dict[tuple, Any],
        after: dict[tuple, Any],
    ) -> None:
        if operation == "GetItem":
            consistent = bool(params.get("ConsistentRead"))
            item = (response or {}).get("Item")
            stored = (
                self._stored_size(client, params["TableName"], params["Key"])
                if "ProjectionExpression" in params
                else None
            )
            call.rru = pricing.read_units(stored if stored is not None else item_size(item), consistent=consistent)
            call.items_read = int(item is not None)
            call.bytes_read = item_size(item)
            call.keys_requested = 1
            call.shape = ((params["TableName"], 1, consistent),)
        elif operation == "BatchGetItem":
            shape = []
            for table, request in params["RequestItems"].items():
                consistent = bool(request.get("ConsistentRead"))
                names = self._keys_of(client, table)
                returned = {
                    _marker(table, {n: item[n] for n in names}): item
                    for item in (response or {}).get("Responses", {}).get(table, [])
                }
                for key in request["Keys"]:
                    item = returned.get(_marker(table, key))
                    # Billed by the stored item's size, whatever a projection returns.
                    stored = self._stored_size(client, table, key) if "ProjectionExpression" in request else None
                    call.rru += pricing.read_units(
                        stored if stored is not None else item_size(item), consistent=consistent
                    )
                    call.items_read += int(item is not None)
                    call.bytes_read += item_size(item)
                call.keys_requested += len(request["Keys"])
                shape.append((table, len(request["Keys"]), consistent))
            call.shape = tuple(sorted(shape))
        elif operation == "Query":
            consistent = bool(params.get("ConsistentRead")) and "IndexName" not in params
            items = (response or {}).get("Items", [])
            call.rru = pricing.read_units(sum(item_size(i) for i in items), consistent=consistent)
            call.items_read = len(items)
            call.bytes_read = sum(item_size(i) for i in items)
            call.shape = (params["TableName"], params.get("IndexName"), consistent)
        elif _is_write(operation):
            transactional = operation == "TransactWriteItems"
            targets = self._targets(client, operation, params)
            written: list[tuple[str, tuple[str, ...]]] = []
            for table, key in targets:
                marker = _marker(table, key)
                old, new = before.get(marker), after.get(marker)
                units = pricing.write_units(max(item_size(old), item_size(new)))
                units += _index_writes(old, new)
                call.wru += units * (2 if transactional else 1)
                call.items_written += int(old != new)
                written.append((table, tuple(sorted(key))))
            if transactional:
                call.shape = tuple(
                    (next(iter(entry)), next(iter(entry.values()))["TableName"]) for entry in params["TransactItems"]
                )
            else:
                call.shape = tuple(written)
            call.keys_requested = len(targets)


def _is_write(operation: str) -> bool:
    return operation in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def _marker(table: str, key: dict[str, Any]) -> tuple:
    return (table, *sorted((name, next(iter(value.values()))) for name, value in key.items()))


def _index_writes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> int:
    """Units written to KEYS_ONLY global secondary indexes (entries are far below 1 KB)."""
    units = 0
    for pk, sk in _GSI_KEYS.values():
        before = (old or {}).get(pk), (old or {}).get(sk)
        now = (new or {}).get(pk), (new or {}).get(sk)
        had, has = all(before), all(now)
        if had and has and before != now:
            units += 2  # the old entry is deleted, the new one written
        elif had != has:
            units += 1
    return units


def summarize(measures: list[Measure]) -> dict[str, Any]:
    """Medians over repeated measurements of the same operation."""
    import statistics

    def median(values: list[float]) -> float:
        return float(statistics.median(values)) if values else 0.0

    ops: Counter = Counter()
    for m in measures:
        ops.update(m.operations())
    return {
        "dynamodb_requests": median([m.requests("dynamodb") for m in measures]),
        "kms_requests": median([m.requests("kms") for m in measures]),
        "rru": median([m.rru for m in measures]),
        "wru": median([m.wru for m in measures]),
        "retries": median([m.retries for m in measures]),
    }
