"""Metrics and log context for each invocation (an HTTP request, a stream batch, a scheduled run).

Metrics are CloudWatch Embedded Metric Format lines written by Powertools' EMF provider: namespace
`Keyhole`, dimension `stage`, published when the invocation ends. Metrics that are broken down by a
second dimension (`code` for HTTP errors, `limit` for 429s) are published under both dimension sets,
`[stage]` and `[stage, <dimension>]`, so alarms read the total and dashboards the breakdown. The
names are a contract (alarms and the dashboard are built on them; docs/operations.md lists them):

| metric | unit | when |
|---|---|---|
| `views` | Count | a viewer request recorded as a view (page open or document fetch) |
| `proxied_requests` | Count | a request proxied to an origin (`proxied_request`: the hook for the proxy) |
| `http_4xx`, `http_5xx` | Count | every 4xx / 5xx response; also by `code` (the status, e.g. `404`) |
| `rate_limited` | Count | every 429; also by `limit` (which window refused it) |
| `unavailable_503` | Count | every 503 (DynamoDB or KMS unavailable or throttling) |
| `webhook_deliveries` | Count | a delivery attempt the receiver accepted (2xx) |
| `webhook_failures` | Count | a delivery attempt that failed (non-2xx, timeout, refused) |
| `drain_backlog` | Count | deliveries due when the drain ran (at most its batch size) |
| `sweep_duration_ms` | Milliseconds | one run of the expired-slot sweep |
| `stream_records_failed` | Count | stream records the consumer reported as failed in a batch |

Log context: the invocation's request id (API Gateway's, or the Lambda request id for event
handlers) and, once known, the tenant id are appended to every log line of the invocation
(Powertools' thread-safe keys, so concurrent requests under `chalice local` keep their own).
State is per thread: an invocation runs on one thread.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

NAMESPACE = "Keyhole"

VIEWS = "views"
PROXIED_REQUESTS = "proxied_requests"
HTTP_4XX = "http_4xx"
HTTP_5XX = "http_5xx"
RATE_LIMITED = "rate_limited"
UNAVAILABLE_503 = "unavailable_503"
WEBHOOK_DELIVERIES = "webhook_deliveries"
WEBHOOK_FAILURES = "webhook_failures"
DRAIN_BACKLOG = "drain_backlog"
SWEEP_DURATION_MS = "sweep_duration_ms"
STREAM_RECORDS_FAILED = "stream_records_failed"

# `rate_limited` by `limit`: the plan limit names (docs/api.md), plus the per-link and password windows.
LIMIT_API = "api_requests_per_min"
LIMIT_VIEWER_IP = "viewer_requests_per_min_per_ip"
LIMIT_FAILED_RESOLVES = "failed_resolves_per_min_per_ip"
LIMIT_LINK = "link_rate_limit_per_min"
LIMIT_UNLOCK_ATTEMPTS = "password_attempts_per_min"
LIMIT_UNKNOWN = "unknown"

COUNT, MILLISECONDS = "Count", "Milliseconds"

logger = logging.getLogger(__name__)


@dataclass
class _Scope:
    request_id: str
    tenant_id: str | None = None
    rate_limit: str | None = None
    # (metric, unit, extra dimension name or None, its value or None) -> summed value
    metrics: dict[tuple[str, str, str | None, str | None], float] = field(default_factory=dict)


class _State(threading.local):
    scope: _Scope | None = None


_state = _State()
_stage = "unknown"


def set_stage(stage: str) -> None:
    """The `stage` dimension of every metric (from Settings, when the service is built)."""
    global _stage
    _stage = stage or "unknown"


# --- recording -----------------------------------------------------------------------------


def add(name: str, value: float = 1, *, unit: str = COUNT, dimension: tuple[str, str] | None = None) -> None:
    """Add to a metric of the current invocation (outside one, e.g. in the ops CLI: nothing)."""
    scope = _state.scope
    if scope is None:
        return
    key = (name, unit, dimension[0] if dimension else None, dimension[1] if dimension else None)
    scope.metrics[key] = scope.metrics.get(key, 0) + value


def note_rate_limit(limit: str) -> None:
    """Which window refused the current request; the 429 it answers is counted under it."""
    if _state.scope is not None:
        _state.scope.rate_limit = limit


def http_status(status: int) -> None:
    """Count an HTTP response by class, code, and (429) limit, (503) unavailability."""
    if 400 <= status < 500:
        add(HTTP_4XX, dimension=("code", str(status)))
    elif status >= 500:
        add(HTTP_5XX, dimension=("code", str(status)))
    if status == 429:
        scope = _state.scope
        add(RATE_LIMITED, dimension=("limit", (scope.rate_limit if scope else None) or LIMIT_UNKNOWN))
    if status == 503:
        add(UNAVAILABLE_503)


def view() -> None:
    add(VIEWS)


def proxied_request() -> None:
    """The hook for the origin proxy: call once per request forwarded to an origin."""
    add(PROXIED_REQUESTS)


def webhook_attempt(ok: bool) -> None:
    add(WEBHOOK_DELIVERIES if ok else WEBHOOK_FAILURES)


# --- the invocation ------------------------------------------------------------------------


def request_id() -> str:
    """The current invocation's request id (a fresh one outside an invocation)."""
    scope = _state.scope
    return scope.request_id if scope is not None else uuid.uuid4().hex


def bind_tenant(tenant_id: str | None) -> None:
    """Put the tenant id on the rest of the invocation's log lines (once it is known)."""
    scope = _state.scope
    if scope is None or not tenant_id or scope.tenant_id == tenant_id:
        return
    scope.tenant_id = tenant_id
    _log_keys(tenant_id=tenant_id)


@contextmanager
def invocation(request_id: str | None = None) -> Iterator[_Scope]:
    """One invocation: log keys set for its duration, metrics flushed as EMF when it ends."""
    outer = _state.scope
    scope = _Scope(request_id=request_id or uuid.uuid4().hex)
    _state.scope = scope
    _log_keys(request_id=scope.request_id)
    started = time.monotonic()
    try:
        yield scope
    finally:
        _state.scope = outer
        try:
            flush(scope)
        finally:
            _clear_log_keys()
            if outer is not None:
                _log_keys(request_id=outer.request_id, tenant_id=outer.tenant_id)
            logger.debug("invocation took %d ms", int((time.monotonic() - started) * 1000))


def flush(scope: _Scope) -> None:
    """Write the scope's metrics as EMF: one line per dimension set (Powertools validates them)."""
    if not scope.metrics:
        return
    from aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch import AmazonCloudWatchEMFProvider

    groups: dict[tuple[str | None, str | None], list[tuple[str, str, float]]] = {}
    for (name, unit, dim_name, dim_value), value in scope.metrics.items():
        groups.setdefault((dim_name, dim_value), []).append((name, unit, value))
    for (dim_name, dim_value), metrics in groups.items():
        # service="" keeps Powertools from adding a `service` dimension (POWERTOOLS_SERVICE_NAME is set).
        provider = AmazonCloudWatchEMFProvider(namespace=NAMESPACE, service="")
        provider.add_dimension(name="stage", value=_stage)
        if dim_name and dim_value:
            provider.add_dimensions(stage=_stage, **{dim_name: dim_value})
        for name, unit, value in metrics:
            provider.add_metric(name=name, unit=unit, value=value)
        try:
            provider.flush_metrics()
        except Exception:  # metrics must never fail a request
            logger.warning("metrics could not be written", exc_info=True)
    scope.metrics.clear()


def _log_keys(**keys: Any) -> None:
    from chalicelib.runtime.logs import append_request_keys

    append_request_keys(**{k: v for k, v in keys.items() if v})


def _clear_log_keys() -> None:
    from chalicelib.runtime.logs import clear_request_keys

    clear_request_keys()
