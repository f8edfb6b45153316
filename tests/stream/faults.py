"""Fault injection for the stream tests, at the edges only: botocore calls and sockets.

- `AwsFaults`: a `before-call` hook on the service's DynamoDB client answers chosen calls with an
  AWS error (as DynamoDB would: ThrottlingException, ProvisionedThroughputExceededException,
  ConditionalCheckFailedException, InternalServerError, ValidationException ...) without reaching
  moto, and an `after-call` hook can crash the invocation right after a write committed (`Crash`,
  a BaseException, so no `except Exception` of ours can swallow it: the invocation dies, as on a
  Lambda timeout or out-of-memory). Nothing of Keyhole is replaced.
- `FaultyReceiver`: a webhook receiver on a loopback port that answers 2xx, fails (500), answers
  410, hangs (never answers), closes the connection, answers 2xx slowly, or sends its headers at
  once and then trickles its body a byte every `delay` seconds; it verifies signatures
  and processes each `webhook-id` once, as a receiver should.
- `lambda_like`: the consumer as Lambda runs it for the pump: a crash is a function error.
- `TtlReader`: the pump's stream reader, giving chosen REMOVE records TTL's `userIdentity` (moto
  never expires items: the test deletes the item and this labels its real REMOVE record).
"""
from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import boto3

from chalicelib.runtime.clock import to_rfc3339_ms
from devstack.pump import LocalContext, StreamReader

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
STATUS = {"InternalServerError": 500, "ServiceUnavailable": 503}


class Crash(BaseException):
    """The invocation dies here (after the call that raised it committed)."""


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: Dict[str, str] = {}
        self.content = b""


@dataclass
class Rule:
    operation: str
    code: str
    when: Callable[[Dict[str, Any]], bool]
    times: Optional[int]  # None: every matching call
    hits: int = 0


@dataclass
class AwsFaults:
    """Faults on one botocore client (the service's one DynamoDB client: PynamoDB's and ours)."""

    client: Any
    rules: List[Rule] = field(default_factory=list)
    calls: List[str] = field(default_factory=list)  # every operation, in order
    writes: List[str] = field(default_factory=list)  # committed writes, in order
    crash_after_write: Optional[int] = None  # crash once the n-th (1-based) write has committed
    crashed: int = 0

    def __post_init__(self) -> None:
        self.client.meta.events.register("before-call.dynamodb", self._before, unique_id=f"faults-b-{id(self)}")
        self.client.meta.events.register("after-call.dynamodb", self._after, unique_id=f"faults-a-{id(self)}")

    def remove(self) -> None:
        self.client.meta.events.unregister("before-call.dynamodb", unique_id=f"faults-b-{id(self)}")
        self.client.meta.events.unregister("after-call.dynamodb", unique_id=f"faults-a-{id(self)}")

    def fail(self, operation: str, code: str, *, when: Callable[[Dict[str, Any]], bool] = lambda params: True,
             times: Optional[int] = None) -> Rule:
        rule = Rule(operation, code, when, times)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self.crash_after_write = None

    def _before(self, model: Any = None, params: Any = None, **_: Any) -> Any:
        name = model.name
        self.calls.append(name)
        request = json.loads(params.get("body") or b"{}") if isinstance(params, dict) else {}
        for rule in self.rules:
            if rule.operation == name and (rule.times is None or rule.hits < rule.times) and rule.when(request):
                rule.hits += 1
                status = STATUS.get(rule.code, 400)
                return _Http(status), {"Error": {"Code": rule.code, "Message": f"injected {rule.code}"},
                                       "ResponseMetadata": {"HTTPStatusCode": status}}
        return None

    def _after(self, model: Any = None, http_response: Any = None, **_: Any) -> None:
        if model.name not in WRITES or http_response is None or http_response.status_code >= 300:
            return
        self.writes.append(model.name)
        if self.crash_after_write is not None and len(self.writes) == self.crash_after_write:
            self.crash_after_write = None
            self.crashed += 1
            raise Crash(f"crashed after write {len(self.writes)} ({model.name})")


def counter_write_of(link_id: str) -> Callable[[Dict[str, Any]], bool]:
    """The consumer's counter write of one link (UpdateItem of `LV#<link>` in the counters table)."""
    return lambda request: request.get("Key", {}).get("pk", {}).get("S") == f"LV#{link_id}"


def counter_write_covering(link_id: str, shard: int, sequence: str) -> Callable[[Dict[str, Any]], bool]:
    """A counter write of the link whose range of partition `shard` covers `sequence` (a view whose
    counting the service refuses, as if something about that one record made the write invalid)."""
    wanted = sequence.rjust(40, "0")

    def matches(request: Dict[str, Any]) -> bool:
        if not counter_write_of(link_id)(request):
            return False
        values = request.get("ExpressionAttributeValues", {})
        high = values.get(f":h{shard}", {}).get("S")
        if high is None or wanted > high:
            return False
        low = values.get(f":h{shard}min", {}).get("S")  # first try: [lowest, highest] of the batch
        was = values.get(f":h{shard}was", {}).get("S")  # after a read: (stored mark, highest]
        return (low is not None and low <= wanted) or (was is not None and was < wanted) or low is was is None

    return matches


def lambda_like(handler: Callable[[Dict[str, Any], Any], Any]) -> Callable[[Dict[str, Any], Any], Any]:
    """The function Lambda invokes: a crash inside it is a function error (the batch comes again)."""

    def invoke(event: Dict[str, Any], context: Any) -> Any:
        try:
            return handler(event, context or LocalContext("keyhole-test-stream_consumer"))
        except Crash as crash:
            raise RuntimeError(f"the invocation died: {crash}") from None

    return invoke


class TtlReader(StreamReader):
    """Reads like the pump's reader; REMOVE records of `ttl_keys` (pk values) carry TTL's identity."""

    def __init__(self, client: Any, stream_arn: str) -> None:
        super().__init__(client, stream_arn)
        self.ttl_keys: Set[str] = set()

    def read(self, shard_id: str, limit: int = 1000) -> List[Dict[str, Any]]:
        records = super().read(shard_id, limit)
        return [
            {**r, "userIdentity": {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}}
            if r["eventName"] == "REMOVE" and r["dynamodb"]["Keys"]["pk"]["S"] in self.ttl_keys else r
            for r in records
        ]


# --- access events as the viewer path writes them ---------------------------------------------

def access_items(svc: Any, tenant_id: str, link_id: str, count: int, *, shard: Optional[int] = None,
                 outcome: str = "viewed") -> List[Dict[str, Any]]:
    """Access events as the viewer path writes them (low-level items), `count` of them."""
    items = []
    for n in range(count):
        at = to_rfc3339_ms(svc.clock.now())
        event_id = f"acc_{secrets.token_hex(10)}"
        items.append({
            "pk": {"S": f"ACCESS#{link_id}#{n % 4 if shard is None else shard}"}, "sk": {"S": f"{at}#{event_id}"},
            "event_id": {"S": event_id}, "link_id": {"S": link_id}, "tenant_id": {"S": tenant_id},
            "resource_id": {"S": "r1"}, "at": {"S": at}, "ip": {"S": f"198.51.100.{n % 250}"},
            "user_agent": {"S": "fault-test/1"}, "method": {"S": "GET"}, "path": {"S": "/share/abcdef/data"},
            "status": {"N": "200"}, "latency_ms": {"N": "3"}, "outcome": {"S": outcome},
        })
    return items


def write_items(aws: Dict[str, str], items: List[Dict[str, Any]]) -> None:
    table = boto3.client("dynamodb", region_name="us-east-1")
    for start in range(0, len(items), 25):
        table.batch_write_item(RequestItems={aws["TableName"]: [{"PutRequest": {"Item": i}}
                                                                 for i in items[start:start + 25]]})


# --- receivers on loopback ports -------------------------------------------------------------

@dataclass
class FaultyReceiver:
    """`mode`: ok (204), fail (500), gone (410), hang (never answers), close (drops the
    connection), slow (204 after `delay` seconds), trickle (200 and its headers at once, then a
    `trickle`-byte body, one byte every `delay` seconds). Verifies each request's signature once the
    secret is known; `unique` holds the payload of each `webhook-id` it processed (2xx)."""

    mode: str = "ok"
    delay: float = 2.5
    trickle: int = 8
    keep_alive: bool = False  # trickle: answer HTTP/1.1 and keep the connection open after the body
    url: str = ""
    secret: Optional[str] = None
    requests: List[Tuple[float, str]] = field(default_factory=list)  # (arrival time, webhook-id)
    unique: Dict[str, Any] = field(default_factory=dict)
    bad_signatures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)

    def payloads(self, event_type: Optional[str] = None) -> List[Any]:
        with self.lock:
            return [p for p in self.unique.values() if event_type is None or p["type"] == event_type]

    def ids(self) -> List[str]:
        with self.lock:
            return [webhook_id for _, webhook_id in self.requests]

    def _verify(self, headers: Dict[str, str], body: str) -> Any:
        from standardwebhooks import Webhook

        try:
            return Webhook(self.secret).verify(body, headers) if self.secret else None
        except Exception:
            with self.lock:
                self.bad_signatures += 1
            return None


def serve_receiver(state: FaultyReceiver) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (stdlib name)
            body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode("utf-8")
            headers = {k.lower(): v for k, v in self.headers.items()}
            with state.lock:
                state.requests.append((time.monotonic(), headers.get("webhook-id", "")))
            if state.mode == "hang":
                state.released.wait(30)
                return
            if state.mode == "close":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if state.mode == "slow":
                time.sleep(state.delay)
            if state.mode == "trickle":
                if state.keep_alive:  # (the request was parsed as HTTP/1.0's: say now that it stays open)
                    self.protocol_version, self.close_connection = "HTTP/1.1", False
                self.send_response(200)
                self.send_header("content-length", str(state.trickle))
                self.end_headers()
                self.wfile.flush()
                for _ in range(state.trickle):
                    if state.released.wait(state.delay):
                        return
                    self.wfile.write(b"x")
                    self.wfile.flush()
                return
            status = {"fail": 500, "gone": 410}.get(state.mode, 204)
            verified = state._verify(headers, body)
            if 200 <= status < 300 and verified is not None:
                with state.lock:
                    state.unique.setdefault(headers["webhook-id"], verified)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

        def handle(self) -> None:
            try:
                super().handle()
            except (ConnectionError, OSError):
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/keyhole"
    return server


def stop_receiver(state: FaultyReceiver, server: ThreadingHTTPServer) -> None:
    state.released.set()
    server.shutdown()
    server.server_close()
