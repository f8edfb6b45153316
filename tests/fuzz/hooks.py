"""Schemathesis hooks for the contract fuzz run (`tests/fuzz/test_schemathesis.py` loads this
module through SCHEMATHESIS_HOOKS):

- auth: every request carries the fuzz tenant's admin key as `Authorization: Bearer`, except a
  request that names its own key in `x-api-key` (the stateful step that uses a key it just
  created: with both headers, Bearer would win); the platform routes (`/v1/tenants`, `/v1/plans`)
  carry the fuzz run's platform key instead (KEYHOLE_FUZZ_PLATFORM_KEY);
- a fresh client IP per request (`X-Forwarded-For`, honoured on the local stage only), so the
  per-IP viewer windows and the enumeration guard, which the functional tests cover, do not
  turn most of the run into 429s;
- two checks of Keyhole's own promises about deletion, which Schemathesis' `use_after_free`
  cannot state: `DELETE /v1/links/{id}` revokes (the URL is dead at once, the record stays for the
  audit trail), so a revoked link's token must answer the one 404 on every viewer route while
  `GET /v1/links/{id}` keeps answering 200 with `status: revoked`; and a deleted API key must
  answer 401 everywhere;
- console sessions: every other exchange of a ticket (`POST /v1/console/session`) gets a fresh
  ticket minted with the fuzz key, and every other sign-out (`DELETE /v1/console/session`) a fresh
  session's token, so the success paths are fuzzed too, not only the refusals of made-up ones;
- a count of every request sent and every status received, with a few samples of each refusal,
  written to KEYHOLE_FUZZ_COUNTS when the run ends.
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
_statuses: Counter[str] = Counter()
_operations: dict[str, Counter[str]] = {}  # phase -> "<operation> <status>" -> requests
_samples: dict[str, list[dict[str, str]]] = {}  # "<operation> <status>" -> a few exchanges, to read what was refused
_ips = itertools.count(1)

LINK_CREATE = "POST /v1/resources/{resource_id}/links"
SHARE_PREFIX = "/share/{token}"


def _header_names(case: Any) -> set[str]:
    return {name.lower() for name in (case.headers or {})}


def _operation(case: Any) -> str:
    return f"{case.operation.method.upper()} {case.operation.path}"


def _sent_as_documented(case: Any, response: Any) -> bool:
    """False for the coverage phase's probes with a method the operation does not take."""
    return str(response.request.method).upper() == case.operation.method.upper()


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


PLATFORM_PATHS = ("/v1/tenants", "/v1/plans")


@schemathesis.auth()
class AdminKey:
    def get(self, case: Any, context: Any) -> str:
        return os.environ["KEYHOLE_FUZZ_KEY"]

    def set(self, case: Any, data: str, context: Any) -> None:
        if "x-api-key" in _header_names(case) or "authorization" in _header_names(case):
            return
        if case.operation.path.startswith(PLATFORM_PATHS):
            data = os.environ["KEYHOLE_FUZZ_PLATFORM_KEY"]
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


_console_turns = itertools.count()


def _fresh_ticket() -> str:
    """A console ticket minted with the fuzz key (the way a product's backend gets one)."""
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 (the local stack's URL)
        os.environ["KEYHOLE_FUZZ_API"] + "/v1/console/sessions",
        data=b"{}",
        method="POST",
        headers={"Authorization": f"Bearer {os.environ['KEYHOLE_FUZZ_KEY']}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
        return str(json.loads(answer.read())["url"].split("#ticket=", 1)[1])


def _fresh_session() -> str:
    import urllib.request

    request = urllib.request.Request(  # noqa: S310 (the local stack's URL)
        os.environ["KEYHOLE_FUZZ_API"] + "/v1/console/session",
        data=json.dumps({"ticket": _fresh_ticket()}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
        return str(json.loads(answer.read())["token"])


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    n = next(_ips)
    case.headers = {**(case.headers or {}), "X-Forwarded-For": f"198.18.{(n >> 8) & 255}.{n & 255}"}
    operation = _operation(case)
    if operation == "POST /v1/console/session" and isinstance(case.body, dict) and "ticket" in case.body:
        if next(_console_turns) % 2 == 0:
            case.body = {**case.body, "ticket": _fresh_ticket()}
    elif operation == "DELETE /v1/console/session" and (case.headers or {}).get("Authorization") == (
        f"Bearer {os.environ['KEYHOLE_FUZZ_KEY']}"
    ):
        if next(_console_turns) % 2 == 0:
            case.headers = {**case.headers, "Authorization": f"Bearer {_fresh_session()}"}


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    operation = _operation(case)
    phase = getattr(getattr(getattr(case, "meta", None), "phase", None), "name", None)
    with _lock:
        _statuses[str(response.status_code)] += 1
        _operations.setdefault(str(getattr(phase, "value", phase)), Counter())[
            f"{operation} {response.status_code}"
        ] += 1
        kept = _samples.setdefault(f"{operation} {response.status_code}", [])
        if response.status_code >= 400 and len(kept) < 3:
            request = response.request
            body = request.body or b""
            kept.append(
                {
                    "request": f"{request.method} {request.path_url}"[:300],
                    "body": (body if isinstance(body, str) else body.decode("utf-8", "replace"))[:300],
                    "response": response.content[:400].decode("utf-8", "replace"),
                }
            )


@schemathesis.check
class RevokedLinksStayDead:
    """A revoked link's token answers the one 404 on every viewer route, and its record stays,
    `status: revoked`, for the audit trail; deleting a resource revokes every link to it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tokens: dict[str, str] = {}  # link id -> token, from the create responses
        self.resources: dict[str, str] = {}  # link id -> resource id
        self.revoked: set[str] = set()  # link ids

    def after_response(self, ctx: Any, response: Any, case: Any) -> None:
        if not _sent_as_documented(case, response):
            return
        operation, params = _operation(case), case.path_parameters or {}
        with self.lock:
            if operation == LINK_CREATE and response.status_code == 201:
                body = _json(response)
                self.tokens[body["id"]] = body["token"]
                self.resources[body["id"]] = body["resource_id"]
            elif operation == "DELETE /v1/links/{link_id}" and response.status_code == 204:
                self.revoked.add(params["link_id"])
            elif operation == "DELETE /v1/resources/{resource_id}" and response.status_code == 204:
                self.revoked.update(lid for lid, rid in self.resources.items() if rid == params["resource_id"])
            dead_tokens = {self.tokens[lid] for lid in self.revoked if lid in self.tokens}
            revoked = set(self.revoked)
        if case.operation.path.startswith(SHARE_PREFIX) and params.get("token") in dead_tokens:
            if response.status_code != 404 and response.status_code != 429:
                raise AssertionError(
                    f"a revoked link's token answered {response.status_code} on {operation}, not the one 404"
                )
        if operation == "GET /v1/links/{link_id}" and params.get("link_id") in revoked and response.status_code == 200:
            status = (_json(response) or {}).get("status")
            if status != "revoked":
                raise AssertionError(f"a revoked link reads as {status!r}, not 'revoked'")


@schemathesis.check
class DeletedKeysStopWorking:
    """A deleted API key answers 401 at once, on every route."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: dict[str, str] = {}  # key id -> key, from the create responses
        self.dead: set[str] = set()  # keys

    def after_response(self, ctx: Any, response: Any, case: Any) -> None:
        if not _sent_as_documented(case, response):
            return
        operation, params = _operation(case), case.path_parameters or {}
        with self.lock:
            if operation == "POST /v1/api-keys" and response.status_code == 201:
                body = _json(response)
                self.keys[body["id"]] = body["key"]
            elif operation == "DELETE /v1/api-keys/{key_id}" and response.status_code == 204:
                if params.get("key_id") in self.keys:
                    self.dead.add(self.keys[params["key_id"]])
            dead = set(self.dead)
        headers = response.request.headers
        sent = {headers.get("x-api-key"), (headers.get("Authorization") or "").removeprefix("Bearer ")}
        if sent & dead and response.status_code != 401:
            raise AssertionError(f"a deleted API key answered {response.status_code} on {operation}, not 401")


@atexit.register
def _write_counts() -> None:
    target = os.environ.get("KEYHOLE_FUZZ_COUNTS")
    if target:
        with open(target, "w") as out:
            json.dump(
                {
                    "requests": sum(_statuses.values()),
                    "statuses": dict(_statuses),
                    "phases": {phase: sum(counts.values()) for phase, counts in _operations.items()},
                    "operations": dict(_operations),
                    "samples": _samples,
                },
                out,
                indent=1,
                sort_keys=True,
            )
