"""The access log of a link: `GET /v1/links/{link_id}/access-logs`, newest first.

It is served straight from the access event items the viewer writes in its request transaction
(`ACCESS#<link_id>` / `<at ms>#<event_id>`): they are durable before the response goes out, carry
the tenant's retention TTL, and their sort key is the newest-first order. The stream consumer
does not copy them anywhere (docs/stream.md explains why).
"""
from __future__ import annotations

from typing import Any, Dict

from .errors import Collector
from .pagination import decode, encode, page, parse_limit
from .storage.models import AccessEvent, LinkRecord

FIELDS = ("at", "ip", "user_agent", "method", "path", "status", "latency_ms", "outcome")


def to_json(event: AccessEvent) -> Dict[str, Any]:
    return {"at": event.at, "ip": event.ip, "user_agent": event.user_agent, "method": event.method,
            "path": event.path, "status": int(event.status), "latency_ms": int(event.latency_ms),
            "outcome": event.outcome}


def list_entries(record: LinkRecord, query: Dict[str, str], *, now: float) -> Dict[str, Any]:
    """A page of entries; entries past their retention are left out even before TTL removes them."""
    errors = Collector()
    limit = parse_limit(query, errors)
    partition = AccessEvent.partition(record.link_id)
    start = decode(query.get("cursor"), partition_attr="pk", partition_value=partition, allowed_attrs=("pk", "sk"),
                   list_id="access-logs")
    errors.raise_if_any()
    results = AccessEvent.query(partition, scan_index_forward=False, limit=limit, last_evaluated_key=start,
                                consistent_read=True)
    items = [to_json(event) for event in results if event.ttl is None or event.ttl > now]
    return page(items, encode(results.last_evaluated_key, list_id="access-logs"))
