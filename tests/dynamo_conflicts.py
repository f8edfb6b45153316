"""A DynamoDB endpoint that cancels conflicting transactions the way DynamoDB does, for tests.

moto never raises `TransactionConflict`. This HTTP proxy sits between Keyhole and a moto server
and applies DynamoDB's documented rules for transactional conflicts:

- an item of a `TransactWriteItems` that is part of another transaction still in flight: the new
  transaction is cancelled (`TransactionCanceledException`, reason `TransactionConflict` for that
  item, `None` for the others) and writes nothing;
- a `PutItem`, `UpdateItem` or `DeleteItem` on an item of a transaction in flight: refused with
  `TransactionConflictException`.

A transaction is in flight from the moment the proxy receives it until moto has answered, plus
`hold_seconds` (DynamoDB's own transactions take a few milliseconds; a serial moto makes the
window longer still, so the proxy errs towards more conflicts, not fewer). Everything else is
forwarded unchanged. The proxy counts what it saw, so a test can also assert the request sequence
(e.g. that a crowd's requests put no shared item in a transaction).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

_PREFIX = "com.amazonaws.dynamodb.v20120810#"
_WRITES = ("PutItem", "UpdateItem", "DeleteItem")


def _key(table: str, attributes: dict[str, Any]) -> tuple:
    return (table, json.dumps({k: attributes[k] for k in ("pk", "sk") if k in attributes}, sort_keys=True))


def items_of(operation: str, body: dict[str, Any]) -> list[tuple]:
    """(table, key) of every item a write names (Keyhole's tables are keyed by pk and sk)."""
    if operation == "TransactWriteItems":
        found = []
        for entry in body.get("TransactItems", []):
            ((_, detail),) = entry.items()
            found.append(_key(detail["TableName"], detail.get("Key") or detail.get("Item") or {}))
        return found
    if operation in _WRITES:
        return [_key(body["TableName"], body.get("Key") or body.get("Item") or {})]
    return []


class ConflictProxy:
    def __init__(self, upstream: str, *, hold_seconds: float = 0.0) -> None:
        self.upstream = urlsplit(upstream)
        self.hold_seconds = hold_seconds
        self.lock = threading.Lock()
        self.in_flight: Counter = Counter()  # item -> transactions holding it
        self.operations: Counter = Counter()  # operation -> requests seen
        self.transaction_items: Counter = Counter()  # item -> transactions that named it
        self.conflicts: Counter = Counter()  # "transaction" / "write" -> refusals sent
        self.url = ""
        self._server: ThreadingHTTPServer | None = None

    def reset(self) -> None:
        with self.lock:
            self.operations.clear()
            self.transaction_items.clear()
            self.conflicts.clear()

    # -- decisions --

    def admit(self, operation: str, items: list[tuple]) -> dict[str, Any] | None:
        """Claim the items of a transaction, or the refusal DynamoDB would send."""
        with self.lock:
            self.operations[operation] += 1
            if operation == "TransactWriteItems":
                for item in items:
                    self.transaction_items[item] += 1
                busy = [item in self.in_flight for item in items]
                if any(busy):
                    self.conflicts["transaction"] += 1
                    reasons = [
                        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
                        if held
                        else {"Code": "None"}
                        for held in busy
                    ]
                    listed = ", ".join(r["Code"] for r in reasons)
                    return {
                        "__type": _PREFIX + "TransactionCanceledException",
                        "message": f"Transaction cancelled, please refer cancellation reasons for specific reasons [{listed}]",
                        "CancellationReasons": reasons,
                    }
                self.in_flight.update(items)
                return None
            if operation in _WRITES and any(item in self.in_flight for item in items):
                self.conflicts["write"] += 1
                return {
                    "__type": _PREFIX + "TransactionConflictException",
                    "message": "Transaction is ongoing for the item",
                }
            return None

    def release(self, items: list[tuple]) -> None:
        with self.lock:
            self.in_flight.subtract(items)
            self.in_flight += Counter()  # drop items no transaction holds any more

    # -- HTTP --

    def forward(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list, bytes]:
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=300)
        try:
            sent = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    @contextmanager
    def running(self) -> Iterator[ConflictProxy]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (stdlib name)
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                target = self.headers.get("x-amz-target", "")
                operation = target.split(".")[-1] if target.startswith("DynamoDB_") else ""
                try:
                    parsed = json.loads(body) if operation else {}
                except ValueError:
                    parsed = {}
                items = items_of(operation, parsed) if operation else []
                refusal = proxy.admit(operation, items) if operation else None
                if refusal is not None:
                    self._reply(400, [("Content-Type", "application/x-amz-json-1.0")], json.dumps(refusal).encode())
                    return
                try:
                    status, headers, payload = proxy.forward("POST", self.path, dict(self.headers), body)
                finally:
                    if operation == "TransactWriteItems":
                        time.sleep(proxy.hold_seconds)
                        proxy.release(items)
                self._reply(status, headers, payload)

            def _reply(self, status: int, headers: list, payload: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "x-amz-crc32"):
                        self.send_header(name, value)
                self.send_header("x-amzn-RequestId", "conflict-proxy")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                return

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 512  # a crowd queues in the backlog instead of being reset

        server = Server(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_port}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()
