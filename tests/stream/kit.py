"""Helpers for the stream tests: real moto stream records fed to the Lambda handler, and a
webhook receiver on localhost that verifies Standard Webhooks signatures.

`Stream.consume()` reads every record written since the last call from moto's DynamoDB stream
(DescribeStream / GetShardIterator / GetRecords), wraps them in the event shape Lambda gives a
stream function (devstack.pump.lambda_event) and calls `app.stream_consumer`, the handler the
Lambda runs. Nothing of Keyhole is mocked.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple

import boto3

from devstack.pump import LocalContext, StreamReader, lambda_event, sequence_of

TTL_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


class Stream:
    def __init__(self, stream_arn: str) -> None:
        self.stream_arn = stream_arn
        self.reader = StreamReader(boto3.client("dynamodbstreams", region_name="us-east-1"), stream_arn)

    def records(self) -> List[Dict[str, Any]]:
        """Raw GetRecords records written since the previous call."""
        return self.reader.read_all()

    def event(self, records: List[Dict[str, Any]]) -> Dict[str, Any]:
        return lambda_event(records, self.stream_arn)

    def handle(self, records: List[Dict[str, Any]]) -> Dict[str, Any]:
        import app as app_module

        return app_module.stream_consumer(self.event(records), LocalContext("keyhole-test-stream_consumer"))

    def consume(self) -> List[Dict[str, Any]]:
        """Feed every new record to the consumer; asserts none failed; returns the records."""
        records = self.records()
        if records:
            response = self.handle(records)
            assert response == {"batchItemFailures": []}, response
        return records


def share(api: Any, key: str, resource_id: str = "r1", **link: Any) -> Dict[str, Any]:
    """A resource and a link to it, through the admin API."""
    reply = api.put(f"/v1/resources/{resource_id}", key=key,
                    body={"type": "monitor", "name": "Checkout", "document": {"status": "up", "token": "s3cret"},
                          "redact": ["token"]})
    assert reply.status in (200, 201), reply
    reply = api.post(f"/v1/resources/{resource_id}/links", key=key, body=link)
    assert reply.status == 201, reply
    return reply.json


def open_link(api: Any, token: str, *, ip: str = "203.0.113.7", agent: str = "Mozilla/5.0 test", path: str = "/data",
              method: str = "GET", headers: Optional[Dict[str, str]] = None) -> Any:
    sent = {"x-forwarded-for": ip, "user-agent": agent, **(headers or {})}
    return api.call(method, f"/share/{token}{path}", headers=sent)


# --- a webhook receiver on localhost -------------------------------------------------------

@dataclass
class Received:
    headers: Dict[str, str]
    body: str
    verified: Optional[Any] = None  # the payload, when the signature verified
    error: Optional[str] = None


@dataclass
class Receiver:
    """Answers with the statuses in `plan` (then 204), verifies each request's Standard Webhooks
    signature once `secret` is known, and processes each `webhook-id` once (`unique`)."""

    url: str = ""
    secret: Optional[str] = None
    plan: List[int] = field(default_factory=list)
    requests: List[Received] = field(default_factory=list)
    unique: Dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: Dict[str, str], body: str) -> int:
        from standardwebhooks import Webhook

        with self.lock:
            entry = Received(headers=headers, body=body)
            try:
                entry.verified = Webhook(self.secret).verify(body, headers) if self.secret else None
            except Exception as error:
                entry.error = f"{type(error).__name__}: {error}"
            self.requests.append(entry)
            status = self.plan.pop(0) if self.plan else 204
            if 200 <= status < 300 and entry.verified is not None:
                self.unique.setdefault(headers["webhook-id"], entry.verified)
            return status

    def payloads(self, event_type: Optional[str] = None) -> List[Any]:
        return [p for p in self.unique.values() if event_type is None or p["type"] == event_type]


def serve(state: Receiver) -> Tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (stdlib name)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            status = state.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hooks/keyhole"
    return server, thread


def register(api: Any, key: str, receiver: Receiver, events: Optional[List[str]] = None) -> Dict[str, Any]:
    body: Dict[str, Any] = {"url": receiver.url}
    if events is not None:
        body["events"] = events
    reply = api.post("/v1/webhooks", key=key, body=body)
    assert reply.status == 201, reply
    receiver.secret = reply.json["secret"]
    return reply.json


def sequences(records: List[Dict[str, Any]]) -> List[str]:
    return [sequence_of(r) for r in records]


def as_ttl_removal(record: Dict[str, Any]) -> Dict[str, Any]:
    """A REMOVE record as DynamoDB TTL writes it: AWS documents this userIdentity for TTL deletions."""
    assert record["eventName"] == "REMOVE"
    return {**record, "userIdentity": dict(TTL_IDENTITY)}


def body_of(records: List[Dict[str, Any]]) -> str:
    return json.dumps(records, default=str)
