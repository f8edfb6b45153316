"""Resource updates over real HTTP (`chalice local`, moto serving one request at a time as DynamoDB
applies each request atomically): the media types a client sends for a merge patch, and If-Match
under concurrency, where exactly one of many writers holding the same ETag may win.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List

import pytest
import requests

from chalicelib.tenancy import tenants

pytestmark = pytest.mark.http
PARALLEL = 12
DOCUMENT = {"status": "up", "auth": {"bearer_token": "s3cr3t-bearer"}, "checks": {"db": "ok", "cache": "ok"}}


def _tenant(stack: Any) -> Dict[str, Any]:
    _, admin = tenants.create_tenant(stack.svc, name="patch co", plan="team")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {admin}"
    reply = session.put(f"{stack.api_url}/v1/resources/svc", timeout=60,
                        json={"type": "monitor", "name": "Service", "document": DOCUMENT, "redact": ["bearer_token"]})
    assert reply.status_code == 201, reply.text
    link = session.post(f"{stack.api_url}/v1/resources/svc/links", json={}, timeout=60).json()
    return {"session": session, "url": f"{stack.api_url}/v1/resources/svc", "link": link}


def _in_parallel(count: int, action: Callable[[int], Any]) -> List[Any]:
    barrier = threading.Barrier(count)

    def run(i: int) -> Any:
        barrier.wait()
        return action(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "application/json",
                                          "application/merge-patch+json; charset=utf-8"])
def test_a_merge_patch_is_read_whatever_json_media_type_says_it(http_stack: Any, content_type: str) -> None:
    t = _tenant(http_stack)
    reply = t["session"].patch(t["url"], data=b'{"document": {"status": "down", "checks": {"cache": null}}}',
                               headers={"Content-Type": content_type}, timeout=60)
    assert reply.status_code == 200, reply.text
    assert reply.json()["document"] == {"status": "down", "auth": {"bearer_token": "s3cr3t-bearer"},
                                        "checks": {"db": "ok"}}
    assert reply.headers["ETag"] == reply.json()["etag"] and reply.headers["Cache-Control"] == "no-store"
    shown = requests.get(f"{t['link']['url']}/data", timeout=60)
    assert shown.json()["document"]["auth"]["bearer_token"] == "***" and "s3cr3t" not in shown.text


def test_only_one_of_many_writers_with_the_same_if_match_wins(serial_stack: Any) -> None:
    # GIVEN many clients that all read the resource at the same version
    t = _tenant(serial_stack)
    etag = t["session"].get(t["url"], timeout=60).headers["ETag"]

    def patch(i: int) -> requests.Response:
        return requests.patch(t["url"], json={"document": {"status": f"writer-{i}"}}, timeout=120,
                              headers={"Authorization": t["session"].headers["Authorization"], "If-Match": etag,
                                       "Content-Type": "application/merge-patch+json"})

    # WHEN they all PATCH at once with that ETag
    replies = _in_parallel(PARALLEL, patch)
    # THEN exactly one wins, every other gets 412 precondition_failed
    statuses = sorted(r.status_code for r in replies)
    assert statuses == [200] + [412] * (PARALLEL - 1), statuses
    assert all(r.json()["error"]["code"] == "precondition_failed" for r in replies if r.status_code == 412)
    (winner,) = [r for r in replies if r.status_code == 200]
    # AND the resource is the winner's write, one version on
    now = t["session"].get(t["url"], timeout=60).json()
    assert now["document"]["status"] == winner.json()["document"]["status"]
    assert now["version"] == 2 and now["etag"] == winner.headers["ETag"]


def test_concurrent_patches_without_if_match_all_land(serial_stack: Any) -> None:
    """Without a precondition, a patch that loses a race re-reads and merges again: no update is lost."""
    t = _tenant(serial_stack)
    keys = [f"check{i}" for i in range(6)]

    def patch(i: int) -> requests.Response:
        return t["session"].patch(t["url"], json={"document": {"checks": {keys[i]: "ok"}}}, timeout=120)

    replies = _in_parallel(len(keys), patch)
    assert all(r.status_code == 200 for r in replies), [r.text for r in replies]
    checks = t["session"].get(t["url"], timeout=60).json()["document"]["checks"]
    assert set(keys) <= set(checks), checks
