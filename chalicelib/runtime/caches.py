"""Per-container caches of what viewer requests would otherwise read on every request.

- `ContentCache`: resource content by (locator, version), and what is derived from one version
  alone (the viewer's document for a scope and redaction list, its rendered HTML). A version never
  changes, so entries are never stale; each cache is bounded by size (least recently used out).
- `ApiKeyCache`: the API keys that introspection authenticates, for `API_KEY_TTL_SECONDS`. A key's
  record never changes (name, role, hash); its deletion must still stop it at once, so a cached key
  is only used where the request then writes the key's rate window, which deletion marks
  (`apikeys.count_request`).
- `TenantCache`: tenant items for viewer requests, for `TENANT_TTL_SECONDS`. A tenant item is read
  by every request of that tenant otherwise: one hot item per tenant, a read unit per view. The
  bound is what it costs: a change to a tenant (limits, settings, a suspension) reaches viewer
  requests within that time. The admin API never uses it (authentication reads the tenant fresh).
- `EndpointCache`: a tenant's webhook endpoints for the stream consumer, for
  `WEBHOOK_ENDPOINTS_TTL_SECONDS` (the tenant item's bound): without it every batch reads them (a
  strongly consistent Query, a read unit, even for a tenant with none). The same rule: a new or
  deleted endpoint reaches the consumer within that time (at once when the endpoint's stream record
  reaches the same container first, which drops the entry). The drain always reads endpoints fresh.
- `SlowEndpoints`: endpoints too slow for the consumer's inline attempt, for `SLOW_ENDPOINT_SECONDS`:
  their deliveries go to the durable queue meanwhile (chalicelib/webhooks/lanes.py).

Lambda runs one request at a time per container, but `chalice local` serves requests in threads,
so both are guarded by a lock.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

TENANT_TTL_SECONDS = 10.0
WEBHOOK_ENDPOINTS_TTL_SECONDS = TENANT_TTL_SECONDS
SLOW_ENDPOINT_SECONDS = 300.0
API_KEY_TTL_SECONDS = 10.0  # with the deletion marks on the key's windows of this minute and the next two
TENANT_ENTRIES = 1024
CONTENT_BUDGET_BYTES = 8 * 1024 * 1024  # uncompressed JSON; a 256 KiB document is one of ~32
DERIVED_BUDGET_BYTES = 8 * 1024 * 1024  # viewer documents and their HTML


class SizedLru:
    """Values by key, bounded by the sizes their callers give (least recently used out)."""

    def __init__(self, budget_bytes: int = CONTENT_BUDGET_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def lookup(self, key: Hashable) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def store(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.budget_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.budget_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped


class ContentCache(SizedLru):
    """Resource content (decoded) by (locator, version)."""

    def get(self, locator: str, version: int) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.lookup((locator, version))
        return found

    def put(self, locator: str, version: int, content: dict[str, Any], size: int) -> None:
        self.store((locator, version), content, size)


_MISSING = object()


class TenantCache:
    """tenant id -> (tenant item or None, when it was read), for `ttl_seconds` of clock time."""

    def __init__(self, ttl_seconds: float = TENANT_TTL_SECONDS, entries: int = TENANT_ENTRIES) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = entries
        self._entries: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tenant_id: str, now: float) -> Any:
        """The cached tenant (None when it does not exist), or `MISSING` when it must be read."""
        with self._lock:
            entry = self._entries.get(tenant_id)
            if entry is None or not 0 <= now - entry[1] < self.ttl_seconds:
                return _MISSING
            return entry[0]

    def put(self, tenant_id: str, tenant: Any, now: float) -> None:
        with self._lock:
            self._entries.pop(tenant_id, None)
            self._entries[tenant_id] = (tenant, now)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, tenant_id: str) -> None:
        with self._lock:
            self._entries.pop(tenant_id, None)


class ApiKeyCache(TenantCache):
    """ "<tenant id>/<key id>" -> the key's record, for `ttl_seconds` (only keys that exist)."""

    def __init__(self, ttl_seconds: float = API_KEY_TTL_SECONDS, entries: int = TENANT_ENTRIES) -> None:
        super().__init__(ttl_seconds, entries)


class EndpointCache(TenantCache):
    """tenant id -> its webhook endpoints (a list, maybe empty), for `ttl_seconds`."""

    def __init__(self, ttl_seconds: float = WEBHOOK_ENDPOINTS_TTL_SECONDS, entries: int = TENANT_ENTRIES) -> None:
        super().__init__(ttl_seconds, entries)


class SlowEndpoints(TenantCache):
    """endpoint id -> True while its deliveries skip the consumer's inline attempt."""

    def __init__(self, ttl_seconds: float = SLOW_ENDPOINT_SECONDS, entries: int = TENANT_ENTRIES) -> None:
        super().__init__(ttl_seconds, entries)

    def slow(self, endpoint_id: str, now: float) -> bool:
        return self.get(endpoint_id, now) is not _MISSING


MISSING = _MISSING
