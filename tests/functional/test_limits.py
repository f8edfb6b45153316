"""Plan limits on links, one request at a time: each limit, each way a slot is freed.

GIVEN/WHEN/THEN. Concurrency is in test_concurrency.py (moto served one request at a time).
"""
from __future__ import annotations

from typing import Any, Dict

import pytest

from chalicelib.links import limits
from chalicelib.tenancy import tenants


def make_tenant(svc: Any, api: Any, plan: str = "free", **overrides: Any) -> Dict[str, Any]:
    tenant, admin = tenants.create_tenant(svc, name=f"{plan} co", plan=plan, overrides=overrides or None)
    for rid in ("r1", "r2", "r3"):
        reply = api.put(f"/v1/resources/{rid}", key=admin, body={"type": "doc", "name": rid, "document": {"v": rid}})
        assert reply.status == 201, reply
    return {"id": tenant.tenant_id, "key": admin}


def create(api: Any, key: str, rid: str = "r1", **body: Any) -> Any:
    return api.post(f"/v1/resources/{rid}/links", key=key, body=body)


def usage(api: Any, key: str) -> Dict[str, int]:
    return api.get("/v1/tenant", key=key).json["usage"]


def test_free_plan_allows_one_link_per_resource_and_says_how_to_free_a_slot(svc, app_client):
    # GIVEN a free tenant with one link on r1
    t = make_tenant(svc, app_client)
    assert create(app_client, t["key"]).status == 201
    # WHEN a second link is created on r1
    refused = create(app_client, t["key"])
    # THEN 409 limit_reached names the limit, its value and what frees a slot; nothing was written
    assert refused.status == 409
    error = refused.json["error"]
    assert error["code"] == "limit_reached" and error["limit"] == "links_per_resource" and error["limit_value"] == 1
    assert "links_per_resource" in error["message"] and "revoke" in error["how_to_free"]
    assert usage(app_client, t["key"]) == {"active_links": 1, "shared_resources": 1}
    assert len(app_client.get("/v1/links?status=all", key=t["key"]).json["items"]) == 1


def test_free_plan_shares_at_most_two_resources(svc, app_client):
    t = make_tenant(svc, app_client)
    assert create(app_client, t["key"], "r1").status == 201
    assert create(app_client, t["key"], "r2").status == 201
    refused = create(app_client, t["key"], "r3")
    assert refused.status == 409 and refused.json["error"]["limit"] == "shared_resources"
    assert refused.json["error"]["limit_value"] == 2
    assert usage(app_client, t["key"]) == {"active_links": 2, "shared_resources": 2}


def test_revoking_frees_the_slot_and_revoking_twice_frees_it_once(svc, app_client):
    t = make_tenant(svc, app_client)
    first = create(app_client, t["key"], "r1").json
    create(app_client, t["key"], "r2")
    assert app_client.delete(f"/v1/links/{first['id']}", key=t["key"]).status == 204
    assert app_client.delete(f"/v1/links/{first['id']}", key=t["key"]).status == 204
    assert usage(app_client, t["key"]) == {"active_links": 1, "shared_resources": 1}
    # the freed shared slot lets another resource be shared, and r1 can have a link again
    assert create(app_client, t["key"], "r3").status == 201
    assert create(app_client, t["key"], "r1").status == 409  # two resources shared again: r2, r3
    assert limits.recount(svc, t["id"]).drifted is False


def test_an_expired_link_frees_its_slot_from_its_expiry_on(svc, app_client, clock):
    # GIVEN a free tenant whose only slot on r1 is held by a link expiring in 1 hour
    t = make_tenant(svc, app_client)
    assert create(app_client, t["key"], "r1", expires_in="1h").status == 201
    assert create(app_client, t["key"], "r1").status == 409
    # WHEN the hour passes (TTL has not deleted anything: moto never does, AWS lags)
    clock.advance(3601)
    # THEN a create reclaims the expired link's slot and succeeds, counted once
    assert create(app_client, t["key"], "r1").status == 201
    assert usage(app_client, t["key"]) == {"active_links": 1, "shared_resources": 1}
    assert limits.recount(svc, t["id"]).drifted is False
    statuses = sorted(i["status"] for i in app_client.get("/v1/links?status=all", key=t["key"]).json["items"])
    assert statuses == ["active", "expired"]


def test_expired_links_free_shared_resource_slots_too(svc, app_client, clock):
    t = make_tenant(svc, app_client)
    create(app_client, t["key"], "r1", expires_in="10m")
    create(app_client, t["key"], "r2", expires_in="10m")
    assert create(app_client, t["key"], "r3").status == 409
    clock.advance(601)
    assert create(app_client, t["key"], "r3").status == 201
    assert usage(app_client, t["key"]) == {"active_links": 1, "shared_resources": 1}


def test_the_sweep_frees_expired_slots_before_anyone_needs_them(svc, app_client, clock):
    t = make_tenant(svc, app_client)
    create(app_client, t["key"], "r1", expires_in="5m")
    clock.advance(301)
    assert limits.sweep_expired_slots(svc, [t["id"]]) == 1
    assert limits.sweep_expired_slots(svc, [t["id"]]) == 0  # never frees twice
    assert usage(app_client, t["key"]) == {"active_links": 0, "shared_resources": 0}


def test_an_exhausted_link_frees_its_slot(svc, app_client):
    t = make_tenant(svc, app_client)
    link = create(app_client, t["key"], "r1", max_views=1).json
    assert app_client.post(f"/share/{link['token']}/data").status == 200
    assert app_client.post(f"/share/{link['token']}/data").status == 404
    assert create(app_client, t["key"], "r1").status == 201
    assert usage(app_client, t["key"]) == {"active_links": 1, "shared_resources": 1}
    old = app_client.get(f"/v1/links/{link['id']}", key=t["key"]).json
    assert old["status"] == "exhausted"


def test_deleting_a_resource_frees_its_slots(svc, app_client):
    t = make_tenant(svc, app_client, plan="team")
    for _ in range(3):
        create(app_client, t["key"], "r1")
    create(app_client, t["key"], "r2")
    assert usage(app_client, t["key"]) == {"active_links": 4, "shared_resources": 2}
    assert app_client.delete("/v1/resources/r1", key=t["key"]).status == 204
    assert usage(app_client, t["key"]) == {"active_links": 1, "shared_resources": 1}
    revoked = app_client.get("/v1/links?status=revoked", key=t["key"]).json["items"]
    assert len(revoked) == 3 and all(i["revoked_at"] for i in revoked)
    assert limits.recount(svc, t["id"]).drifted is False


def test_team_plan_allows_ten_links_per_resource(svc, app_client):
    t = make_tenant(svc, app_client, plan="team")
    results = [create(app_client, t["key"], "r1").status for _ in range(11)]
    assert results == [201] * 10 + [409]


def test_ops_override_and_custom_plan_change_the_effective_limits(svc, app_client):
    t = make_tenant(svc, app_client)
    tenants.set_override(svc, t["id"], "links_per_resource", 3)
    assert [create(app_client, t["key"], "r1").status for _ in range(4)] == [201, 201, 201, 409]
    tenants.put_plan(svc, "partner", {"links_per_resource": 5, "shared_resources": "unlimited"})
    tenants.set_plan(svc, t["id"], "partner")
    view = app_client.get("/v1/tenant", key=t["key"]).json
    assert view["plan"] == "partner"
    assert view["limits"]["links_per_resource"] == 3  # the tenant's override still wins
    assert view["limits"]["shared_resources"] is None  # unlimited
    tenants.set_override(svc, t["id"], "links_per_resource", None, clear=True)
    assert app_client.get("/v1/tenant", key=t["key"]).json["limits"]["links_per_resource"] == 5


def test_changing_a_plan_refreshes_every_tenant_on_it(svc, app_client):
    a = make_tenant(svc, app_client)
    tenants.put_plan(svc, "growth", {"links_per_resource": 2})
    tenants.set_plan(svc, a["id"], "growth")
    _, refreshed = tenants.put_plan(svc, "growth", {"links_per_resource": 4})
    assert refreshed == 1
    assert app_client.get("/v1/tenant", key=a["key"]).json["limits"]["links_per_resource"] == 4


def test_recount_reports_and_repairs_drift(svc, app_client):
    # GIVEN counters knocked out of step behind the service's back (as a bug or a manual edit would)
    t = make_tenant(svc, app_client, plan="team")
    create(app_client, t["key"], "r1")
    from chalicelib.storage.models import ResourceHead, Tenant

    ResourceHead(*ResourceHead.key(t["id"], "r1")).update(actions=[ResourceHead.active_links.set(7)])
    Tenant(*Tenant.key(t["id"])).update(actions=[Tenant.shared_resources.set(5)])
    # WHEN ops recount THEN the drift is reported, and --repair sets it right
    report = limits.recount(svc, t["id"])
    assert report.drifted and report.to_json()["resources"] == [{"resource_id": "r1", "counted": 7, "actual": 1}]
    limits.recount(svc, t["id"], repair=True)
    assert limits.recount(svc, t["id"]).drifted is False
    assert usage(app_client, t["key"]) == {"active_links": 1, "shared_resources": 1}


@pytest.mark.parametrize("plan,expected", [("free", (1, 2)), ("team", (10, 1000)), ("enterprise", (100, None))])
def test_plans_carry_the_spec_numbers(svc, app_client, plan, expected):
    t = make_tenant(svc, app_client, plan=plan)
    view = app_client.get("/v1/tenant", key=t["key"]).json
    assert (view["limits"]["links_per_resource"], view["limits"]["shared_resources"]) == expected


def test_revoking_a_link_as_it_expires_frees_its_slot_once(svc, app_client, clock):
    # GIVEN a link that has just expired and whose slot the sweep already freed
    t = make_tenant(svc, app_client, plan="team")
    link = create(app_client, t["key"], "r1", expires_in="1m").json
    create(app_client, t["key"], "r2")
    clock.advance(61)
    assert limits.sweep_expired_slots(svc, [t["id"]]) == 1
    # WHEN an admin revokes it anyway THEN it is revoked, and no slot is freed a second time
    assert app_client.delete(f"/v1/links/{link['id']}", key=t["key"]).status == 204
    assert usage(app_client, t["key"]) == {"active_links": 1, "shared_resources": 1}
    assert app_client.get(f"/v1/links/{link['id']}", key=t["key"]).json["status"] == "revoked"
    assert limits.recount(svc, t["id"]).drifted is False


def test_reclaiming_after_a_revoke_frees_nothing(svc, app_client, clock):
    t = make_tenant(svc, app_client, plan="team")
    link = create(app_client, t["key"], "r1", expires_in="1m").json
    assert app_client.delete(f"/v1/links/{link['id']}", key=t["key"]).status == 204
    clock.advance(61)
    assert limits.sweep_expired_slots(svc, [t["id"]]) == 0
    assert usage(app_client, t["key"]) == {"active_links": 0, "shared_resources": 0}
    assert limits.recount(svc, t["id"]).drifted is False


def test_ops_cli_recount_reports_no_drift(svc, app_client, capsys):
    from chalicelib.ops import cli as opscli

    t = make_tenant(svc, app_client)
    create(app_client, t["key"], "r1")
    # the CLI builds its own service from KEYHOLE_* variables: point it at the same tables
    import os

    env = {"KEYHOLE_TABLE": svc.settings.table_name, "KEYHOLE_COUNTERS_TABLE": svc.settings.counters_table_name,
           "KEYHOLE_KMS_KEY_ID": svc.settings.kms_key_id}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        assert opscli.main(["usage", "recount", "--tenant", t["id"]]) == 0
    finally:
        os.environ.update({k: v for k, v in saved.items() if v is not None})
    out = capsys.readouterr().out
    assert '"drifted": false' in out
