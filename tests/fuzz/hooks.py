"""Schemathesis hooks for the contract fuzz run (`tests/fuzz/test_schemathesis.py` loads this
module through SCHEMATHESIS_HOOKS):

- auth: every request carries the fuzz tenant's admin key as `Authorization: Bearer`, except a
  request that names its own key in `x-api-key` (the stateful step that uses a key it just
  created: with both headers, Bearer would win);
- a fresh client IP per request (`X-Forwarded-For`, honoured on the local stage only), so the
  per-IP viewer windows and the enumeration guard, which the functional tests cover, do not
  turn most of the run into 429s;
- a count of every request sent and every status received, written to KEYHOLE_FUZZ_COUNTS when
  the run ends.
"""
from __future__ import annotations

import atexit
import itertools
import json
import os
import threading
from collections import Counter
from typing import Any

import schemathesis

_lock = threading.Lock()
_statuses: Counter = Counter()
_operations: Counter = Counter()
_samples: dict = {}  # (operation, status) -> a few response bodies, to read what was refused and why
_ips = itertools.count(1)


def _header_names(case: Any) -> set:
    return {name.lower() for name in (case.headers or {})}


@schemathesis.auth()
class AdminKey:
    def get(self, case: Any, context: Any) -> str:
        return os.environ["KEYHOLE_FUZZ_KEY"]

    def set(self, case: Any, data: str, context: Any) -> None:
        if "x-api-key" in _header_names(case) or "authorization" in _header_names(case):
            return
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    n = next(_ips)
    case.headers = {**(case.headers or {}), "X-Forwarded-For": f"198.18.{(n >> 8) & 255}.{n & 255}"}


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    with _lock:
        _statuses[str(response.status_code)] += 1
        operation = f"{case.operation.method.upper()} {case.operation.path}"
        _operations[operation] += 1
        kept = _samples.setdefault(f"{operation} {response.status_code}", [])
        if response.status_code >= 400 and len(kept) < 3:
            kept.append(response.content[:400].decode("utf-8", "replace"))


@atexit.register
def _write_counts() -> None:
    target = os.environ.get("KEYHOLE_FUZZ_COUNTS")
    if target:
        with open(target, "w") as out:
            json.dump({"requests": sum(_statuses.values()), "statuses": dict(_statuses),
                       "operations": dict(_operations), "samples": _samples}, out, indent=1, sort_keys=True)
