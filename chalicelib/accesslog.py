"""The access log of a link: `GET /v1/links/{link_id}/access-logs`, newest first.

It is served straight from the access event items the viewer writes in its request transaction
(`ACCESS#<link_id>` / `<at ms>#<event_id>`): they are durable before the response goes out, carry
the tenant's retention TTL, and their sort key is the newest-first order. The stream consumer
does not copy them anywhere (docs/stream.md explains why).
"""

from __future__ import annotations

from typing import Any

from .pagination import partition_page
from .storage.models import AccessEvent, LinkRecord

FIELDS = ("at", "ip", "user_agent", "method", "path", "status", "latency_ms", "outcome")


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
    return partition_page(
        AccessEvent,
        AccessEvent.partition(record.link_id),
        query,
        to_json,
        list_id="access-logs",
        newest_first=True,
        keep=lambda event: event.ttl is None or event.ttl > now,
    )
