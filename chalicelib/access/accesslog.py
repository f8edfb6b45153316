"""The access log of a link: `GET /v1/links/{link_id}/access-logs`, newest first.

It is served straight from the access event items the viewer writes during the request
(`ACCESS#<link_id>#<shard>` / `<at ms>#<event_id>`): they are durable before the response goes
out, carry the tenant's retention TTL, and their sort key is the newest-first order. A link's
events are spread over `AccessEvent.SHARDS` partitions so one busy link is not capped by one
partition's write throughput (docs/capacity.md); a page merges them (`pagination.sharded_page`).
The stream consumer does not copy them anywhere (docs/stream.md explains why).
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.runtime.pagination import newest_first, sharded_page
from chalicelib.storage.models import AccessEvent, LinkRecord

FIELDS = ("at", "ip", "user_agent", "method", "path", "status", "latency_ms", "outcome")
_SORT_KEY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z#acc_[0-9a-f]{20}")


def to_json(event: AccessEvent) -> dict[str, Any]:
    return {
        "at": event.at,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "method": event.method,
        "path": event.path,
        "status": int(event.status),
        "latency_ms": int(event.latency_ms),
        "outcome": event.outcome,
    }


def list_entries(record: LinkRecord, query: dict[str, str], *, now: float) -> dict[str, Any]:
    """A page of entries; entries past their retention are left out even before TTL removes them."""
    return sharded_page(
        AccessEvent,
        AccessEvent.partitions(record.link_id),
        query,
        to_json,
        list_id="access-logs",
        owner=record.link_id,
        sort_key=_SORT_KEY,
        keep=lambda event: event.ttl is None or event.ttl > now,
    )


def events(link_id: str) -> list[AccessEvent]:
    """Every access event of a link still stored, newest first (ops tools and tests)."""
    return list(newest_first(AccessEvent, AccessEvent.partitions(link_id), None, None))
