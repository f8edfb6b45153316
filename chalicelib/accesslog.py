"""The access log of a link: `GET /v1/links/{link_id}/access-logs`, newest first.

It is served straight from the access event items the viewer writes during the request
(`ACCESS#<link_id>#<shard>` / `<at ms>#<event_id>`): they are durable before the response goes
out, carry the tenant's retention TTL, and their sort key is the newest-first order. A link's
events are spread over `AccessEvent.SHARDS` partitions so one busy link is not capped by one
partition's write throughput (docs/capacity.md); a page queries each partition for at most
`limit` events before the cursor and merges them by sort key, which is unique (it ends with the
event id), so the cursor is simply the sort key of the page's last entry.
The stream consumer does not copy them anywhere (docs/stream.md explains why).
"""

from __future__ import annotations

import base64
import binascii
import heapq
import json
import re
from collections.abc import Iterator
from typing import Any

from .errors import Collector, ValidationFailed
from .pagination import page, parse_limit
from .storage.models import AccessEvent, LinkRecord

FIELDS = ("at", "ip", "user_agent", "method", "path", "status", "latency_ms", "outcome")
LIST_ID = "access-logs"
_SORT_KEY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z#acc_[0-9a-f]{20}$")


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


def _encode(link_id: str, sort_key: str) -> str:
    data = json.dumps({"list": LIST_ID, "link": link_id, "before": sort_key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(data.encode("utf-8")).decode("ascii").rstrip("=")


def _decode(cursor: str | None, link_id: str) -> str | None:
    """The sort key a cursor resumes before; anything but a cursor of this link's log is a 422."""
    if not cursor:
        return None
    try:
        flat = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, TypeError, RecursionError):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned") from None
    if (
        not isinstance(flat, dict)
        or set(flat) != {"list", "link", "before"}
        or flat["list"] != LIST_ID
        or flat["link"] != link_id
        or not isinstance(flat["before"], str)
        or not _SORT_KEY.match(flat["before"])
    ):
        raise ValidationFailed.field("cursor", "is not a cursor this list returned")
    return str(flat["before"])


def _newest_first(link_id: str, before: str | None, limit: int | None) -> Iterator[AccessEvent]:
    """Every shard's events before `before`, merged newest first."""
    streams = [
        AccessEvent.query(
            partition,
            AccessEvent.sk < before if before else None,
            scan_index_forward=False,
            limit=limit,
            consistent_read=True,
        )
        for partition in AccessEvent.partitions(link_id)
    ]
    return heapq.merge(*streams, key=lambda event: event.sk, reverse=True)


def list_entries(record: LinkRecord, query: dict[str, str], *, now: float) -> dict[str, Any]:
    """A page of entries; entries past their retention are left out even before TTL removes them."""
    errors = Collector()
    limit = parse_limit(query, errors)
    before = _decode(query.get("cursor"), record.link_id)
    errors.raise_if_any()
    taken: list[AccessEvent] = []
    more = False
    for event in _newest_first(record.link_id, before, limit + 1):
        if len(taken) == limit:
            more = True
            break
        taken.append(event)
    items = [to_json(event) for event in taken if event.ttl is None or event.ttl > now]
    return page(items, _encode(record.link_id, taken[-1].sk) if more and taken else None)


def events(link_id: str) -> list[AccessEvent]:
    """Every access event of a link still stored, newest first (ops tools and tests)."""
    return list(_newest_first(link_id, None, None))
