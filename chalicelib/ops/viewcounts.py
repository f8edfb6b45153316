"""Recount links' `view_count` from their access events.

`view_count` is kept by the stream consumer (`chalicelib/links/viewcounts.py`): each access event with
outcome `viewed` is counted once, by per-partition high-water marks of stream sequence numbers
(docs/stream.md). Views go missing from the count only when the consumer never handled their
stream records: records Lambda gave up on (a record sent to the failure queue stays below its
partition's mark once later records are counted, so a replay adds no view for it), a consumer that
was down for longer than the stream's 24 hours, a restore from point-in-time recovery into a table
whose stream began after the views.

This tool compares, per link, the `viewed` events in the access log with the counter and adds the
difference. Events newer than `settle_seconds` are left to the consumer (it is probably counting
them right now), and the number added is `settled events - view_count`, which can only be too low,
never too high: a view counted twice cannot come from this tool. The addition is conditional on
the counter as read, so a view the consumer counts at the same moment makes it read and decide
again. Webhooks are not sent for recounted views.

It also checks `view_count <= viewed events` where the access log still covers the link's whole
life (created within the tenant's log retention; older events are removed by TTL, so older links
can only be checked for missing views). A link counted more often than its log shows is reported
(`over_counted`), never lowered: that would be a consumer bug to investigate.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.links import viewcounts
from chalicelib.ops.exceptions import OpsError
from chalicelib.runtime.clock import parse_rfc3339, to_rfc3339_ms
from chalicelib.service import Keyhole
from chalicelib.storage.models import AccessEvent, LinkRecord, LinkViews, Tenant
from chalicelib.tenancy.tenants import list_tenant_ids, settings_of

SETTLE_SECONDS = 60
BATCH = 100
REPAIR_ATTEMPTS = 8


@dataclass
class LinkRecount:
    link_id: str
    tenant_id: str
    resource_id: str
    view_count: int  # before
    viewed_events: int  # `viewed` access events still in the log
    uncounted: int  # settled events the counter lacks (a lower bound: see the module's docstring)
    log_complete: bool = False  # the log covers the link's whole life
    over_counted: int = 0  # view_count above the viewed events (complete logs only)
    repaired: int = 0  # views added by this run
    view_count_now: int | None = None  # read back after a repair

    @property
    def drifted(self) -> bool:
        return self.uncounted > 0 or self.over_counted > 0

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "drifted": self.drifted}


def viewed_events(link_id: str) -> list[AccessEvent]:
    """The link's `viewed` access events still in the log, from every partition."""
    return [
        event
        for partition in AccessEvent.partitions(link_id)
        for event in AccessEvent.query(partition, consistent_read=True)
        if event.outcome == "viewed"
    ]


def recount_link(
    svc: Keyhole,
    record: LinkRecord,
    *,
    repair: bool = False,
    retention_days: int = 90,
    settle_seconds: int = SETTLE_SECONDS,
) -> LinkRecount:
    now = svc.clock.now()
    cutoff = to_rfc3339_ms(now - timedelta(seconds=settle_seconds))
    events = viewed_events(record.link_id)
    settled = [event for event in events if event.at < cutoff]
    count = viewcounts.read(svc.store, [record.link_id])[record.link_id].view_count
    complete = parse_rfc3339(record.created_at) >= now - timedelta(days=retention_days)
    result = LinkRecount(
        link_id=record.link_id,
        tenant_id=record.tenant_id,
        resource_id=record.resource_id,
        view_count=count,
        viewed_events=len(events),
        uncounted=max(0, len(settled) - count),
        log_complete=complete,
        over_counted=max(0, count - len(events)) if complete else 0,
    )
    if repair and result.uncounted:
        latest = max(event.at for event in settled)
        result.repaired, result.view_count_now = _add_missing(svc, record.link_id, len(settled), count, latest)
    return result


def _add_missing(svc: Keyhole, link_id: str, settled: int, count: int, latest: str) -> tuple[int, int]:
    """Raise the counter to `settled` views, conditional on the count as read (the consumer may
    count at the same moment: then read again and decide again). Returns (added, count now)."""
    key = {"pk": {"S": LinkViews.key(link_id)[0]}}
    for _attempt in range(REPAIR_ATTEMPTS):
        missing = settled - count
        if missing <= 0:
            return 0, count
        was: dict[str, Any] = {  # (a link's counter item is made with it, at 0 or without a count)
            "ConditionExpression": "attribute_not_exists(view_count) OR view_count = :was"
            if count == 0
            else "view_count = :was",
            "ExpressionAttributeValues": {":was": {"N": str(count)}},
        }
        values = {":n": {"N": str(missing)}, ":latest": {"S": latest}, **was.pop("ExpressionAttributeValues", {})}
        try:
            svc.store.client.update_item(
                TableName=LinkViews.Meta.table_name,
                Key=key,
                UpdateExpression="ADD view_count :n SET last_accessed_at = if_not_exists(last_accessed_at, :latest)",
                ExpressionAttributeValues=values,
                **was,
            )
            return missing, settled
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise OpsError(f"could not update the view count of {link_id}: {error}") from error
        except BotoCoreError as error:
            raise OpsError(f"could not update the view count of {link_id}: {error}") from error
        count = viewcounts.read(svc.store, [link_id])[link_id].view_count
    raise OpsError(f"the view count of {link_id} kept changing while it was repaired; run the recount again")


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
) -> Iterator[LinkRecount]:
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
