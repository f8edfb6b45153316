"""Replay protection for signed requests: each `webhook-id` is accepted once while its timestamp
is inside the tolerance window (older ones fail the timestamp check anyway, so they are forgotten)."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class ReplayStore(Protocol):
    def first_time(self, message_id: str, timestamp: int, *, now: float | None = None) -> bool:
        """True the first time a message id is seen (and remember it), False after."""


class ReplayCache:
    """In memory, per process, thread-safe. Several processes or hosts behind one origin need a
    shared store (Redis `SET id 1 NX EX <2 x tolerance>` is the usual one): implement
    `first_time` over it and pass that instead."""

    def __init__(self, tolerance: float = 300, max_entries: int = 100_000) -> None:
        self.keep_seconds = 2 * tolerance
        self.max_entries = max_entries
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_time(self, message_id: str, timestamp: int, *, now: float | None = None) -> bool:
        current = time.time() if now is None else now
        with self._lock:
            if len(self._seen) >= self.max_entries or len(self._seen) % 1024 == 0:
                self._forget(current)
            if message_id in self._seen:
                return False
            self._seen[message_id] = max(float(timestamp), current) + self.keep_seconds
            return True

    def _forget(self, now: float) -> None:
        for key in [k for k, until in self._seen.items() if until < now]:
            del self._seen[key]
        while len(self._seen) >= self.max_entries:  # full of live entries: drop the oldest
            del self._seen[next(iter(self._seen))]
