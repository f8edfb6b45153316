"""The view-limit button and password throttling under concurrency, over real HTTP (`chalice
local`) against moto serving one request at a time (DynamoDB's per-request atomicity)."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, List

import pytest
import requests

from chalicelib.tenancy import tenants

pytestmark = pytest.mark.http
PARALLEL = 12
PASSWORD = "correct horse battery"


def share(stack: Any, **link: Any) -> str:
    _, admin = tenants.create_tenant(stack.svc, name="Concurrent viewers", plan="team")
    auth = {"Authorization": f"Bearer {admin}"}
    reply = requests.put(f"{stack.api_url}/v1/resources/r1", json={"type": "doc", "name": "R1", "document": {"a": 1}},
                         headers=auth, timeout=60)
    assert reply.status_code == 201, reply.text
    created = requests.post(f"{stack.api_url}/v1/resources/r1/links", json=link, headers=auth, timeout=60)
    assert created.status_code == 201, created.text
    return created.json()["url"]


def in_parallel(action: Callable[[int], requests.Response]) -> List[int]:
    """Run `action(i)` in PARALLEL threads released together; their statuses, sorted."""
    barrier = threading.Barrier(PARALLEL)

    def run(i: int) -> int:
        barrier.wait()
        return action(i).status_code

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return sorted(pool.map(run, range(PARALLEL)))


def viewer(i: int) -> dict:
    return {"X-Forwarded-For": f"192.0.2.{i + 1}"}


def test_concurrent_presses_never_exceed_the_view_limit(serial_stack: Any) -> None:
    # GIVEN a link that may be viewed 4 times
    url = share(serial_stack, max_views=4)
    # WHEN 12 viewers press the button at the same moment
    statuses = in_parallel(lambda i: requests.post(url, data=b"", headers={
        **viewer(i), "Content-Type": "application/x-www-form-urlencoded"}, timeout=120))
    # THEN exactly 4 see the content, the others get the one not-found page
    assert statuses == [200] * 4 + [404] * 8
    assert requests.get(url, timeout=60).status_code == 404


def test_concurrent_password_guesses_never_exceed_the_window(serial_stack: Any) -> None:
    # GIVEN a password link
    url = share(serial_stack, password=PASSWORD)
    started = time.time()
    # WHEN 12 wrong guesses arrive at the same moment
    statuses = in_parallel(lambda i: requests.post(f"{url}/unlock", json={"password": f"guess number {i}"},
                                                   headers=viewer(i), timeout=120))
    windows = len({int(started // 60), int(time.time() // 60)})
    # THEN at most 5 a minute (the per-link limit) get a verdict; the rest are refused with 429
    assert set(statuses) <= {401, 429}
    if windows == 1:
        assert statuses == [401] * 5 + [429] * 7
    else:  # the guesses straddled a minute boundary: each window let at most 5 through
        assert 5 <= statuses.count(401) <= 5 * windows
