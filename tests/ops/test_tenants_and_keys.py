"""Ops CLI against the local stack: suspending and resuming a tenant, listing and revoking its keys,
one output format (JSON, or a table), and one-line errors instead of tracebacks."""
from __future__ import annotations

import json
import os
import re
import time
from typing import Any, Dict

import pytest

from chalicelib.runtime.errors import Unavailable
from chalicelib.storage.models import ApiKeyItem, LinkRecord, ResourceHead
from chalicelib.tenancy import tenants
from devstack.moto_server import free_port
from tests.ops.kit import HttpApi, run_cli
from tests.support import fresh_ip, make_link, make_tenant, random_token

pytestmark = pytest.mark.http


def _without_request_id(headers: Dict[str, str]) -> Dict[str, str]:
    return {k: v for k, v in headers.items() if k not in ("x-request-id", "date", "content-length", "server")}


def _body_without_request_id(reply: Any) -> Any:
    body = json.loads(reply.body) if reply.json is not None else reply.body
    if isinstance(body, dict) and "request_id" in body.get("error", {}):
        body["error"].pop("request_id")
    return body


def test_a_suspended_tenant_gets_everyones_401_and_404_and_comes_back_whole(stack, http: HttpApi):
    t = make_tenant(stack.svc, http, name="Suspended Co")
    link = make_link(http, t.operator, t.resource_id, label="to suspend")
    ip = fresh_ip()
    assert http.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status == 200

    # WHEN ops suspend the tenant
    done = run_cli(stack.env, "tenant", "suspend", t.tenant_id, "--reason", "abuse report 42")
    assert done.code == 0, done.stderr
    assert done.json["suspended"] is True and done.json["changed"] is True and done.json["suspended_at"]

    # THEN every key answers exactly what an unknown key gets (status, body but the request id, headers)
    unknown_key = "kh_" + t.tenant_id[4:] + "_" + "A" * 43
    for key in (t.admin, t.operator, t.viewer):
        mine, theirs = http.get("/v1/tenant", key=key), http.get("/v1/tenant", key=unknown_key)
        assert mine.status == theirs.status == 401
        assert _body_without_request_id(mine) == _body_without_request_id(theirs)
        assert _without_request_id(mine.headers) == _without_request_id(theirs.headers)
    # AND its links answer exactly what a dead link gets, as JSON and as a page
    for suffix in ("/data", "/info", ""):
        mine = http.get(f"/share/{link['token']}{suffix}", headers={"x-forwarded-for": ip})
        theirs = http.get(f"/share/{random_token()}{suffix}", headers={"x-forwarded-for": ip})
        assert mine.status == theirs.status == 404
        assert mine.body == theirs.body
        assert _without_request_id(mine.headers) == _without_request_id(theirs.headers)

    # AND nothing was deleted
    svc = stack.svc
    assert svc.store.get(LinkRecord, LinkRecord.key(link["id"])).state == "live"
    assert svc.store.get(ResourceHead, ResourceHead.key(t.tenant_id, t.resource_id)) is not None
    keys = list(ApiKeyItem.query(f"TENANT#{t.tenant_id}", ApiKeyItem.sk.startswith("KEY#")))
    assert len(keys) == 3

    # WHEN ops suspend it again: nothing changes
    again = run_cli(stack.env, "tenant", "suspend", t.tenant_id)
    assert again.code == 0 and again.json["changed"] is False and "already suspended" in again.stderr

    # WHEN ops resume it: keys and links work again as before
    resumed = run_cli(stack.env, "tenant", "resume", t.tenant_id, "--reason", "cleared")
    assert resumed.code == 0, resumed.stderr
    assert resumed.json["suspended"] is False and resumed.json["changed"] is True
    assert http.get("/v1/tenant", key=t.viewer).status == 200
    assert http.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status == 200
    # AND both changes are in the tenant's audit log, by ops, with the reasons
    events = http.get("/v1/audit", key=t.admin).json["items"]
    by_action = {e["action"]: e for e in events}
    assert by_action["tenant.suspended"]["actor"]["type"] == "ops"
    assert by_action["tenant.suspended"]["details"] == {"reason": "abuse report 42"}
    assert by_action["tenant.resumed"]["details"] == {"reason": "cleared"}
    shown = run_cli(stack.env, "tenant", "show", t.tenant_id)
    assert shown.json["suspended"] is False and shown.json["suspended_at"] is None


@pytest.fixture
def calls(svc: Any) -> Any:
    """Every DynamoDB operation the service's client sends (a botocore hook), with item counts."""
    sent: list = []

    def record(model: Any, params: Dict[str, Any], **_: Any) -> None:
        items = params.get("TransactItems") or []
        keys = sum(len(v.get("Keys", [])) for v in (params.get("RequestItems") or {}).values())
        sent.append((model.name, len(items) or keys or 1))

    svc.store.client.meta.events.register("before-call.dynamodb", record)
    return sent


def test_suspended_and_expired_links_issue_the_same_dynamodb_requests(svc, app_client, clock, calls):
    t = make_tenant(svc, app_client, name="Same Work Co")
    expired = make_link(app_client, t.operator, t.resource_id, expires_in="1h")
    other = make_tenant(svc, app_client, name="Suspended Work Co")
    suspended = make_link(app_client, other.operator, other.resource_id)

    tenants.set_suspended(svc, other.tenant_id, True)
    clock.advance(2 * 3600)  # the first link has expired (its capability is still there: no TTL in moto)
    sequences = []
    for token in (expired["token"], suspended["token"]):
        calls.clear()
        reply = app_client.get(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip()})
        assert reply.status == 404
        sequences.append(list(calls))
    assert sequences[0] == sequences[1] and sequences[0]


def test_key_list_and_revoke(stack, http: HttpApi):
    t = make_tenant(stack.svc, http, name="Keys Co")
    listed = run_cli(stack.env, "key", "list", t.tenant_id)
    assert listed.code == 0, listed.stderr
    assert sorted(k["role"] for k in listed.json) == ["admin", "operator", "viewer"]
    for secret in (t.admin, t.operator, t.viewer):
        assert secret not in listed.stdout and secret[-43:] not in listed.stdout  # never the key itself
    # a table on request: a header row and one row per key
    table = run_cli(stack.env, "key", "list", t.tenant_id, "--table")
    assert table.code == 0 and table.stdout.splitlines()[0].split()[:3] == ["ID", "NAME", "ROLE"]
    assert len(table.stdout.splitlines()) == 4

    # WHEN ops revoke the operator key: it stops working at once, the others keep working
    operator_id = t.key_ids["operator"]
    assert http.get("/v1/tenant", key=t.operator).status == 200
    revoked = run_cli(stack.env, "key", "revoke", t.tenant_id, operator_id)
    assert revoked.code == 0, revoked.stderr
    assert revoked.json["id"] == operator_id and revoked.json["revoked"] is True
    assert http.get("/v1/tenant", key=t.operator).status == 401
    assert http.get("/v1/tenant", key=t.viewer).status == 200
    # AND even the last admin key can be revoked (a leaked key), with a hint to mint a new one
    admin_id = next(k["id"] for k in listed.json if k["role"] == "admin")
    last = run_cli(stack.env, "key", "revoke", t.tenant_id, admin_id)
    assert last.code == 0 and "key create --role admin" in last.stderr
    assert http.get("/v1/tenant", key=t.admin).status == 401
    events = [e for e in stack.svc.store.client.query(
        TableName=stack.svc.settings.table_name, KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"AUDIT#{t.tenant_id}"}})["Items"]]
    deleted = [e for e in events if e["action"]["S"] == "api_key.deleted"]
    assert {e["target_id"]["S"] for e in deleted} == {operator_id, admin_id}
    assert all(e["actor"]["M"]["type"]["S"] == "ops" for e in deleted)
    # AND an unknown key id is a one-line error, not a traceback
    missing = run_cli(stack.env, "key", "revoke", t.tenant_id, "key_" + "0" * 20)
    assert missing.code == 1 and missing.lines == ["error: No such API key"]


def test_one_output_format_json_or_table(stack, http: HttpApi):
    t = make_tenant(stack.svc, http, name="Format Co", resource=False)
    listed = run_cli(stack.env, "tenant", "list")
    assert listed.code == 0, listed.stderr
    mine = [row for row in listed.json if row["id"] == t.tenant_id]
    assert mine and mine[0]["name"] == "Format Co" and mine[0]["suspended"] is False
    table = run_cli(stack.env, "--table", "tenant", "list")
    header, *rows = table.stdout.splitlines()
    assert header.split() == ["ID", "PLAN", "USAGE.ACTIVE_LINKS", "USAGE.SHARED_RESOURCES", "SUSPENDED",
                              "CREATED_AT", "NAME"]
    assert any(row.startswith(t.tenant_id) and row.endswith("Format Co") for row in rows)
    shown = run_cli(stack.env, "tenant", "show", t.tenant_id, "--table")
    assert re.search(rf"^id\s+{t.tenant_id}$", shown.stdout, re.M)
    plans = run_cli(stack.env, "plan", "list")
    assert set(plans.json) >= {"free", "team", "enterprise"}


def test_an_interrupted_suspension_or_resume_is_finished_by_running_it_again(stack, http: HttpApi):
    """The tenant's flag commits first, then each link's capability is flagged (what stops its
    links at once, whatever the viewers' tenant cache holds): when that stops half-way (DynamoDB
    answers 500), running the same command again finishes it."""
    from chalicelib.credentials.tokens import sha256_hex
    from chalicelib.storage.models import Capability
    from tests.stream.faults import AwsFaults

    t = make_tenant(stack.svc, http, name="Interrupted Co")
    links = [make_link(http, t.operator, t.resource_id) for _ in range(3)]

    def flags() -> list:
        return [bool(stack.svc.store.get(Capability, Capability.key(sha256_hex(link["token"]))).suspended)
                for link in links]

    def interrupted(suspended: bool, at_link: int) -> None:
        seen: list = []

        def nth_flag(request: dict) -> bool:
            if request.get("Key", {}).get("pk", {}).get("S", "").startswith("CAP#"):
                seen.append(1)
            return len(seen) == at_link

        faults = AwsFaults(stack.svc.store.client)
        faults.fail("UpdateItem", "InternalServerError", when=nth_flag, times=1)
        try:
            with pytest.raises(Unavailable):
                tenants.set_suspended(stack.svc, t.tenant_id, suspended)
        finally:
            faults.remove()

    # WHEN a suspension stops at the second link, THEN only one link is flagged
    interrupted(True, at_link=2)
    assert sorted(flags()) == [False, False, True]
    # AND running it again flags them all (the tenant's own flag had committed: nothing else changes)
    assert tenants.set_suspended(stack.svc, t.tenant_id, True)[1] is False
    assert flags() == [True, True, True]
    # WHEN a resume stops at the first link, and runs again, THEN every link opens again
    interrupted(False, at_link=1)
    assert tenants.set_suspended(stack.svc, t.tenant_id, False)[1] is False
    assert flags() == [False, False, False]
    deadline = time.monotonic() + 15  # the viewers' tenant item is cached up to 10 s (docs/capacity.md)
    while time.monotonic() < deadline:
        ip = {"x-forwarded-for": fresh_ip()}  # a new address each time: polling trips no guard
        opened = [http.get(f"/share/{link['token']}/data", headers=ip).status for link in links]
        if opened == [200, 200, 200]:
            break
        time.sleep(0.5)
    assert opened == [200, 200, 200]


def test_tenant_show_and_list_print_the_stored_embed_origins(stack, http: HttpApi):
    """`embed_origins` lives in an item of its own: ops see what the tenant set, not []."""
    t = make_tenant(stack.svc, http, name="Framing Co", resource=False)
    origins = ["https://app.example.com", "http://shop.localhost:9000"]
    assert http.patch("/v1/tenant", key=t.admin, body={"embed_origins": origins}).status == 200
    shown = run_cli(stack.env, "tenant", "show", t.tenant_id)
    assert shown.code == 0, shown.stderr
    assert shown.json["settings"]["embed_origins"] == origins
    listed = run_cli(stack.env, "tenant", "list")
    assert [row["settings"]["embed_origins"] for row in listed.json if row["id"] == t.tenant_id] == [origins]
    other = make_tenant(stack.svc, http, name="Unframed Co", resource=False)
    assert run_cli(stack.env, "tenant", "show", other.tenant_id).json["settings"]["embed_origins"] == []


def _bare_env(**extra: str) -> Dict[str, str]:
    """No AWS or Keyhole settings at all, and nowhere to find credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "KEYHOLE_"))}
    env.update({"HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"})
    env.update(extra)
    return env


STAGE_ENV = {"KEYHOLE_TABLE": "keyhole-x", "KEYHOLE_COUNTERS_TABLE": "keyhole-x-counters",
               "KEYHOLE_KMS_KEY_ID": "alias/keyhole-x"}


@pytest.mark.parametrize("args, settings, code, expected", [
    (["tenant", "list"], {}, 2,
     "error: KEYHOLE_TABLE, KEYHOLE_COUNTERS_TABLE, KEYHOLE_KMS_KEY_ID not set: pass --stage NAME"),
    (["tenant", "list"], STAGE_ENV, 2, "error: no AWS credentials found: set AWS_PROFILE"),
    (["--stage", "nope", "tenant", "list"], {}, 2, "error: no AWS credentials found"),
    (["kms", "reseal", "--from", "alias/old"], STAGE_ENV, 2, "error: no AWS credentials found"),
    (["stream", "replay"], STAGE_ENV, 2, "error: no AWS credentials found"),
], ids=["no-settings", "no-credentials", "stage-no-credentials", "reseal-no-credentials", "replay-no-credentials"])
def test_missing_configuration_or_credentials_is_one_line_not_a_traceback(args, settings, code, expected):
    done = run_cli(_bare_env(**settings), *args)
    assert done.code == code, done.stderr
    assert len(done.lines) == 1 and done.lines[0].startswith(expected), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_an_unreachable_endpoint_is_one_line():
    env = _bare_env(**STAGE_ENV, AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", AWS_DEFAULT_REGION="us-east-1",
                    KEYHOLE_AWS_ENDPOINT=f"http://127.0.0.1:{free_port()}")
    done = run_cli(env, "tenant", "show", "ten_0123456789abcdef")
    assert done.code == 1 and len(done.lines) == 1, done.stderr
    assert done.lines[0].startswith("error: cannot reach http://127.0.0.1:") and "make run" in done.lines[0]


def test_a_missing_table_names_what_to_check(stack):
    env = {**stack.env, "KEYHOLE_TABLE": "keyhole-nosuchstage"}
    done = run_cli(env, "tenant", "show", "ten_0123456789abcdef")
    assert done.code == 2 and len(done.lines) == 1, done.stderr
    assert "not found" in done.lines[0] and "keyhole-nosuchstage" in done.lines[0]


def test_stage_settings_come_from_the_stages_stack(stack):
    import boto3

    from devstack import infra

    # GIVEN a stage deployed with its infra stack, named nowhere in .chalice/config.json
    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    outputs = infra.deploy(session, stage="qa7", endpoint_url=stack.aws_endpoint)
    env = _bare_env(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", AWS_DEFAULT_REGION="us-east-1",
                    KEYHOLE_AWS_ENDPOINT=stack.aws_endpoint)
    # WHEN ops create a tenant with --stage and nothing else set
    created = run_cli(env, "--stage", "qa7", "tenant", "create", "--name", "Stage Co")
    assert created.code == 0, created.stderr
    tenant_id = created.json["tenant"]["id"]
    # THEN it is in that stage's table (the stack's TableName output), not another stage's
    ddb = session.client("dynamodb", endpoint_url=stack.aws_endpoint)
    key = {"pk": {"S": f"TENANT#{tenant_id}"}, "sk": {"S": "TENANT"}}
    assert "Item" in ddb.get_item(TableName=outputs["TableName"], Key=key)
    assert "Item" not in ddb.get_item(TableName=stack.outputs["TableName"], Key=key)
    # AND a stage with neither a stack nor a config section is one line saying what to do
    missing = run_cli(env, "--stage", "nope", "tenant", "list")
    assert missing.code == 2 and missing.stdout == "" and len(missing.lines) == 1, missing.stderr
    assert missing.lines[0] == ("error: no stack keyhole-nope in us-east-1 and no stage 'nope' in .chalice/config.json: "
                                "deploy it with `make deploy STAGE=nope REGION=...`, or set AWS_REGION to the stage's "
                                "region")
    # AND a stage only in .chalice/config.json (never deployed with make deploy) still reads its section
    local = run_cli({**env, "KEYHOLE_TABLE": stack.outputs["TableName"]}, "--stage", "dev", "plan", "list")
    assert local.code == 0, local.stderr
