"""What a viewer request costs, asserted on the request sequence (not on time): every dead token
does the same work, no viewer request puts an item in a transaction, a poll reads no document,
a document is read once per version per container, an access event is one write unit.

Every AWS call the process makes is recorded below Keyhole (botocore's `_make_api_call`), with its
parameters, so the assertions are about what DynamoDB would be asked, request by request.
"""
from __future__ import annotations

import base64
import json
import secrets
from typing import Any, Dict, Iterator, List, Tuple

import boto3
import pytest

from chalicelib.tenancy import tenants
from chalicelib.runtime.caches import API_KEY_TTL_SECONDS, TENANT_TTL_SECONDS
from chalicelib.storage.sizes import raw_item_bytes
from tests.conftest import Api

FORM = {"content-type": "application/x-www-form-urlencoded"}
Call = Tuple[str, Dict[str, Any]]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[List[Call]]:
    """Every DynamoDB and KMS call, as (operation, parameters)."""
    from botocore.client import BaseClient

    recorded: List[Call] = []
    original = BaseClient._make_api_call

    def recording(client: Any, operation: str, params: Dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        if service in ("dynamodb", "kms"):
            recorded.append((f"{service}:{operation}", params))
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    yield recorded


def shape(calls: List[Call]) -> List[Tuple[Any, ...]]:
    """The work, without the values: operations, tables, key counts, consistency, what is written."""
    out: List[Tuple[Any, ...]] = []
    for operation, params in calls:
        if operation == "dynamodb:BatchGetItem":
            out.append((operation, tuple(sorted(
                (table, len(request["Keys"]), bool(request.get("ConsistentRead")),
                 tuple(sorted(request["Keys"][0])))
                for table, request in params["RequestItems"].items()))))
        elif operation == "dynamodb:UpdateItem":
            out.append((operation, params["TableName"], params["UpdateExpression"],
                        tuple(sorted(params.get("ExpressionAttributeNames", {}).values())),
                        params.get("ConditionExpression")))
        elif operation == "dynamodb:PutItem":
            out.append((operation, params["TableName"], tuple(sorted(params["Item"]))))
        else:
            out.append((operation,))
    return out


class Shared:
    def __init__(self, svc: Any, api: Api) -> None:
        self.svc, self.api = svc, api
        self.tenant, self.admin = tenants.create_tenant(svc, name="Work Co", plan="team")

    def resource(self, resource_id: str, document: Dict[str, Any]) -> None:
        reply = self.api.put(f"/v1/resources/{resource_id}", key=self.admin,
                             body={"type": "doc", "name": resource_id, "document": document})
        assert reply.status in (200, 201), reply

    def link(self, resource_id: str = "r1", **body: Any) -> Dict[str, Any]:
        reply = self.api.post(f"/v1/resources/{resource_id}/links", key=self.admin, body=body)
        assert reply.status == 201, reply
        return reply.json

    def get(self, path: str, ip: str = "198.51.100.1", **headers: str) -> Any:
        return self.api.get(path, headers={"x-forwarded-for": ip, **headers})


@pytest.fixture
def shared(svc: Any, app_client: Api, clock: Any) -> Shared:
    made = Shared(svc, app_client)
    made.resource("r1", {"status": "up"})
    return made


def dead_tokens(shared: Shared, clock: Any) -> Dict[str, str]:
    """A token of every dead kind, all naming the same tenant where a token can name one."""
    revoked = shared.link()
    assert shared.api.delete(f"/v1/links/{revoked['id']}", key=shared.admin).status == 204
    expired = shared.link(expires_in="1m")
    exhausted = shared.link(max_views=1)
    assert shared.api.call("POST", f"/share/{exhausted['token']}", raw=b"",
                           headers={"x-forwarded-for": "198.51.100.9", **FORM}).status == 200
    shared.resource("gone", {"status": "up"})
    deleted = shared.link("gone")
    assert shared.api.delete("/v1/resources/gone", key=shared.admin).status == 204
    raw = base64.urlsafe_b64decode(revoked["token"] + "=" * (-len(revoked["token"]) % 4))
    unknown = base64.urlsafe_b64encode(secrets.token_bytes(32) + raw[32:]).decode().rstrip("=")
    clock.advance(120)  # the 1-minute link has expired; TTL has not removed its capability yet
    return {"unknown": unknown, "malformed": "this-is-not-a-token", "revoked": revoked["token"],
            "expired": expired["token"], "exhausted": exhausted["token"], "resource deleted": deleted["token"]}


@pytest.mark.parametrize("path, headers", [
    ("/data", {}),
    ("", {}),
    ("/info", {}),
    ("/data", {"if-none-match": '"1.0123456789abcdef0123456789abcdef"'}),
], ids=["data", "page", "info", "poll"])
def test_every_dead_token_costs_the_same_work(shared: Shared, clock: Any, calls: List[Call], path: str,
                                             headers: Dict[str, str]) -> None:
    # GIVEN dead tokens of every kind, and a container that has seen their tenant
    tokens = dead_tokens(shared, clock)
    shared.get(f"/share/{tokens['unknown']}{path}", **headers)
    work = {}
    for kind, token in tokens.items():
        # WHEN each is asked for
        calls.clear()
        reply = shared.get(f"/share/{token}{path}", ip="198.51.100.2", **headers)
        assert reply.status == 404, (kind, reply)
        work[kind] = shape(calls)
    # THEN every kind made exactly the same requests: one read of two keys, one update of the
    # address's failed-resolve window; no access event, no KMS
    assert all(w == work["unknown"] for w in work.values()), json.dumps(work, indent=1, default=str)
    operations = [step[0] for step in work["unknown"]]
    assert operations == ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"]
    (_, tables), update = work["unknown"]
    assert [count for _, count, _, _ in tables] == [2]
    assert update[3] == ("f", "ttl")


def test_a_token_naming_no_tenant_costs_what_an_uncached_tenant_costs(shared: Shared, calls: List[Call],
                                                                     clock: Any) -> None:
    # GIVEN a well-formed token whose tenant part names no tenant, and one of a real tenant that
    # this container has not cached
    nobody = base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")
    clock.advance(TENANT_TTL_SECONDS + 1)
    raw = base64.urlsafe_b64decode(shared.link()["token"] + "=")
    stranger = base64.urlsafe_b64encode(secrets.token_bytes(32) + raw[32:]).decode().rstrip("=")
    work = []
    for token in (nobody, stranger):
        calls.clear()
        assert shared.get(f"/share/{token}/data").status == 404
        work.append(shape(calls))
    # THEN both read the tenant in the same single read: the work depends on the cache, not the token
    assert work[0] == work[1]
    assert [count for _, count, _, _ in work[0][0][1]] == [3]


def test_no_viewer_request_puts_an_item_in_a_transaction(shared: Shared, calls: List[Call]) -> None:
    # GIVEN links of every kind
    plain, limited, capped = shared.link(), shared.link(rate_limit_per_min=100), shared.link(max_views=5)
    protected = shared.link(password="correct horse battery")
    etag = shared.get(f"/share/{plain['token']}/data").headers["etag"]
    calls.clear()
    # WHEN viewers use every route
    for path, method, extra in [
        (f"/share/{plain['token']}", "GET", {}), (f"/share/{plain['token']}/data", "GET", {}),
        (f"/share/{plain['token']}/data", "GET", {"if-none-match": etag}),
        (f"/share/{plain['token']}/info", "GET", {}), (f"/share/{limited['token']}/data", "GET", {}),
        (f"/share/{capped['token']}", "GET", {}), (f"/share/{capped['token']}", "POST", FORM),
        (f"/share/{capped['token']}/data", "POST", {}), (f"/share/{protected['token']}", "GET", {}),
    ]:
        reply = shared.api.call(method, path, raw=b"", headers={"x-forwarded-for": "198.51.100.3", **extra})
        assert reply.status in (200, 304), (path, reply)
    reply = shared.api.call("POST", f"/share/{protected['token']}/unlock", raw=b"password=wrong+guess",
                            headers={"x-forwarded-for": "198.51.100.3", **FORM})
    assert reply.status == 401
    # THEN nothing is written in a transaction, and no KMS call is made: every write is a plain
    # conditional update of a window or the view count, or the put of a new access event
    operations = {operation for operation, _ in calls}
    assert operations <= {"dynamodb:BatchGetItem", "dynamodb:UpdateItem", "dynamodb:PutItem"}, operations
    for operation, params in calls:
        if operation == "dynamodb:UpdateItem":
            key = params["Key"]["pk"]["S"]
            assert key.split("#")[0] in ("IP", "VL", "PW", "CAP"), key
            assert "ConditionExpression" in params
        if operation == "dynamodb:PutItem":
            assert params["Item"]["pk"]["S"].startswith("ACCESS#")
            assert params["Item"]["sk"]["S"].count("#acc_") == 1


def test_a_poll_reads_no_document(shared: Shared, calls: List[Call]) -> None:
    # GIVEN a link to a 100 KB document, fetched once (its ETag known, the container warm)
    big = {"rows": [{"n": n, "text": secrets.token_hex(40)} for n in range(1000)]}
    shared.resource("big", big)
    token = shared.link("big")["token"]
    etag = shared.get(f"/share/{token}/data").headers["etag"]
    calls.clear()
    # WHEN an open page polls with that ETag
    reply = shared.get(f"/share/{token}/data", **{"if-none-match": etag})
    # THEN 304, from one eventually consistent read of the capability and the small viewer head
    assert reply.status == 304
    reads = [params for operation, params in calls if operation.endswith(("GetItem", "BatchGetItem", "Query"))]
    assert len(reads) == 1 and [o for o, _ in calls if o.endswith("GetItem")] == ["dynamodb:BatchGetItem"]
    (request,) = reads[0]["RequestItems"].values()
    assert request["ConsistentRead"] is False
    assert {key["pk"]["S"].split("#")[0] for key in request["Keys"]} == {"CAP", "HEAD"}


def test_a_document_is_read_once_per_version_per_container(shared: Shared, calls: List[Call]) -> None:
    # GIVEN a link to a document too big to travel with its viewer head
    big = {"rows": [{"n": n, "text": secrets.token_hex(40)} for n in range(1000)]}
    shared.resource("big", big)
    token = shared.link("big")["token"]

    def body_reads() -> int:
        return sum(1 for operation, params in calls
                   if operation == "dynamodb:GetItem" and params["Key"]["pk"]["S"].startswith("BODY#"))

    # WHEN it is viewed three times
    for n in range(3):
        reply = shared.get(f"/share/{token}/data", ip=f"198.51.100.{10 + n}")
        assert reply.status == 200 and reply.json["document"] == big
    # THEN its body was read once
    assert body_reads() == 1
    # AND after an update the new version is read once, and served
    changed = {"rows": big["rows"][:900]}
    shared.resource("big", changed)
    calls.clear()
    for n in range(3):
        reply = shared.get(f"/share/{token}/data", ip=f"198.51.100.{20 + n}")
        assert reply.status == 200 and reply.json["document"] == changed
    assert body_reads() == 1


def test_an_access_event_is_one_write_unit_whatever_the_request(shared: Shared, aws: Dict[str, str]) -> None:
    # GIVEN a link on a resource with the longest id, and a request with a huge user agent
    resource_id = "r" * 128
    shared.resource(resource_id, {"status": "up"})
    link = shared.link(resource_id)
    agent = "Mozilla/5.0 " + "ü" * 2000
    # WHEN it is viewed
    reply = shared.api.get(f"/share/{link['token']}/data?" + "q" * 2000,
                           headers={"x-forwarded-for": "2001:db8::ffff:ffff:ffff:ffff", "user-agent": agent})
    assert reply.status == 200
    # THEN its access event is stored in at most 1 KB (one write unit), the user agent shortened
    table = boto3.client("dynamodb", region_name="us-east-1")
    items = [item for shard in range(4) for item in table.query(
        TableName=aws["TableName"], KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"ACCESS#{link['id']}#{shard}"}})["Items"]]
    assert len(items) == 1
    assert raw_item_bytes(items[0]) <= 1024
    assert items[0]["user_agent"]["S"].startswith("Mozilla/5.0 ü")


def test_a_tenant_change_reaches_viewers_within_the_cache_bound(shared: Shared, clock: Any) -> None:
    # GIVEN a link of a team-plan tenant (600 viewer requests a minute per address), opened once
    token = shared.link()["token"]
    clock.advance(60 - clock.time() % 60 + 0.1)
    assert shared.get(f"/share/{token}/data", ip="198.51.100.50").status == 200
    # WHEN ops lowers the tenant's per-address limit to 1
    tenants.set_override(shared.svc, shared.tenant.tenant_id, "viewer_requests_per_min_per_ip", 1)
    # THEN viewer requests may follow the cached tenant for at most TENANT_TTL_SECONDS
    clock.advance(TENANT_TTL_SECONDS + 0.1)
    assert shared.get(f"/share/{token}/data", ip="198.51.100.50").status == 429


def test_an_introspection_reads_the_callers_key_once_per_cache_period(shared: Shared, calls: List[Call],
                                                                     clock: Any) -> None:
    # GIVEN an introspect key of a team-plan tenant (a per-key API limit) and a live link
    key = shared.api.post("/v1/api-keys", key=shared.admin, body={"name": "dash", "role": "introspect"}).json["key"]
    body = {"token": shared.link()["token"], "view": {"ip": "198.51.100.7", "user_agent": "Dash/1.0"}}

    def introspect() -> List[Call]:
        calls.clear()
        reply = shared.api.post("/v1/introspect", key=key, body=body)
        assert reply.status == 200 and reply.json["active"] is True, reply
        return list(calls)

    def keys_read(made: List[Call]) -> int:
        reads = [params for operation, params in made if operation == "dynamodb:BatchGetItem"]
        assert len(reads) == 1, made
        return sum(len(request["Keys"]) for request in reads[0]["RequestItems"].values())

    # WHEN it introspects twice THEN the first reads the key, the tenant, the capability and the head
    assert keys_read(introspect()) == 4
    # AND the second only the token's two items, then writes the key's window (which refuses a
    # deleted key) and the access event: no address window, no transaction
    again = introspect()
    assert keys_read(again) == 2
    writes = [(operation, params) for operation, params in again if operation != "dynamodb:BatchGetItem"]
    assert [operation for operation, _ in writes] == ["dynamodb:UpdateItem", "dynamodb:PutItem"]
    window = writes[0][1]
    assert window["Key"]["pk"]["S"].startswith("AK#") and "revoked" in window["ExpressionAttributeNames"].values()
    # AND past the cache period the key is read again
    clock.advance(API_KEY_TTL_SECONDS + 0.1)
    assert keys_read(introspect()) == 4


def test_an_introspection_of_a_dead_token_counts_only_in_the_callers_windows(shared: Shared, calls: List[Call],
                                                                             clock: Any) -> None:
    # GIVEN an introspect key, and dead tokens of every kind (one of another tenant's live links too)
    key = shared.api.post("/v1/api-keys", key=shared.admin, body={"name": "dash", "role": "introspect"}).json["key"]
    tokens = dead_tokens(shared, clock)
    other, other_admin = tenants.create_tenant(shared.svc, name="Other Co", plan="team")
    assert shared.api.put("/v1/resources/o1", key=other_admin,
                          body={"type": "doc", "name": "o1", "document": {"a": 1}}).status == 201
    tokens["another tenant's live link"] = shared.api.post("/v1/resources/o1/links", key=other_admin,
                                                           body={}).json["token"]
    body = {"token": tokens["unknown"], "view": {"ip": "198.51.100.77"}}
    assert shared.api.post("/v1/introspect", key=key, body=body).status == 200  # the key is cached now
    work = {}
    for kind, token in tokens.items():
        # WHEN each is introspected with a view of one address
        calls.clear()
        reply = shared.api.post("/v1/introspect", key=key, body={"token": token, "view": {"ip": "198.51.100.77"}})
        assert reply.status == 200 and reply.json == {"active": False}, (kind, reply)
        work[kind] = shape(calls)
        writes = [params["Key"]["pk"]["S"] for operation, params in calls if operation == "dynamodb:UpdateItem"]
        # THEN it writes the key's window and the tenant's own window for that address, never the
        # address's global window (the one viewers at that address are judged by)
        assert [pk.split("#")[0] for pk in writes] == ["AK", "IF"], (kind, writes)
        assert writes[1].startswith(f"IF#{shared.tenant.tenant_id}#198.51.100.77#")
    # AND every kind does the same work: one read, two window updates, nothing else
    assert all(w == work["unknown"] for w in work.values()), json.dumps(work, indent=1, default=str)
    assert [step[0] for step in work["unknown"]] == ["dynamodb:BatchGetItem", "dynamodb:UpdateItem",
                                                     "dynamodb:UpdateItem"]
