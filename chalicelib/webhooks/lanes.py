"""Sending deliveries so that one receiver's slowness delays only its own deliveries.

Each endpoint gets lanes of its own: at most `lanes` of its deliveries are in flight at once, taken
in order from its own queue, and a lane never carries another endpoint's deliveries. Lanes are
started one per endpoint first, then second lanes, and so on, so that when a call has more lanes
than threads every endpoint still has one going. No attempt starts after the budget, and every
attempt's timeout is cut to what is left of it, so the whole call ends about when the budget does.

With `breaker`, an endpoint whose attempt failed to connect, timed out, answered 5xx or 429, or took
longer than `slow_seconds` gets no further attempt in that call; the caller learns which endpoints
tripped (`Sent.slow`) and leaves their deliveries to the durable queue.

The consumer remembers the endpoints that tripped for a while (`caches.SlowEndpoints`): their
deliveries skip the inline attempt and go straight to the queue.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from chalicelib.webhooks.transport import Attempt

# (endpoint, delivery, timeout seconds, deadline as a time.monotonic() value) -> the outcome
AttemptFn = Callable[[Any, Any, float, float], Attempt]


@dataclass
class Sent:
    """What a call of `send_in_lanes` did: outcomes by delivery id, and the endpoints that tripped."""

    results: dict[str, Attempt] = field(default_factory=dict)
    slow: set[str] = field(default_factory=set)


def trips(result: Attempt, slow_seconds: float | None) -> bool:
    """No answer, a server error or 429, or an answer slower than `slow_seconds`."""
    if not result.ok and (result.status is None or result.status >= 500 or result.status == 429):
        return True
    return slow_seconds is not None and result.latency_ms > slow_seconds * 1000


def send_in_lanes(
    jobs: Sequence[tuple[Any, Any]],
    attempt: AttemptFn,
    *,
    lanes: int,
    max_threads: int,
    timeout: float,
    budget_seconds: float,
    breaker: bool = False,
    slow_seconds: float | None = None,
) -> Sent:
    """Attempt `(endpoint, delivery)` jobs in per-endpoint lanes within the budget. Jobs not started
    (budget spent, or their endpoint tripped) are left out of the result: they stay queued."""
    sent = Sent()
    if not jobs:
        return sent
    queues: dict[str, deque[tuple[Any, Any]]] = {}
    for endpoint, delivery in jobs:
        queues.setdefault(endpoint.endpoint_id, deque()).append((endpoint, delivery))
    deadline = time.monotonic() + budget_seconds
    lock = threading.Lock()

    def lane(endpoint_id: str) -> None:
        queue = queues[endpoint_id]
        while True:
            left = deadline - time.monotonic()
            with lock:
                if left <= 0 or not queue or endpoint_id in sent.slow:
                    return
                endpoint, delivery = queue.popleft()
            result = attempt(endpoint, delivery, max(0.05, min(timeout, left)), deadline)
            with lock:
                sent.results[delivery.delivery_id] = result
                if breaker and trips(result, slow_seconds):
                    sent.slow.add(endpoint_id)

    order = [
        endpoint_id
        for depth in range(lanes)
        for endpoint_id, queue in queues.items()
        if len(queue) > depth  # an endpoint with one delivery needs one lane
    ]
    with ThreadPoolExecutor(max_workers=max(1, min(max_threads, len(order)))) as pool:
        for future in [pool.submit(lane, endpoint_id) for endpoint_id in order]:
            future.result()
    return sent
