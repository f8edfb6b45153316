"""Limits under concurrency, over real HTTP (`chalice local`) against moto served one request at a
time (DynamoDB's own per-request atomicity; a threaded moto server is not thread-safe).

Every test ends with the ops recount: the counters must equal what the link records hold.
"""
from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List

import pytest
import requests

from chalicelib.links import limits
from chalicelib.tenancy import tenants

pytestmark = pytest.mark.http
PARALLEL = 32


def setup_tenant(stack: Any, plan: str, resources: int, **overrides: Any) -> Dict[str, Any]:
    tenant, admin = tenants.create_tenant(stack.svc, name=f"conc {plan}", plan=plan, overrides=overrides or None)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin}"
    for n in range(resources):
        reply = session.put(f"{stack.api_url}/v1/resources/r{n}", json={"type": "t", "name": f"r{n}", "document": {"n": n}})
        assert reply.status_code == 201, reply.text
    return {"id": tenant.tenant_id, "key": admin, "session": session}


def in_parallel(count: int, action: Callable[[int], Any]) -> List[Any]:
    """Run `action(i)` in `count` threads released together."""
    barrier = threading.Barrier(count)

    def run(i: int) -> Any:
        barrier.wait()
        return action(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def create(stack: Any, key: str, rid: str) -> requests.Response:
    return requests.post(f"{stack.api_url}/v1/resources/{rid}/links", json={},
                         headers={"Authorization": f"Bearer {key}"}, timeout=60)


def assert_no_drift(stack: Any, tenant_id: str) -> Dict[str, Any]:
    report = limits.recount(stack.svc, tenant_id)
    assert not report.drifted, report.to_json()
    return report.to_json()


@pytest.mark.parametrize("plan,limit", [("free", 1), ("team", 10)])
def test_parallel_creates_on_one_resource_stop_exactly_at_the_limit(serial_stack, plan, limit):
    t = setup_tenant(serial_stack, plan, 1)
    replies = in_parallel(PARALLEL, lambda i: create(serial_stack, t["key"], "r0"))
    statuses = sorted(r.status_code for r in replies)
    assert statuses.count(201) == limit, statuses
    assert statuses.count(409) == PARALLEL - limit, statuses
    assert all(r.json()["error"]["limit"] == "links_per_resource" for r in replies if r.status_code == 409)
    usage = assert_no_drift(serial_stack, t["id"])
    assert usage["active_links"] == {"counted": limit, "actual": limit}


def test_parallel_creates_on_distinct_resources_stop_at_the_shared_resources_limit(serial_stack):
    t = setup_tenant(serial_stack, "free", PARALLEL)
    replies = in_parallel(PARALLEL, lambda i: create(serial_stack, t["key"], f"r{i}"))
    statuses = [r.status_code for r in replies]
    assert statuses.count(201) == 2, statuses
    assert {r.json()["error"]["limit"] for r in replies if r.status_code == 409} == {"shared_resources"}
    usage = assert_no_drift(serial_stack, t["id"])
    assert usage["shared_resources"] == {"counted": 2, "actual": 2}


def test_revoke_and_create_churn_leaves_counters_equal_to_a_recount(serial_stack):
    # GIVEN 3 resources allowing 3 links each, and 16 workers creating and revoking at random
    t = setup_tenant(serial_stack, "team", 3, links_per_resource=3)
    headers = {"Authorization": f"Bearer {t['key']}"}

    def churn(worker: int) -> int:
        rng = random.Random(worker)
        mine: List[str] = []
        for _ in range(6):
            if mine and rng.random() < 0.5:
                link_id = mine.pop(rng.randrange(len(mine)))
                assert requests.delete(f"{serial_stack.api_url}/v1/links/{link_id}", headers=headers,
                                       timeout=60).status_code == 204
            else:
                reply = create(serial_stack, t["key"], f"r{rng.randrange(3)}")
                assert reply.status_code in (201, 409), reply.text
                if reply.status_code == 201:
                    mine.append(reply.json()["id"])
        return len(mine)

    kept = sum(in_parallel(16, churn))
    # THEN the counters match the links still active, and no resource ever exceeded its limit
    usage = assert_no_drift(serial_stack, t["id"])
    assert usage["active_links"]["actual"] == kept
    active = t["session"].get(f"{serial_stack.api_url}/v1/links?status=active&limit=100").json()["items"]
    assert len(active) == kept
    per_resource: Dict[str, int] = {}
    for item in active:
        per_resource[item["resource_id"]] = per_resource.get(item["resource_id"], 0) + 1
    assert all(n <= 3 for n in per_resource.values()), per_resource


def test_deleting_a_resource_while_links_are_being_created_on_it(serial_stack):
    t = setup_tenant(serial_stack, "team", 2)
    headers = {"Authorization": f"Bearer {t['key']}"}

    def act(i: int) -> int:
        if i == PARALLEL // 2:
            return requests.delete(f"{serial_stack.api_url}/v1/resources/r0", headers=headers, timeout=60).status_code
        return create(serial_stack, t["key"], "r0").status_code

    statuses = in_parallel(PARALLEL, act)
    assert set(statuses) <= {201, 204, 404, 409}, statuses
    # THEN the resource is gone, none of its links can be opened or holds a slot, and nothing drifted
    assert t["session"].get(f"{serial_stack.api_url}/v1/resources/r0").status_code == 404
    usage = assert_no_drift(serial_stack, t["id"])
    assert usage["active_links"] == {"counted": 0, "actual": 0}
    assert usage["shared_resources"] == {"counted": 0, "actual": 0}


def test_parallel_revokes_of_one_link_free_its_slot_once(serial_stack):
    t = setup_tenant(serial_stack, "team", 1)
    link_ids = [create(serial_stack, t["key"], "r0").json()["id"] for _ in range(2)]
    headers = {"Authorization": f"Bearer {t['key']}"}
    statuses = in_parallel(16, lambda i: requests.delete(f"{serial_stack.api_url}/v1/links/{link_ids[0]}",
                                                         headers=headers, timeout=60).status_code)
    assert set(statuses) == {204}
    usage = assert_no_drift(serial_stack, t["id"])
    assert usage["active_links"] == {"counted": 1, "actual": 1}
    audit = t["session"].get(f"{serial_stack.api_url}/v1/audit?limit=100").json()["items"]
    assert sum(1 for e in audit if e["action"] == "link.revoked" and e["target_id"] == link_ids[0]) == 1
