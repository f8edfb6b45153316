"""Helpers shared by the admin-API and security suites: tenants with one key per role, error-shape
checks, and a whole-table snapshot that proves a refused request changed nothing.

Everything here drives Keyhole through its public surfaces (the HTTP API via `Api`, and the ops
entry point `tenants.create_tenant`) or reads DynamoDB directly; nothing here replaces Keyhole code.
"""
from __future__ import annotations

import base64
import itertools
import json
import secrets
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import boto3

from chalicelib.tenancy import tenants
from chalicelib.runtime.clock import Clock
from chalicelib.service import Keyhole

ROLES = ("viewer", "operator", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES, start=1)}
DOCUMENT: Dict[str, Any] = {
    "title": "Checkout API",
    "status": "up",
    "auth": {"bearer_token": "s3cr3t-bearer", "user": "svc"},
    "history": [{"at": "2026-01-01", "password": "hunter22"}, {"at": "2026-01-02", "password": "hunter23"}],
}
RESOURCE_BODY: Dict[str, Any] = {"type": "monitor", "name": "Checkout", "document": DOCUMENT,
                                 "redact": ["bearer_token", "password"],
                                 "scopes": {"summary": ["title", "status"]}}
ERROR_KEYS = {"code", "message", "details", "request_id", "retry_after", "limit", "limit_value", "how_to_free"}
_ips = itertools.count(1)


def fresh_ip() -> str:
    """A distinct client IP (X-Forwarded-For is honoured on the test stage) so per-IP viewer
    windows and the enumeration guard of one test never leak into another."""
    n = next(_ips)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@dataclass
class TenantKeys:
    """A tenant with one API key per role and one resource (`res-1`) to hang links on."""

    tenant_id: str
    name: str
    admin: str
    operator: str
    viewer: str
    resource_id: str = "res-1"
    key_ids: Dict[str, str] = field(default_factory=dict)

    def key(self, role: str) -> str:
        return {"admin": self.admin, "operator": self.operator, "viewer": self.viewer}[role]


def make_tenant(svc: Keyhole, api: Any, *, name: str = "Acme", plan: str = "team",
                overrides: Optional[Dict[str, Any]] = None, resource: bool = True,
                resource_id: str = "res-1") -> TenantKeys:
    """Ops creates the tenant; its admin then mints an operator and a viewer key over the API."""
    tenant, admin = tenants.create_tenant(svc, name=name, plan=plan, overrides=overrides)
    keys = {"admin": admin}
    key_ids = {}
    for role in ("operator", "viewer"):
        reply = api.post("/v1/api-keys", key=admin, body={"name": f"{role} key", "role": role})
        assert reply.status == 201, reply
        keys[role] = reply.json["key"]
        key_ids[role] = reply.json["id"]
    made = TenantKeys(tenant_id=tenant.tenant_id, name=name, admin=admin, operator=keys["operator"],
                      viewer=keys["viewer"], resource_id=resource_id, key_ids=key_ids)
    if resource:
        put_resource(api, made.admin, made.resource_id)
    return made


def put_resource(api: Any, key: str, resource_id: str, body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    reply = api.put(f"/v1/resources/{resource_id}", key=key, body=body or RESOURCE_BODY)
    assert reply.status in (200, 201), reply
    return reply.json


def make_link(api: Any, key: str, resource_id: str, **fields: Any) -> Dict[str, Any]:
    reply = api.post(f"/v1/resources/{resource_id}/links", key=key, body=fields)
    assert reply.status == 201, reply
    return reply.json


def new_key(api: Any, admin: str, role: str = "viewer") -> Tuple[str, str]:
    """(key id, key) of a fresh key."""
    reply = api.post("/v1/api-keys", key=admin, body={"name": "spare", "role": role})
    assert reply.status == 201, reply
    return reply.json["id"], reply.json["key"]


def assert_error(reply: Any, status: int, code: str) -> Dict[str, Any]:
    """The admin error contract: `{"error": {"code", "message", "details"?, "request_id"}}`,
    JSON content type, and the body's request id is the response's X-Request-Id."""
    assert reply.status == status, reply
    assert reply.headers.get("content-type", "").startswith("application/json"), reply.headers
    assert reply.json is not None and set(reply.json) == {"error"}, reply
    error = reply.json["error"]
    assert set(error) <= ERROR_KEYS, error
    assert error["code"] == code, reply
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["request_id"], str) and error["request_id"], error
    assert reply.headers.get("x-request-id") == error["request_id"], reply.headers
    if "details" in error:
        assert isinstance(error["details"], list) and error["details"], error
        for detail in error["details"]:
            assert set(detail) == {"field", "message"} and isinstance(detail["message"], str), detail
    return error


def fields_of(reply: Any) -> List[str]:
    """The fields named by a 422's details."""
    return [d["field"] for d in assert_error(reply, 422, "validation_error").get("details", [])]


def refused(svc: Keyhole, send: Callable[[], Any], status: int, code: str) -> Dict[str, Any]:
    """Send a request that must be refused: check the error contract and that nothing was written."""
    with Unchanged(svc):
        reply = send()
    return assert_error(reply, status, code)


def refused_fields(svc: Keyhole, send: Callable[[], Any]) -> List[str]:
    """Like `refused` for a 422: the fields its details name."""
    with Unchanged(svc):
        reply = send()
    return fields_of(reply)


def table_items(svc: Keyhole, table: Optional[str] = None) -> Dict[Tuple[str, str], Dict[str, Any]]:
    """Every item of the main table (moto in process: cheap), keyed by (pk, sk)."""
    client = boto3.client("dynamodb", region_name=svc.settings.region, endpoint_url=svc.settings.aws_endpoint)
    items: Dict[Tuple[str, str], Dict[str, Any]] = {}
    for page in client.get_paginator("scan").paginate(TableName=table or svc.settings.table_name,
                                                      ConsistentRead=True):
        for item in page["Items"]:
            items[(item["pk"]["S"], item.get("sk", {}).get("S", ""))] = item
    return items


class Unchanged:
    """`with Unchanged(svc): <refused request>` asserts the request wrote nothing to the main
    table: no new item, no audit event, no counter moved, nothing half-written.

    It reads the table's DynamoDB stream (NEW_AND_OLD_IMAGES, every write of every kind, including
    transactions) from LATEST on entry: any record after the request is a write. This is exact and
    costs the same however big the table is. Rate-limit windows live in the counters table, which
    has no stream, and are meant to move.
    """

    def __init__(self, svc: Keyhole) -> None:
        self.stream = TableStream.of(svc)

    def __enter__(self) -> "Unchanged":
        self.iterators = self.stream.latest()
        return self

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        if kind is not None:
            return
        writes = [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in self.stream.records(self.iterators)]
        assert not writes, f"refused request wrote to the table: {writes}"


class TableStream:
    """The main table's DynamoDB stream (clients cached per service)."""

    _cache: "weakref.WeakKeyDictionary[Keyhole, TableStream]" = weakref.WeakKeyDictionary()

    def __init__(self, svc: Keyhole) -> None:
        self.table = svc.settings.table_name
        self.client = boto3.client("dynamodbstreams", region_name=svc.settings.region,
                                   endpoint_url=svc.settings.aws_endpoint)
        self.ddb = boto3.client("dynamodb", region_name=svc.settings.region, endpoint_url=svc.settings.aws_endpoint)

    @classmethod
    def of(cls, svc: Keyhole) -> "TableStream":
        if svc not in cls._cache:
            cls._cache[svc] = cls(svc)
        return cls._cache[svc]

    def latest(self) -> List[str]:
        """Iterators at the end of every shard (the table, and so its stream, may have been re-created)."""
        arn = self.ddb.describe_table(TableName=self.table)["Table"]["LatestStreamArn"]
        shards = self.client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        return [self.client.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                               ShardIteratorType="LATEST")["ShardIterator"] for shard in shards]

    def records(self, iterators: List[str]) -> List[Dict[str, Any]]:
        found: List[Dict[str, Any]] = []
        for iterator in iterators:
            found.extend(self.client.get_records(ShardIterator=iterator)["Records"])
        return found


def align_to_window(clock: Clock, seconds: int = 60) -> None:
    """Move the clock to just after the start of a rate-limit window, so a test that counts
    requests against a per-minute limit never straddles two windows."""
    clock.advance(seconds - (clock.time() % seconds) + 0.01)


def b64_cursor(value: Any) -> str:
    """A cursor as a client could forge one: unpadded base64url of JSON (or of raw bytes)."""
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def random_token() -> str:
    """A well-formed share token no link has (64 URL-safe chars, decodes to 48 bytes)."""
    import base64

    return base64.urlsafe_b64encode(secrets.token_bytes(48)).decode("ascii")


def audit_actions(api: Any, admin: str) -> List[str]:
    return [event["action"] for event in all_items(api, "/v1/audit", admin)]


def all_items(api: Any, path: str, key: str, *, limit: int = 100, **query: str) -> List[Dict[str, Any]]:
    """Walk a paginated list to its end."""
    items: List[Dict[str, Any]] = []
    for page in pages(api, path, key, limit=limit, **query):
        items.extend(page)
    return items


def pages(api: Any, path: str, key: str, *, limit: int = 100, **query: str) -> Iterator[List[Dict[str, Any]]]:
    cursor: Optional[str] = None
    params = {"limit": str(limit), **query}
    while True:
        qs = "&".join(f"{k}={v}" for k, v in {**params, **({"cursor": cursor} if cursor else {})}.items())
        reply = api.get(f"{path}?{qs}", key=key)
        assert reply.status == 200, reply
        assert set(reply.json) == {"items", "next_cursor"}, reply.json
        yield reply.json["items"]
        cursor = reply.json["next_cursor"]
        if not cursor:
            return
