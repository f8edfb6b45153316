"""A tenant's usage per UTC day: views and links created (`GET /v1/tenants/{id}/usage`, 90 days).

Counted by the stream consumer, once per batch: `count_batch` adds each tenant's views (access
events with outcome `viewed`) and new links (link records inserted live) of the batch to that
tenant's day item in the counters table (`UD#<tenant>#<day>`, no stream), one `UpdateItem` per
tenant per day the batch touches (one per tenant, but at midnight), never one per view.

Only platform tenants' records count (the viewer and link creation flag them `daily`: a tenant
no platform key manages has no usage route, and its views cost no usage write). A view counts
when the consumer counts it first on its link's counter (the partition marks make that exactly
once, so a redelivered batch adds no view, wherever it failed); a new link counts when its record is
before the first record the batch reports failed (Lambda sends that one and everything after it
again). A failure to write a day item is logged and not retried: retrying would mean sending the batch
again, which would count its other tenants twice. Usage is a report, not a limit.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import timedelta
from typing import Any

from chalicelib.runtime.clock import parse_rfc3339
from chalicelib.service import Keyhole
from chalicelib.storage.models import Tenant, TenantDay

logger = logging.getLogger(__name__)

DAYS = 90
RETENTION_DAYS = 100  # a day item outlives the window it is shown in


def _string(image: Mapping[str, Any], name: str) -> str | None:
    value = image.get(name)
    return value.get("S") if isinstance(value, Mapping) else None


def tally(
    records: Sequence[Mapping[str, Any]], failed: set[str], newly_counted: AbstractSet[str]
) -> Counter[tuple[str, str, str]]:
    """(tenant, day, what) -> how many: the views in `newly_counted` (wherever they are in the
    batch: the link's counter has them, so no redelivery counts them again) and the new links
    before the first failed record."""
    counts: Counter[tuple[str, str, str]] = Counter()
    before_failure = True
    for record in records:
        stream = record.get("dynamodb") or {}
        sequence = str(stream.get("SequenceNumber", ""))
        before_failure = before_failure and sequence not in failed
        if record.get("eventName") != "INSERT":
            continue
        image = stream.get("NewImage") or {}
        if (image.get("daily") or {}).get("BOOL") is not True:  # not a platform tenant's: no usage kept
            continue
        pk = _string(stream.get("Keys") or {}, "pk") or ""
        tenant_id = _string(image, "tenant_id")
        if pk.startswith("ACCESS#") and _string(image, "outcome") == "viewed" and sequence in newly_counted:
            at, what = _string(image, "at"), "views"
        elif before_failure and pk.startswith("LINK#") and (_string(image, "state") or "live") == "live":
            at, what = _string(image, "created_at"), "links_created"
        else:
            continue
        if tenant_id and at and len(at) >= 10:
            counts[(tenant_id, at[:10], what)] += 1
    return counts


def count_batch(
    svc: Keyhole,
    records: Sequence[Mapping[str, Any]],
    failures: Sequence[Mapping[str, Any]],
    newly_counted: AbstractSet[str] = frozenset(),
) -> int:
    """Add the batch's newly counted views (`newly_counted`: sequence numbers of the views the
    consumer counted first in this batch) and new links to their tenants' days; returns the writes."""
    failed = {str(f.get("itemIdentifier")) for f in failures}
    counts = tally(records, failed, newly_counted)
    days: dict[tuple[str, str], dict[str, int]] = {}
    for (tenant_id, day, what), n in counts.items():
        days.setdefault((tenant_id, day), {})[what] = n
    written = 0
    for (tenant_id, day), added in days.items():
        try:
            expires = int(parse_rfc3339(f"{day}T00:00:00Z").timestamp()) + RETENTION_DAYS * 86400
            TenantDay(*TenantDay.key(tenant_id, day)).update(
                actions=[
                    TenantDay.views.add(added.get("views", 0)),
                    TenantDay.links_created.add(added.get("links_created", 0)),
                    TenantDay.ttl.set(expires),
                ]
            )
            written += 1
        except Exception as error:  # a report: never fail (and so recount) the batch for it
            logger.warning("usage of %s on %s not counted: %s", tenant_id, day, type(error).__name__)
    return written


def usage(svc: Keyhole, tenant: Tenant) -> dict[str, Any]:
    """The last 90 UTC days, oldest first (today included), with totals: one BatchGetItem."""
    today = svc.clock.now().date()
    dates = [(today - timedelta(days=n)).isoformat() for n in range(DAYS - 1, -1, -1)]
    found = svc.store.batch_get([(TenantDay, TenantDay.key(tenant.tenant_id, day)) for day in dates], consistent=False)
    days = [
        {
            "date": day,
            "views": int(item.views or 0) if isinstance(item, TenantDay) else 0,
            "links_created": int(item.links_created or 0) if isinstance(item, TenantDay) else 0,
        }
        for day, item in zip(dates, found, strict=True)
    ]
    return {
        "id": tenant.external_id,
        "days": days,
        "totals": {
            "views": sum(d["views"] for d in days),
            "links_created": sum(d["links_created"] for d in days),
        },
    }
