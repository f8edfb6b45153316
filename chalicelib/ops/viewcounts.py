"""Recount links' `view_count` from their access events.

`view_count` is maintained by the stream consumer: each access event with outcome `viewed` is added
once, and marked `counted` in the same transaction (docs/stream.md). Views go missing from the count
only when the consumer never handled their stream records: records Lambda gave up on and that were
not replayed within the stream's 24 hours, a consumer that was down for longer, a restore from
point-in-time recovery into a table whose stream began after the views.

This tool finds, per link, the `viewed` events that were never counted and adds them through the
consumer's own `count_views`, so the result is exactly what the consumer would have done: each view
counted once (a view the consumer counts at the same moment is not counted twice; its conditions
decide), `last_accessed_at` only moving forward. Events newer than `settle_seconds` are left to the
consumer, which is probably handling them right now.

It also checks the invariant `view_count == counted viewed events` where the access log still
covers the link's whole life (created within the tenant's log retention; older events are removed
by TTL, so older links can only be checked for missing views). A link counted more often than its
log shows is reported (`over_counted`), never lowered: that would be a consumer bug to investigate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from ..clock import parse_rfc3339, to_rfc3339_ms
from ..consumer import View, count_views
from ..service import Keyhole
from ..storage.models import AccessEvent, LinkRecord, Tenant
from ..tenants import list_tenant_ids, settings_of

SETTLE_SECONDS = 60
BATCH = 100


@dataclass
class LinkViews:
    link_id: str
    tenant_id: str
    resource_id: str
    view_count: int  # before
    viewed_events: int  # `viewed` access events still in the log
    uncounted: int  # of those, never added to view_count (older than the settle time)
    log_complete: bool = False  # the log covers the link's whole life
    over_counted: int = 0  # view_count above the counted events (complete logs only)
    repaired: int = 0  # uncounted events handed to the consumer's count_views by this run
    view_count_now: int | None = None  # read back after a repair

    @property
    def drifted(self) -> bool:
        return self.uncounted > 0 or self.over_counted > 0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "drifted": self.drifted}


def uncounted_views(events: Iterable[AccessEvent], *, before: str) -> list[View]:
    """`viewed` events the consumer never counted, written before `before` (RFC 3339 ms), as the
    consumer's own `View`s. Depends on how the consumer marks counted events (the `counted` flag)."""
    return [_view(event) for event in events if event.outcome == "viewed" and not event.counted and event.at < before]


def _view(event: AccessEvent) -> View:
    return View(
        sequence="",
        key=(event.pk, event.sk),
        event_id=event.event_id,
        link_id=event.link_id,
        tenant_id=event.tenant_id,
        resource_id=event.resource_id,
        at=event.at,
        ip=event.ip,
        user_agent=event.user_agent,
        method=event.method,
        path=event.path,
        status=int(event.status) if event.status is not None else None,
        latency_ms=int(event.latency_ms) if event.latency_ms is not None else None,
        outcome=event.outcome,
    )


def recount_link(
    svc: Keyhole,
    record: LinkRecord,
    *,
    repair: bool = False,
    retention_days: int = 90,
    settle_seconds: int = SETTLE_SECONDS,
) -> LinkViews:
    now = svc.clock.now()
    before = to_rfc3339_ms(now - timedelta(seconds=settle_seconds))
    events = list(AccessEvent.query(AccessEvent.partition(record.link_id), consistent_read=True))
    viewed = [e for e in events if e.outcome == "viewed"]
    missing = uncounted_views(viewed, before=before)
    complete = parse_rfc3339(record.created_at) >= now - timedelta(days=retention_days)
    counted = sum(1 for e in viewed if e.counted)
    result = LinkViews(
        link_id=record.link_id,
        tenant_id=record.tenant_id,
        resource_id=record.resource_id,
        view_count=int(record.view_count or 0),
        viewed_events=len(viewed),
        uncounted=len(missing),
        log_complete=complete,
        over_counted=max(0, int(record.view_count or 0) - counted) if complete else 0,
    )
    if repair and missing:
        # Each event is counted once, by this call or by the consumer at the same moment.
        count_views(svc, record.link_id, missing)
        result.repaired = len(missing)
        fresh = svc.store.get(LinkRecord, LinkRecord.key(record.link_id))
        result.view_count_now = int(fresh.view_count or 0) if fresh is not None else None
    return result


def links_of(svc: Keyhole, tenant_id: str, resource_id: str | None = None) -> Iterator[LinkRecord]:
    """Every link of a tenant (or of one of its resources), in every state, oldest first."""
    index, partition = (
        (LinkRecord.by_resource, f"T#{tenant_id}#R#{resource_id}#LINKS")
        if resource_id
        else (LinkRecord.by_tenant, f"T#{tenant_id}#LINKS")
    )
    keys: list[tuple[str, str]] = []
    for key in index.query(partition):
        keys.append((key.pk, key.sk))
        if len(keys) == BATCH:
            yield from _records(svc, keys)
            keys = []
    yield from _records(svc, keys)


def _records(svc: Keyhole, keys: list[tuple[str, str]]) -> Iterator[LinkRecord]:
    for record in svc.store.batch_get([(LinkRecord, key) for key in keys]):
        if isinstance(record, LinkRecord):
            yield record


def recount(
    svc: Keyhole,
    *,
    tenant_ids: list[str] | None = None,
    resource_id: str | None = None,
    link_ids: list[str] | None = None,
    repair: bool = False,
    settle_seconds: int = SETTLE_SECONDS,
) -> Iterator[LinkViews]:
    """Recount the named links, or every link of the named tenants (default: every tenant)."""
    retention: dict[str, int] = {}

    def days(tenant_id: str) -> int:
        if tenant_id not in retention:
            tenant = svc.store.get(Tenant, Tenant.key(tenant_id))
            retention[tenant_id] = int(settings_of(tenant)["access_log_retention_days"]) if tenant else 90
        return retention[tenant_id]

    if link_ids:
        records: Iterable[LinkRecord] = _records(svc, [LinkRecord.key(link_id) for link_id in link_ids])
    else:
        records = (
            record
            for tenant_id in (tenant_ids or list_tenant_ids(svc))
            for record in links_of(svc, tenant_id, resource_id)
        )
    for record in records:
        yield recount_link(
            svc, record, repair=repair, retention_days=days(record.tenant_id), settle_seconds=settle_seconds
        )
