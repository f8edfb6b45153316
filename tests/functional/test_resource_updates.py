"""Updates that cannot expose a redacted value, through the admin API as an app developer uses it.

1. `PUT` replaces, but never drops rules by omission: on a resource with redaction rules (or scopes)
   a body without `redact` (or `scopes`) is 422 naming the field, and nothing changes; `[]` / `{}`
   clear them on purpose.
2. `PATCH` applies a JSON Merge Patch (RFC 7396): a status push keeps the secret `***`, `null`
   removes a member, `application/merge-patch+json` and `application/json` are both read.
3. Resources carry an ETag (header and `etag` field); `If-Match` on PUT/PATCH answers 412
   `precondition_failed` once the resource changed, even when the change lands between the
   check and the write (the version is a condition of the write itself).
4. The tenant's `default_redact` (on by default) hides the usual secret names on every resource.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional

import boto3

from chalicelib.runtime.caches import TENANT_TTL_SECONDS
from chalicelib.storage.models import ResourceHead
from tests.conftest import Api, Reply
from tests.functional.conftest import Env
from tests.support import (RESOURCE_BODY, TenantKeys, Unchanged, assert_error, fields_of, fresh_ip, make_link,
                           refused, table_items)

MERGE_PATCH = {"content-type": "application/merge-patch+json"}


def refused_in_the_write(env: Env, send: Callable[[], Reply], status: int, code: str) -> Dict[str, Any]:
    """Like `refused`, for refusals the transaction itself decides: the tables are compared item by
    item instead of reading the stream (moto streams the items of a cancelled transaction before
    rolling the table back; DynamoDB never does)."""
    before = table_items(env.svc)
    reply = send()
    assert table_items(env.svc) == before, "a refused request changed the table"
    return assert_error(reply, status, code)


def view(api: Api, token: str, headers: Optional[Dict[str, str]] = None) -> Reply:
    return api.get(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip(), **(headers or {})})


def resource(env: Env, tenant: TenantKeys) -> Reply:
    return env.api.get(f"/v1/resources/{tenant.resource_id}", key=tenant.viewer)


def status_push(**extra: Any) -> Dict[str, Any]:
    """What an app pushes on every status change: a new document, and nothing about rules."""
    return {"type": "monitor", "name": "Checkout", **extra,
            "document": {"title": "Checkout API", "status": "down",
                         "auth": {"bearer_token": "n3w-s3cr3t-bearer", "user": "svc"}}}


# --- 1. PUT never drops rules by omission --------------------------------------------------------

def test_a_put_without_redact_on_a_redacted_resource_is_422_and_changes_nothing(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a resource with redact ["bearer_token", "password"] and an open link
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    before = resource(env, tenant).json
    # WHEN the app pushes a new document without `redact` (scopes sent, so only redact is missing)
    for body in (status_push(scopes=RESOURCE_BODY["scopes"]), status_push(scopes=RESOURCE_BODY["scopes"], redact=None)):
        send = lambda body=body: env.api.put(f"/v1/resources/{tenant.resource_id}",  # noqa: E731
                                             key=tenant.operator, body=body)
        # THEN 422 naming `redact`, saying how to clear on purpose, and nothing was written
        error = refused_in_the_write(env, send, 422, "validation_error")
        assert [d["field"] for d in error["details"]] == ["redact"]
        assert '"redact": []' in error["details"][0]["message"]
    # AND the resource and what the viewer sees are unchanged: the token is still ***
    assert resource(env, tenant).json == before
    shown = view(env.api, link["token"])
    assert shown.json["document"]["auth"]["bearer_token"] == "***" and b"s3cr3t" not in shown.body


def test_redact_empty_clears_the_rules_on_purpose(env: Env, tenant: TenantKeys) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    # WHEN the app says `"redact": []`
    reply = env.api.put(f"/v1/resources/{tenant.resource_id}", key=tenant.operator,
                        body=status_push(redact=[], scopes={}))
    # THEN the rules are gone
    assert reply.status == 200 and reply.json["redact"] == [], reply
    # AND the tenant's default secret names still hide the bearer token
    assert view(env.api, link["token"]).json["document"]["auth"]["bearer_token"] == "***"
    # AND with the defaults turned off, the viewer sees what was published without rules
    assert env.api.patch("/v1/tenant", key=tenant.admin, body={"default_redact": False}).status == 200
    env.clock.advance(TENANT_TTL_SECONDS + 1)  # viewers follow a tenant change within the tenant cache's time
    assert view(env.api, link["token"]).json["document"]["auth"]["bearer_token"] == "n3w-s3cr3t-bearer"


def test_a_put_without_scopes_on_a_resource_with_scopes_is_422(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a link scoped to `summary` (title and status only)
    link = make_link(env.api, tenant.operator, tenant.resource_id, scope="summary")
    # WHEN a replace leaves `scopes` out (or sends null)
    for body in (status_push(redact=["bearer_token"]), status_push(redact=["bearer_token"], scopes=None)):
        send = lambda body=body: env.api.put(f"/v1/resources/{tenant.resource_id}",  # noqa: E731
                                             key=tenant.operator, body=body)
        # THEN 422 naming `scopes`, nothing written
        error = refused(env.svc, send, 422, "validation_error")
        assert [d["field"] for d in error["details"]] == ["scopes"]
    # AND the scoped link still shows only its fields
    assert set(view(env.api, link["token"]).json["document"]) == {"title", "status"}
    # AND clearing them on purpose while a link uses one is the 409 that names it
    send = lambda: env.api.put(f"/v1/resources/{tenant.resource_id}", key=tenant.operator,  # noqa: E731
                               body=status_push(redact=["bearer_token"], scopes={}))
    assert [d["field"] for d in refused(env.svc, send, 409, "conflict")["details"]] == ["scopes.summary"]
    # AND once no link uses it, `"scopes": {}` clears them
    env.api.delete(f"/v1/links/{link['id']}", key=tenant.operator)
    assert env.api.put(f"/v1/resources/{tenant.resource_id}", key=tenant.operator,
                       body=status_push(redact=["bearer_token"], scopes={})).json["scopes"] == {}


def test_a_resource_without_rules_is_replaced_without_saying_them(env: Env, tenant: TenantKeys) -> None:
    plain = {"type": "t", "name": "n", "document": {"a": 1}}
    assert env.api.put("/v1/resources/plain", key=tenant.operator, body=plain).status == 201
    assert env.api.put("/v1/resources/plain", key=tenant.operator, body={**plain, "document": {"a": 2}}).status == 200


# --- 2. PATCH merges ----------------------------------------------------------------------------

def test_a_merge_patch_status_push_keeps_the_secret_masked(env: Env, tenant: TenantKeys) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    # WHEN the app pushes only what changed, as application/merge-patch+json
    reply = env.api.patch(f"/v1/resources/{tenant.resource_id}", key=tenant.operator, headers=MERGE_PATCH,
                          body={"document": {"status": "degraded", "auth": {"bearer_token": "r0tated-bearer"}}})
    # THEN the change is merged into the document; rules, scopes and untouched members stay
    assert reply.status == 200, reply
    assert reply.json["document"]["status"] == "degraded"
    assert reply.json["document"]["auth"] == {"bearer_token": "r0tated-bearer", "user": "svc"}
    assert reply.json["document"]["history"] == RESOURCE_BODY["document"]["history"]
    assert reply.json["redact"] == RESOURCE_BODY["redact"] and reply.json["scopes"] == RESOURCE_BODY["scopes"]
    # AND the viewer sees the new status with the token still ***
    shown = view(env.api, link["token"])
    assert shown.json["document"]["status"] == "degraded"
    assert shown.json["document"]["auth"]["bearer_token"] == "***" and b"r0tated" not in shown.body


def test_null_removes_a_member_and_application_json_is_read_the_same(env: Env, tenant: TenantKeys) -> None:
    path = f"/v1/resources/{tenant.resource_id}"
    # WHEN a patch (as plain application/json) removes a member with null and sets name and type
    reply = env.api.patch(path, key=tenant.operator,
                          body={"name": "Checkout (EU)", "type": "service", "document": {"history": None}})
    # THEN
    assert reply.status == 200, reply
    assert "history" not in reply.json["document"] and reply.json["document"]["title"] == "Checkout API"
    assert (reply.json["name"], reply.json["type"]) == ("Checkout (EU)", "service")
    assert resource(env, tenant).json["document"] == reply.json["document"]


def test_patch_replaces_the_redact_list_and_merges_scopes(env: Env, tenant: TenantKeys) -> None:
    path = f"/v1/resources/{tenant.resource_id}"
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    # arrays are replaced whole (RFC 7396): the new list is the list
    reply = env.api.patch(path, key=tenant.operator, body={"redact": ["bearer_token", "user"]})
    assert reply.json["redact"] == ["bearer_token", "user"]
    assert view(env.api, link["token"]).json["document"]["auth"] == {"bearer_token": "***", "user": "***"}
    # objects merge: a scope is added, then removed with null
    added = env.api.patch(path, key=tenant.operator, body={"scopes": {"status_only": ["status"]}})
    assert added.json["scopes"] == {**RESOURCE_BODY["scopes"], "status_only": ["status"]}
    removed = env.api.patch(path, key=tenant.operator, body={"scopes": {"status_only": None}})
    assert removed.json["scopes"] == RESOURCE_BODY["scopes"]


def test_patch_refuses_what_would_remove_a_resource_member_or_break_it(env: Env, tenant: TenantKeys) -> None:
    path = f"/v1/resources/{tenant.resource_id}"
    cases = [
        ({"redact": None}, ["redact"]), ({"scopes": None}, ["scopes"]), ({"name": None}, ["name"]),
        ({"type": None}, ["type"]), ({"document": None}, ["document"]), ({"owner": "me"}, ["owner"]),
        ({"document": [1, 2]}, ["document"]), ({"name": ""}, ["name"]), ({"redact": "bearer_token"}, ["redact"]),
        ({"scopes": {"summary": []}}, ["scopes.summary"]),
    ]
    for body, fields in cases:
        send = lambda body=body: env.api.patch(path, key=tenant.operator, body=body)  # noqa: E731
        error = refused(env.svc, send, 422, "validation_error")
        assert [d["field"] for d in error["details"]] == fields, (body, error)
    # a patch whose result is too big is 413, one nested too deep 422
    big = {"document": {"blob": "x" * (256 * 1024)}}
    assert_error(env.api.patch(path, key=tenant.operator, body=big), 413, "payload_too_large")
    deep: Dict[str, Any] = {}
    node = deep
    for _ in range(80):
        node["n"] = {}
        node = node["n"]
    assert fields_of(env.api.patch(path, key=tenant.operator, body={"document": deep})) == ["document"]
    # not found, role, and a body that is not an object
    assert_error(env.api.patch("/v1/resources/nope", key=tenant.operator, body={"name": "x"}), 404, "not_found")
    assert_error(env.api.patch(path, key=tenant.viewer, body={"name": "x"}), 403, "forbidden")
    assert_error(env.api.patch(path, key=tenant.operator, raw=b"[1]"), 400, "bad_request")


def test_a_patch_that_changes_nothing_writes_nothing(env: Env, tenant: TenantKeys) -> None:
    before = resource(env, tenant).json
    with Unchanged(env.svc):
        reply = env.api.patch(f"/v1/resources/{tenant.resource_id}", key=tenant.operator,
                              body={"document": {"status": "up"}, "name": "Checkout"})
    assert reply.status == 200 and reply.json == before


# --- 3. ETag and If-Match -----------------------------------------------------------------------

def test_resources_carry_an_etag_that_changes_with_every_write(env: Env, tenant: TenantKeys) -> None:
    path = f"/v1/resources/{tenant.resource_id}"
    got = resource(env, tenant)
    assert got.headers["etag"] == got.json["etag"] and got.json["etag"].startswith('"')
    patched = env.api.patch(path, key=tenant.operator, body={"document": {"status": "down"}})
    assert patched.headers["etag"] == patched.json["etag"] != got.json["etag"]
    replaced = env.api.put(path, key=tenant.operator, body={**RESOURCE_BODY, "name": "v3"})
    assert replaced.headers["etag"] == replaced.json["etag"] not in (got.json["etag"], patched.json["etag"])
    listed = env.api.get("/v1/resources", key=tenant.viewer).json["items"]
    assert [r["etag"] for r in listed if r["id"] == tenant.resource_id] == [replaced.json["etag"]]


def test_if_match_makes_put_and_patch_conditional(env: Env, tenant: TenantKeys) -> None:
    path = f"/v1/resources/{tenant.resource_id}"
    stale = resource(env, tenant).json["etag"]
    # GIVEN a client that read the resource, then someone else changed it
    fresh = env.api.patch(path, key=tenant.operator, body={"document": {"status": "degraded"}}).json["etag"]
    # WHEN the first client writes with its stale ETag THEN 412, nothing written
    for send in (lambda: env.api.patch(path, key=tenant.operator, headers={"if-match": stale},
                                       body={"document": {"status": "up"}}),
                 lambda: env.api.put(path, key=tenant.operator, headers={"if-match": stale}, body=RESOURCE_BODY)):
        refused(env.svc, send, 412, "precondition_failed")
    assert resource(env, tenant).json["document"]["status"] == "degraded"
    # AND with the current ETag (alone, in a list, or *) the write goes through
    ok = env.api.patch(path, key=tenant.operator, headers={"if-match": f'"0-nope", {fresh}'},
                       body={"document": {"status": "up"}})
    assert ok.status == 200 and ok.json["document"]["status"] == "up"
    assert env.api.put(path, key=tenant.operator, headers={"if-match": "*"}, body=RESOURCE_BODY).status == 200
    # AND a weak tag never matches
    weak = "W/" + resource(env, tenant).json["etag"]
    assert_error(env.api.patch(path, key=tenant.operator, headers={"if-match": weak}, body={"name": "w"}),
                 412, "precondition_failed")


def test_if_match_on_a_missing_resource_and_if_none_match_star(env: Env, tenant: TenantKeys) -> None:
    body = {"type": "t", "name": "n", "document": {}}
    send = lambda: env.api.put("/v1/resources/new-one", key=tenant.operator,  # noqa: E731
                               headers={"if-match": "*"}, body=body)
    refused(env.svc, send, 412, "precondition_failed")
    created = env.api.put("/v1/resources/new-one", key=tenant.operator, headers={"if-none-match": "*"}, body=body)
    assert created.status == 201, created
    send = lambda: env.api.put("/v1/resources/new-one", key=tenant.operator,  # noqa: E731
                               headers={"if-none-match": "*"}, body=body)
    refused(env.svc, send, 412, "precondition_failed")


def test_an_etag_of_a_deleted_resource_never_matches_its_successor(env: Env, tenant: TenantKeys) -> None:
    body = {"type": "t", "name": "n", "document": {}}
    first = env.api.put("/v1/resources/reborn", key=tenant.operator, body=body).json["etag"]
    assert env.api.delete("/v1/resources/reborn", key=tenant.operator).status == 204
    second = env.api.put("/v1/resources/reborn", key=tenant.operator, body=body).json
    assert second["version"] == 1 and second["etag"] != first
    assert_error(env.api.patch("/v1/resources/reborn", key=tenant.operator, headers={"if-match": first},
                               body={"name": "x"}), 412, "precondition_failed")


def test_a_change_between_the_check_and_the_write_is_a_412_not_a_lost_update(env: Env, tenant: TenantKeys) -> None:
    """The If-Match check is part of the conditional write: another writer that commits after the
    check (here, just before the PATCH's transaction is sent) makes the write fail, and the PATCH
    answers 412 instead of overwriting it."""
    path = f"/v1/resources/{tenant.resource_id}"
    etag = resource(env, tenant).json["etag"]
    client = env.svc.store.client
    ddb = boto3.client("dynamodb", region_name=env.svc.settings.region)
    pk, sk = ResourceHead.key(tenant.tenant_id, tenant.resource_id)
    raced = []

    def other_writer_first(**kwargs: Any) -> None:
        if not raced:
            raced.append(True)
            ddb.update_item(TableName=env.svc.settings.table_name, Key={"pk": {"S": pk}, "sk": {"S": sk}},
                            UpdateExpression="SET version = version + :one", ExpressionAttributeValues={":one": {"N": "1"}})

    client.meta.events.register_first("before-call.dynamodb.TransactWriteItems", other_writer_first)
    try:
        reply = env.api.patch(path, key=tenant.operator, headers={"if-match": etag},
                              body={"document": {"status": "overwritten?"}})
    finally:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", other_writer_first)
    assert raced and reply.status == 412, reply
    assert resource(env, tenant).json["document"]["status"] == "up"


# --- 4. default redaction -----------------------------------------------------------------------

SECRETS_DOCUMENT = {
    "service": "billing", "apiKey": "ak_live_1", "tokens_used": 1234, "token_count": 7,
    "db": {"host": "db.internal", "password": "pw-1", "password_policy": "strong"},
    "headers": [{"X-API-Key": "hk-1", "Accept": "application/json"}, {"Set-Cookie": "sid=abc"}],
    "oauth": {"client_secret": "cs-1", "refresh_token": "rt-1", "token_type": "Bearer", "has_password": True},
}
SECRET_VALUES = ("ak_live_1", "pw-1", "hk-1", "sid=abc", "cs-1", "rt-1")


def test_default_redaction_hides_the_usual_secret_names_on_every_resource(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a tenant with the default settings and a resource with no rules of its own
    assert env.api.get("/v1/tenant", key=tenant.viewer).json["settings"]["default_redact"] is True
    assert env.api.put("/v1/resources/billing", key=tenant.operator,
                       body={"type": "service", "name": "Billing", "document": SECRETS_DOCUMENT}).status == 201
    link = make_link(env.api, tenant.operator, "billing")
    # WHEN a viewer opens it (JSON and the page)
    data = view(env.api, link["token"])
    page = env.api.get(f"/share/{link['token']}", headers={"x-forwarded-for": fresh_ip()})
    # THEN every secret-named value is ***, at any depth, and the innocent fields are intact
    document = data.json["document"]
    assert document["apiKey"] == "***" and document["db"]["password"] == "***"
    assert document["headers"] == [{"X-API-Key": "***", "Accept": "application/json"}, {"Set-Cookie": "***"}]
    assert document["oauth"] == {"client_secret": "***", "refresh_token": "***", "token_type": "Bearer",
                                 "has_password": True}
    assert (document["tokens_used"], document["token_count"], document["db"]["password_policy"]) == (1234, 7, "strong")
    for value in SECRET_VALUES:
        assert value.encode() not in data.body and value.encode() not in page.body, value
    # AND the admin still reads the document as pushed
    assert env.api.get("/v1/resources/billing", key=tenant.viewer).json["document"] == SECRETS_DOCUMENT


def test_an_admin_may_turn_default_redaction_off_and_on(env: Env, tenant: TenantKeys) -> None:
    assert env.api.put("/v1/resources/billing", key=tenant.operator,
                       body={"type": "service", "name": "Billing", "document": SECRETS_DOCUMENT,
                             "redact": ["host"]}).status == 201
    link = make_link(env.api, tenant.operator, "billing")
    etag = view(env.api, link["token"]).headers["etag"]
    # only an admin may change it, and only to true or false
    assert_error(env.api.patch("/v1/tenant", key=tenant.operator, body={"default_redact": False}), 403, "forbidden")
    assert fields_of(env.api.patch("/v1/tenant", key=tenant.admin, body={"default_redact": "no"})) == ["default_redact"]
    # WHEN an admin turns it off
    off = env.api.patch("/v1/tenant", key=tenant.admin, body={"default_redact": False})
    assert off.status == 200 and off.json["settings"]["default_redact"] is False
    # THEN within the tenant cache's time, an open page's poll sees the change (a new ETag), the
    # resource's own rules still apply
    env.clock.advance(TENANT_TTL_SECONDS + 1)
    shown = view(env.api, link["token"], headers={"if-none-match": etag})
    assert shown.status == 200 and shown.json["document"]["apiKey"] == "ak_live_1"
    assert shown.json["document"]["db"]["host"] == "***"
    # AND turned on again, the values are hidden again
    env.api.patch("/v1/tenant", key=tenant.admin, body={"default_redact": True})
    env.clock.advance(TENANT_TTL_SECONDS + 1)
    assert b"ak_live_1" not in view(env.api, link["token"]).body
    actions = [e["action"] for e in env.api.get("/v1/audit", key=tenant.admin).json["items"]]
    assert actions.count("tenant.settings_updated") == 2


def test_error_bodies_from_resource_writes_never_echo_the_document(env: Env, tenant: TenantKeys) -> None:
    send = lambda: env.api.put(f"/v1/resources/{tenant.resource_id}", key=tenant.operator,  # noqa: E731
                               body=status_push(scopes=RESOURCE_BODY["scopes"]))
    error = refused_in_the_write(env, send, 422, "validation_error")
    assert error["details"][0]["field"] == "redact" and "n3w-s3cr3t" not in json.dumps(error)
