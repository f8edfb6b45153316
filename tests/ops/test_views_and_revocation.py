"""`opscli views recount` and `opscli links revoke` against the local stack."""
from __future__ import annotations

from typing import Any, Iterator

import boto3
import pytest

from chalicelib.links import viewcounts
from devstack.pump import StreamReader
from tests.ops.kit import HttpApi, run_cli
from tests.stream.kit import Stream
from tests.support import fresh_ip, make_link, make_tenant, new_key, put_resource

pytestmark = pytest.mark.http


@pytest.fixture
def consumer(stack: Any) -> Iterator[Stream]:
    """The table stream of the stack, fed to the Lambda handler in this process."""
    import app as app_module

    app_module.use_service(stack.svc)
    stream = Stream(stack.outputs["TableStreamArn"])
    stream.reader = StreamReader(boto3.client("dynamodbstreams", region_name="us-east-1",
                                              endpoint_url=stack.aws_endpoint), stack.outputs["TableStreamArn"])
    stream.records()  # start after what is already there
    yield stream
    app_module.use_service(None)


def _views(stack: Any, link_id: str) -> int:
    return viewcounts.read(stack.svc.store, [link_id])[link_id].view_count


def test_recount_adds_the_views_the_consumer_never_counted_exactly_once(stack, consumer):
    http = HttpApi(stack.api_url)
    t = make_tenant(stack.svc, http, name="Recount Co")
    link = make_link(http, t.operator, t.resource_id)
    other = make_link(http, t.operator, t.resource_id, label="untouched")
    ip = fresh_ip()
    # GIVEN three views the consumer counted
    for _ in range(3):
        assert http.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status == 200
    consumer.consume()
    assert _views(stack, link["id"]) == 3
    # AND two more whose stream records were lost (read past and never handled: as if they aged
    # out of the stream while the consumer was down)
    for _ in range(2):
        assert http.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status == 200
    lost = consumer.records()
    assert any(r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["pk"]["S"].startswith("ACCESS#") for r in lost)

    # WHEN ops check: the drift is reported (exit 3), nothing changes
    checked = run_cli(stack.env, "views", "recount", "--tenant", t.tenant_id, "--settle-seconds", "0")
    assert checked.code == 3, checked.stderr
    (row,) = checked.json
    assert row["link_id"] == link["id"] and row["view_count"] == 3 and row["viewed_events"] == 5
    assert row["uncounted"] == 2 and row["log_complete"] is True and row["over_counted"] == 0
    assert _views(stack, link["id"]) == 3
    # AND a recount leaves events younger than the settle time to the consumer
    young = run_cli(stack.env, "views", "recount", "--tenant", t.tenant_id, "--settle-seconds", "3600")
    assert young.code == 0 and young.json == []

    # WHEN ops repair
    repaired = run_cli(stack.env, "views", "recount", "--tenant", t.tenant_id, "--settle-seconds", "0", "--repair")
    assert repaired.code == 0, repaired.stderr
    (row,) = repaired.json
    assert row["repaired"] == 2 and row["view_count_now"] == 5
    # THEN the link counts five views; the other link was left alone
    assert _views(stack, link["id"]) == 5 and _views(stack, other["id"]) == 0
    # AND a view after the repair is counted on top, once
    assert http.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status == 200
    consumer.consume()
    assert _views(stack, link["id"]) == 6
    # AND a second recount finds nothing; --all lists every link checked
    again = run_cli(stack.env, "views", "recount", "--tenant", t.tenant_id, "--settle-seconds", "0", "--all")
    assert again.code == 0 and {r["link_id"]: r["drifted"] for r in again.json} == {link["id"]: False,
                                                                                     other["id"]: False}
    one = run_cli(stack.env, "views", "recount", "--link", link["id"], "--settle-seconds", "0", "--all", "--table")
    assert one.code == 0 and one.stdout.splitlines()[1].split()[:4] == [link["id"], "6", "6", "0"]


def test_bulk_revoke_by_key_by_resource_and_by_tenant(stack):
    http = HttpApi(stack.api_url)
    t = make_tenant(stack.svc, http, name="Incident Co")
    put_resource(http, t.admin, "res-2")
    leaked_id, leaked = new_key(http, t.admin, role="operator")
    by_leaked = [make_link(http, leaked, "res-1"), make_link(http, leaked, "res-1"), make_link(http, leaked, "res-2")]
    by_operator = make_link(http, t.operator, "res-1")
    on_res2 = make_link(http, t.operator, "res-2")
    bystander = make_tenant(stack.svc, http, name="Bystander Co")
    theirs = make_link(http, bystander.operator, bystander.resource_id)
    ip = fresh_ip()

    def opens(link: Any) -> bool:
        status = http.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status
        assert status in (200, 404)
        return status == 200

    # WHEN ops list what the leaked key created (dry run): nothing changes
    planned = run_cli(stack.env, "links", "revoke", "--tenant", t.tenant_id, "--created-by", leaked_id, "--dry-run")
    assert planned.code == 0, planned.stderr
    assert sorted(r["link_id"] for r in planned.json) == sorted(link["id"] for link in by_leaked)
    assert {r["status"] for r in planned.json} == {"planned"} and all(opens(link) for link in by_leaked)
    # WHEN ops revoke them
    done = run_cli(stack.env, "links", "revoke", "--tenant", t.tenant_id, "--created-by", leaked_id,
                   "--reason", "leaked key (incident 7)")
    assert done.code == 0, done.stderr
    assert sorted(r["link_id"] for r in done.json) == sorted(link["id"] for link in by_leaked)
    assert {r["status"] for r in done.json} == {"revoked"} and "3 link(s) revoked" in done.stderr
    # THEN exactly those links are dead; the record and its audit event say who and why
    assert not any(opens(link) for link in by_leaked)
    assert opens(by_operator) and opens(on_res2) and opens(theirs)
    shown = http.get(f"/v1/links/{by_leaked[0]['id']}", key=t.viewer).json
    assert shown["status"] == "revoked" and shown["revoked_by"] == {"key_id": "ops", "actor": None}
    events = [e for e in http.get("/v1/audit", key=t.admin).json["items"] if e["action"] == "link.revoked"]
    assert len(events) == 3 and all(e["actor"]["type"] == "ops" for e in events)
    assert {e["details"]["reason"] for e in events} == {"leaked key (incident 7)"}
    # AND usage counts the freed slots
    usage = http.get("/v1/tenant", key=t.viewer).json["usage"]
    assert usage == {"active_links": 2, "shared_resources": 2}

    # WHEN ops revoke everything on one resource, then everything the tenant has left
    res1 = run_cli(stack.env, "links", "revoke", "--tenant", t.tenant_id, "--resource", "res-1")
    assert [r["link_id"] for r in res1.json] == [by_operator["id"]] and not opens(by_operator) and opens(on_res2)
    rest = run_cli(stack.env, "links", "revoke", "--tenant", t.tenant_id)
    assert [r["link_id"] for r in rest.json] == [on_res2["id"]] and not opens(on_res2)
    # THEN another tenant's link still opens, and running it again finds nothing
    assert opens(theirs)
    again = run_cli(stack.env, "links", "revoke", "--tenant", t.tenant_id)
    assert again.code == 0 and again.json == []
    assert http.get("/v1/tenant", key=t.viewer).json["usage"] == {"active_links": 0, "shared_resources": 0}
    # AND one named link (a leaked URL) is revoked only through its own tenant
    wrong = run_cli(stack.env, "links", "revoke", "--tenant", t.tenant_id, "--link", theirs["id"])
    assert wrong.code == 0 and wrong.json == [] and opens(theirs)
    named = run_cli(stack.env, "links", "revoke", "--tenant", bystander.tenant_id, "--link", theirs["id"],
                    "--reason", "URL posted publicly")
    assert [r["status"] for r in named.json] == ["revoked"] and not opens(theirs)
    unknown = run_cli(stack.env, "links", "revoke", "--tenant", "ten_0000000000000000")
    assert unknown.code == 1 and unknown.lines == ["error: No such tenant"]


UNKNOWN_TENANT = "ten_00000000deadbeef"


@pytest.mark.parametrize("args", [
    ["views", "recount", "--tenant", UNKNOWN_TENANT],
    ["views", "recount", "--tenant", UNKNOWN_TENANT, "--repair"],
    ["usage", "sweep", "--tenant", UNKNOWN_TENANT],
    ["kms", "reseal", "--from", "alias/keyhole-old", "--tenant", UNKNOWN_TENANT, "--dry-run"],
], ids=["views-recount", "views-repair", "usage-sweep", "kms-reseal"])
def test_an_unknown_tenant_is_an_error_not_zero_checked(stack, args):
    # WHEN ops name a tenant that does not exist (a typo) THEN one line says so, exit 1, nothing done
    done = run_cli(stack.env, *args)
    assert done.code == 1, done.stderr
    assert done.lines == [f"error: no tenant {UNKNOWN_TENANT}"] and done.stdout == ""
    # AS the other commands do with an unknown tenant
    for other in (["tenant", "show", UNKNOWN_TENANT], ["usage", "recount", "--tenant", UNKNOWN_TENANT],
                  ["links", "revoke", "--tenant", UNKNOWN_TENANT, "--dry-run"]):
        answer = run_cli(stack.env, *other)
        assert answer.code == 1 and len(answer.lines) == 1 and answer.stdout == "", (other, answer.stderr)


def test_a_known_tenant_next_to_an_unknown_one_is_not_recounted_either(stack):
    http = HttpApi(stack.api_url)
    t = make_tenant(stack.svc, http, name="Typo Co")
    done = run_cli(stack.env, "views", "recount", "--tenant", t.tenant_id, "--tenant", UNKNOWN_TENANT, "--all")
    assert done.code == 1 and done.lines == [f"error: no tenant {UNKNOWN_TENANT}"] and done.stdout == ""
