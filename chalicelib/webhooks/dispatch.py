"""Webhook deliveries: fan-out from the stream consumer, the durable retry queue and its drain.

Every (endpoint, event) pair is one `WebhookDelivery` item (docs/stream.md):

- its `delivery_id` (the `webhook-id` header) is derived from the endpoint id and the event id,
  and the item is created with a conditional put, so a replayed stream record re-finds the same
  delivery and never enqueues it twice;
- the item is the endpoint's delivery log entry (attempts, HTTP status, latency, next retry);
- while a retry is due it is also the queue entry: gsi1 `WHQ#<shard>` / `<next attempt>#<id>`,
  which the scheduled drain queries. Delivered or abandoned deliveries drop those keys.

The consumer attempts first deliveries inline, in lanes of their own per endpoint, within a small
bounded part of the batch (`INLINE_BUDGET_SECONDS`); an endpoint that fails, times out or answers
slower than its share (`SLOW_SECONDS`) gets no more inline attempts for a while
(`caches.SlowEndpoints`): its deliveries go straight to the queue. Whatever the consumer did not
attempt, and every retry, goes through the drain, which also sends in per-endpoint lanes, and takes
a fair share of each endpoint's due deliveries per run, so one endpoint's slowness or backlog delays
only its own deliveries (chalicelib/webhooks/lanes.py). Nothing here sleeps to wait for a retry:
the next attempt is a time in the queue.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.runtime import telemetry
from chalicelib.runtime.clock import parse_rfc3339, to_rfc3339, to_rfc3339_ms
from chalicelib.runtime.pagination import sharded_page
from chalicelib.service import Keyhole
from chalicelib.storage.models import WebhookDelivery, WebhookEndpoint, plain
from chalicelib.storage.store import TxnCancelled, error_code
from chalicelib.webhooks.endpoints import cached_endpoints, secret_of, wants
from chalicelib.webhooks.exceptions import SecretUnavailable
from chalicelib.webhooks.lanes import Sent, send_in_lanes
from chalicelib.webhooks.transport import Attempt, attempt

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 300  # retry n waits a random time in [0, min(cap, base * 2**(n-1))] ("full jitter")
BACKOFF_CAP_SECONDS = 8 * 3600
INLINE_LIMIT = 100  # first attempts made by the consumer itself, per batch
INLINE_BUDGET_SECONDS = 1.0  # the whole inline phase of a batch; each attempt's timeout is cut to fit
INLINE_TIMEOUT_SECONDS = 1.0
INLINE_LANES = 2  # inline attempts in flight per endpoint
INLINE_THREADS = 16
SLOW_SECONDS = 0.5  # an endpoint's share: an inline attempt slower than this sidelines the endpoint
LEASE_SECONDS = 30  # deliveries planned inline: the drain leaves them alone this long
DRAIN_TIMEOUT_SECONDS = 5.0
DRAIN_BATCH = 100  # deliveries attempted per drain run
DRAIN_PER_ENDPOINT = 25  # at most this many of them for one endpoint: the others get their turn
DRAIN_SCAN_PER_SHARD = 32  # due queue keys read per page of a queue partition, to choose from fairly
# Pages read past a partition's head while it holds only endpoints that have their share already
# (one endpoint's backlog fills the head of every partition: the others wait behind it otherwise).
DRAIN_SCAN_PAGES = 8
DRAIN_LANES = 4  # drain attempts in flight per endpoint
DRAIN_THREADS = 32
DRAIN_BUDGET_SECONDS = 20.0
QUEUE_SHARDS = 16  # partitions of the retry queue index: every delivery writes it when enqueued and when done
RETENTION_DAYS = 30
TXN_MAX_ITEMS = 100
OPEN = ("pending", "retrying")


@dataclass(frozen=True)
class Event:
    """Something a tenant may subscribe to. `event_id` is deterministic (e.g. `share.expired:<link>`)."""

    event_id: str
    type: str
    tenant_id: str
    at: str  # RFC 3339: when it happened (also the delivery log's sort order)
    data: dict[str, Any] = field(hash=False, compare=False, default_factory=dict)

    def body(self) -> str:
        """The Standard Webhooks payload, serialised the same way every time it is built."""
        return json.dumps(
            {"type": self.type, "timestamp": self.at, "data": self.data},
            sort_keys=True,
            separators=(",", ":"),
            default=_json_default,
        )


def _json_default(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def delivery_id(endpoint_id: str, event_id: str) -> str:
    """The `webhook-id`: the same for every attempt and every replay of one event to one endpoint."""
    return "msg_" + hashlib.sha256(f"{endpoint_id}|{event_id}".encode()).hexdigest()[:32]


def backoff_seconds(failed_attempts: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with full jitter after `failed_attempts` failures (>= 1)."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (max(1, failed_attempts) - 1))
    return (rng or random).uniform(0, ceiling)


def _schedule(delivery: WebhookDelivery, when: datetime) -> None:
    stamp = to_rfc3339(when)
    shard = int(delivery.delivery_id[4:12], 16) % QUEUE_SHARDS
    delivery.next_attempt_at = stamp
    delivery.gsi1pk, delivery.gsi1sk = f"WHQ#{shard}", f"{stamp}#{delivery.delivery_id}"


def _unschedule(delivery: WebhookDelivery) -> None:
    delivery.next_attempt_at = None
    delivery.gsi1pk = delivery.gsi1sk = None


def new_delivery(event: Event, endpoint: WebhookEndpoint, now: datetime, *, due: datetime) -> WebhookDelivery:
    did = delivery_id(endpoint.endpoint_id, event.event_id)
    delivery = WebhookDelivery(
        pk=WebhookDelivery.partition(endpoint.endpoint_id, did),
        sk=f"{to_rfc3339_ms(parse_rfc3339(event.at))}#{did}",
        delivery_id=did,
        endpoint_id=endpoint.endpoint_id,
        tenant_id=endpoint.tenant_id,
        event_type=event.type,
        event_id=event.event_id,
        payload=event.body(),
        status="pending",
        attempts=0,
        history=[],
        created_at=to_rfc3339(now),
        ttl=int(now.timestamp()) + RETENTION_DAYS * 86400,
    )
    _schedule(delivery, due)
    return delivery


def record_attempt(delivery: WebhookDelivery, result: Attempt, now: datetime, rng: random.Random | None = None) -> None:
    """Apply one attempt's outcome: delivered, retry later (backoff), or failed for good."""
    delivery.attempts = int(delivery.attempts or 0) + 1
    stamp = to_rfc3339(now)
    delivery.last_attempt_at = stamp
    delivery.response_status = result.status
    delivery.latency_ms = result.latency_ms
    delivery.error = result.error
    entry = {"at": stamp, "latency_ms": result.latency_ms}
    if result.status is not None:
        entry["response_status"] = result.status
    if result.error:
        entry["error"] = result.error
    delivery.history = ([plain(h) for h in (delivery.history or [])] + [entry])[-MAX_ATTEMPTS:]
    telemetry.webhook_attempt(result.ok)
    if result.ok:
        delivery.status, delivery.delivered_at = "delivered", stamp
        _unschedule(delivery)
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = "failed"
        _unschedule(delivery)
    else:
        delivery.status = "retrying"
        _schedule(delivery, now + timedelta(seconds=backoff_seconds(int(delivery.attempts), rng)))


# --- fan-out (stream consumer) -------------------------------------------------------------


def fan_out(
    svc: Keyhole, events: Iterable[Event], *, inline_limit: int = INLINE_LIMIT, timeout: float = INLINE_TIMEOUT_SECONDS
) -> set[str]:
    """Enqueue a delivery per (subscribed endpoint, event) and try the first few at once.

    Returns the ids of events whose deliveries could not be enqueued: the consumer reports
    their stream records as failed, so Lambda brings them back. Failed *attempts* are not
    failures here: they are queued for retry.
    """
    unique = list({event.event_id: event for event in events}.values())
    if not unique:
        return set()
    now = svc.clock.now()
    failed: set[str] = set()
    planned: list[tuple[Event, WebhookEndpoint, WebhookDelivery, bool]] = []  # (..., leased to this batch)
    by_tenant: dict[str, list[Event]] = {}
    for event in unique:
        by_tenant.setdefault(event.tenant_id, []).append(event)
    inline = 0
    for tenant_id, tenant_events in by_tenant.items():
        try:
            endpoints = cached_endpoints(svc, tenant_id)
        except Exception:
            logger.warning("webhook endpoints of %s could not be read", tenant_id, exc_info=True)
            failed.update(e.event_id for e in tenant_events)
            continue
        for endpoint in endpoints:
            # A slow endpoint's deliveries go to the queue, due at once: the drain sends them.
            slow = svc.slow_endpoints.slow(endpoint.endpoint_id, svc.clock.time())
            for event in tenant_events:
                if wants(endpoint, event.type):
                    leased = not slow and inline < inline_limit
                    inline += leased
                    due = now + timedelta(seconds=LEASE_SECONDS) if leased else now
                    planned.append((event, endpoint, new_delivery(event, endpoint, now, due=due), leased))
    if not planned:
        return failed
    created, not_enqueued = enqueue(svc, [d for _, _, d, _ in planned])
    failed.update(event.event_id for event, _, d, _ in planned if d.delivery_id in not_enqueued)
    jobs = [(endpoint, d) for _, endpoint, d, leased in planned if leased and d.delivery_id in created]
    if jobs:
        sent = send(
            svc,
            jobs,
            lanes=INLINE_LANES,
            max_threads=INLINE_THREADS,
            timeout=timeout,
            budget_seconds=INLINE_BUDGET_SECONDS,
            breaker=True,
            slow_seconds=SLOW_SECONDS,
        )
        for endpoint_id in sent.slow:
            svc.slow_endpoints.put(endpoint_id, True, svc.clock.time())
        if sent.slow:
            logger.info("%d webhook endpoint(s) too slow for inline delivery: queued for a while", len(sent.slow))
        attempted = []
        for _, d in jobs:
            if d.delivery_id in sent.results:
                record_attempt(d, sent.results[d.delivery_id], svc.clock.now())
                attempted.append(d)
        try:
            # Unconditional: these items were created by this invocation and are leased to it.
            with WebhookDelivery.batch_write() as batch:
                for d in attempted:
                    batch.save(d)
        except Exception:
            # Not a failure of the stream records: the deliveries stay queued and the drain
            # attempts them again once the lease runs out (receivers deduplicate by webhook-id).
            logger.warning("could not record %d inline webhook attempts", len(attempted), exc_info=True)
    return failed


def enqueue(svc: Keyhole, deliveries: Sequence[WebhookDelivery]) -> tuple[set[str], set[str]]:
    """Create delivery items that do not exist yet. Returns (created ids, ids that could not be written)."""
    created: set[str] = set()
    failed: set[str] = set()
    for start in range(0, len(deliveries), TXN_MAX_ITEMS):
        pending = list(deliveries[start : start + TXN_MAX_ITEMS])
        for attempt_no in range(5):
            if not pending:
                break
            txn = svc.store.txn()
            for i, d in enumerate(pending):
                txn.put(d, condition=WebhookDelivery.pk.does_not_exist(), tag=f"d{i}")
            try:
                txn.commit()
                created.update(d.delivery_id for d in pending)
                pending = []
            except TxnCancelled as cancelled:
                existing = {i for i in range(len(pending)) if cancelled.failed(f"d{i}")}
                if not existing and not cancelled.conflict:
                    logger.warning("webhook enqueue cancelled: %s", sorted(set(cancelled.reasons.values())))
                    break
                pending = [d for i, d in enumerate(pending) if i not in existing]  # those exist: replays
                if not existing:
                    time.sleep(min(0.5, 0.02 * 2**attempt_no) * random.random())  # noqa: S311 (jitter, not a secret)
            except Exception:
                logger.warning("webhook enqueue failed", exc_info=True)
                break
        failed.update(d.delivery_id for d in pending)
    return created, failed


def send(
    svc: Keyhole,
    jobs: Sequence[tuple[WebhookEndpoint, WebhookDelivery]],
    *,
    lanes: int,
    max_threads: int,
    timeout: float,
    budget_seconds: float,
    breaker: bool = False,
    slow_seconds: float | None = None,
) -> Sent:
    """Attempt each delivery in its endpoint's lanes (HTTP only, no storage calls); see lanes.py
    for what is left out of the result (and stays queued)."""
    secrets_by_endpoint: dict[str, str | None] = {}
    for endpoint, _ in jobs:
        if endpoint.endpoint_id not in secrets_by_endpoint:
            try:
                secrets_by_endpoint[endpoint.endpoint_id] = secret_of(svc, endpoint)
            except SecretUnavailable:
                logger.warning("webhook secret of %s unavailable", endpoint.endpoint_id)
                secrets_by_endpoint[endpoint.endpoint_id] = None
    public_only = not svc.settings.is_local_stage  # the rule the origin proxy follows

    def one(endpoint: WebhookEndpoint, delivery: WebhookDelivery, seconds: float, deadline: float) -> Attempt:
        secret = secrets_by_endpoint[endpoint.endpoint_id]
        if secret is None:
            return Attempt(ok=False, status=None, latency_ms=0, error="signing secret unavailable")
        return attempt(
            endpoint.url,
            secret,
            delivery.delivery_id,
            delivery.payload,
            timeout=seconds,
            public_only=public_only,
            deadline=deadline,
        )

    return send_in_lanes(
        jobs,
        one,
        lanes=lanes,
        max_threads=max_threads,
        timeout=timeout,
        budget_seconds=budget_seconds,
        breaker=breaker,
        slow_seconds=slow_seconds,
    )


# --- the drain (scheduled) -----------------------------------------------------------------


def drain(
    svc: Keyhole,
    *,
    limit: int = DRAIN_BATCH,
    timeout: float = DRAIN_TIMEOUT_SECONDS,
    budget_seconds: float = DRAIN_BUDGET_SECONDS,
) -> dict[str, int]:
    """Attempt every delivery whose next attempt is due; reschedule failures with backoff."""
    now = svc.clock.now()
    now_s = to_rfc3339(now)
    due_keys: list[tuple[str, str, str]] = []  # (pk, sk, when due)
    per_endpoint: Counter[str] = Counter()
    for shard in range(QUEUE_SHARDS):
        start: dict[str, Any] | None = None
        for _ in range(DRAIN_SCAN_PAGES):
            page = WebhookDelivery.due.query(
                f"WHQ#{shard}",
                WebhookDelivery.gsi1sk <= f"{now_s}#~",
                limit=DRAIN_SCAN_PER_SHARD,
                last_evaluated_key=start,
            )
            read = [(key.pk, key.sk, key.gsi1sk or "") for key in page]
            due_keys += read
            per_endpoint.update(_endpoint_of(key[0]) for key in read)
            start = page.last_evaluated_key
            # Read on only while this page held nothing but endpoints that have their share now.
            if start is None or any(per_endpoint[_endpoint_of(key[0])] < DRAIN_PER_ENDPOINT for key in read):
                break
    stats = {"due": 0, "delivered": 0, "retrying": 0, "failed": 0, "cancelled": 0}
    if not due_keys:
        telemetry.add(telemetry.DRAIN_BACKLOG, 0)  # a datapoint every run: the alarm sees 0, not "no data"
        return stats
    keys = fair_share(due_keys, limit=limit, per_endpoint=DRAIN_PER_ENDPOINT)
    # The index is eventually consistent: re-read the items and re-check that they are due.
    items = [
        d
        for d in svc.store.batch_get([(WebhookDelivery, k) for k in keys])
        if isinstance(d, WebhookDelivery) and d.status in OPEN and d.next_attempt_at and d.next_attempt_at <= now_s
    ]
    stats["due"] = len(items)
    telemetry.add(telemetry.DRAIN_BACKLOG, len(due_keys))  # what is due, as far as this run read
    wanted = sorted({(d.tenant_id, d.endpoint_id) for d in items})
    found = svc.store.batch_get([(WebhookEndpoint, WebhookEndpoint.key(t, e)) for t, e in wanted])
    endpoints = {key[1]: ep for key, ep in zip(wanted, found, strict=True) if isinstance(ep, WebhookEndpoint)}
    jobs: list[tuple[WebhookEndpoint, WebhookDelivery]] = []
    for d in items:
        endpoint = endpoints.get(d.endpoint_id)
        if endpoint is None:  # deleted since: stop retrying
            seen = (int(d.attempts or 0), d.status)
            d.status, d.error = "cancelled", "endpoint deleted"
            _unschedule(d)
            if _save_if_unchanged(d, seen):
                stats["cancelled"] += 1
        else:
            jobs.append((endpoint, d))
    seen_by_id = {d.delivery_id: (int(d.attempts or 0), d.status) for _, d in jobs}
    results = (
        send(
            svc, jobs, lanes=DRAIN_LANES, max_threads=DRAIN_THREADS, timeout=timeout, budget_seconds=budget_seconds
        ).results
        if jobs
        else {}
    )
    for _, d in jobs:
        result = results.get(d.delivery_id)
        if result is None:
            continue
        record_attempt(d, result, svc.clock.now())
        if _save_if_unchanged(d, seen_by_id[d.delivery_id]):
            stats[d.status if d.status in stats else "retrying"] += 1
    return stats


def fair_share(keys: Sequence[tuple[str, str, str]], *, limit: int, per_endpoint: int) -> list[tuple[str, str]]:
    """Up to `limit` of the due queue keys `(pk, sk, due)`, taken in turn from each endpoint (named in
    the partition key, `WH#<endpoint>#<n>`), at most `per_endpoint` each, the longest due first."""
    by_endpoint: dict[str, list[tuple[str, str, str]]] = {}
    for key in sorted(keys, key=lambda key: key[2]):
        by_endpoint.setdefault(_endpoint_of(key[0]), []).append(key)
    chosen: list[tuple[str, str]] = []
    for depth in range(per_endpoint):
        for endpoint_keys in by_endpoint.values():
            if len(chosen) >= limit:
                return chosen
            if depth < len(endpoint_keys):
                chosen.append(endpoint_keys[depth][:2])
    return chosen


def _endpoint_of(partition: str) -> str:
    """The endpoint a delivery's partition key (`WH#<endpoint>#<n>`) names."""
    return partition.rsplit("#", 1)[0]


def _save_if_unchanged(delivery: WebhookDelivery, seen: tuple[int, str]) -> bool:
    """Write the outcome unless another drain recorded this attempt first."""
    attempts, status = seen
    condition = (WebhookDelivery.status == status) & (
        WebhookDelivery.attempts == attempts
        if attempts
        else (WebhookDelivery.attempts.does_not_exist() | (WebhookDelivery.attempts == 0))
    )
    try:
        delivery.save(condition=condition)
        return True
    except PutError as error:
        if error_code(error) == "ConditionalCheckFailedException":
            return False
        raise


# --- the delivery log (admin API) ----------------------------------------------------------


def to_json(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.delivery_id,
        "event": delivery.event_type,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempts": int(delivery.attempts or 0),
        "response_status": None if delivery.response_status is None else int(delivery.response_status),
        "latency_ms": None if delivery.latency_ms is None else int(delivery.latency_ms),
        "error": delivery.error,
        "created_at": delivery.created_at,
        "last_attempt_at": delivery.last_attempt_at,
        "next_retry_at": delivery.next_attempt_at if delivery.status in OPEN else None,
        "delivered_at": delivery.delivered_at,
        "history": [plain(h) for h in (delivery.history or [])],
    }


_SORT_KEY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z#msg_[0-9a-f]{32}")


def list_deliveries(svc: Keyhole, endpoint: WebhookEndpoint, query: dict[str, str]) -> dict[str, Any]:
    """The endpoint's delivery log, newest event first, merged from its partitions."""
    return sharded_page(
        WebhookDelivery,
        WebhookDelivery.partitions(endpoint.endpoint_id),
        query,
        to_json,
        list_id="webhook-deliveries",
        owner=endpoint.endpoint_id,
        sort_key=_SORT_KEY,
    )
