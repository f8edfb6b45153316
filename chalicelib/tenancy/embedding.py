"""`embed_origins`: the origins of the tenant's own product that may frame Keyhole's pages.

They become the `frame-ancestors` of the console, the share dialog (chalicelib/console/) and the
viewer pages of links created with `embeddable: true`; every other Keyhole page keeps
`frame-ancestors 'none'`. Up to 10 origins, `https://host[:port]` exactly (no path, no wildcard);
on the local stages also `http://127.0.0.1[:port]`, `http://localhost[:port]` and
`http://<name>.localhost[:port]` (this machine only, as outbound calls are there).

Kept in an item of their own (`TenantEmbedding`), not in the tenant item: that one is read by
every request of the tenant and stays in one 4 KB read unit with the largest logo. Pages that need
the origins read them from a per-container cache (as viewers read the tenant item: a change
reaches them within `TENANT_TTL_SECONDS`); the admin API reads them fresh.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.runtime.caches import MISSING, TenantCache
from chalicelib.runtime.errors import Collector
from chalicelib.service import Keyhole
from chalicelib.storage.models import TenantEmbedding

SETTING = "embed_origins"
MAX_ORIGINS = 10
MAX_ORIGIN_CHARS = 100
NONE = "'none'"
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ORIGIN = re.compile(r"^(https?)://([^/:?#@\s]+)(?::([0-9]{1,5}))?/?$")
_DEFAULT_PORTS = {"https": 443, "http": 80}
_CACHE = "embedding"


def _valid_host(host: str) -> bool:
    labels = host.split(".")
    return len(host) <= 253 and all(_HOST_LABEL.match(label) for label in labels) and not host[-1].isdigit()


def _local_host(host: str) -> bool:
    return host in ("127.0.0.1", "localhost") or (host.endswith(".localhost") and _valid_host(host))


def normalise_origin(value: Any, *, local_stage: bool) -> str | None:
    """The origin as browsers compare it (lowercase, no default port, no trailing slash), or None
    when it is not an origin this stage accepts."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_ORIGIN_CHARS:
        return None
    match = _ORIGIN.match(value.strip().lower())
    if not match:
        return None
    scheme, host, port_text = match.groups()
    port = int(port_text) if port_text else None
    if port is not None and not 0 < port < 65536:
        return None
    if scheme == "http":
        if not (local_stage and _local_host(host)):
            return None
    elif not (_valid_host(host) or (local_stage and host == "127.0.0.1")):
        return None
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return f"{scheme}://{host}" + (f":{port}" if port is not None else "")


def validate(body: dict[str, Any], errors: Collector, *, local_stage: bool) -> list[str] | None:
    """The normalised list when `body` sets `embed_origins` (`null` clears: []), else None."""
    if SETTING not in body:
        return None
    value = body[SETTING]
    if value is None:
        return []
    allowed = "https://host[:port]" + (
        " (on this local stage also http://127.0.0.1, http://localhost or http://<name>.localhost, with a port)"
        if local_stage
        else ""
    )
    if not isinstance(value, list) or len(value) > MAX_ORIGINS:
        errors.add(SETTING, f"must be a list of at most {MAX_ORIGINS} origins, each {allowed}")
        return None
    origins: list[str] = []
    for index, item in enumerate(value):
        origin = normalise_origin(item, local_stage=local_stage)
        if origin is None:
            errors.add(
                f"{SETTING}[{index}]",
                f"must be an origin, {allowed}, at most {MAX_ORIGIN_CHARS} characters: no path, query or wildcard",
            )
        elif origin in origins:
            errors.add(f"{SETTING}[{index}]", "is listed twice")
        else:
            origins.append(origin)
    return origins


def item_key(tenant_id: str) -> tuple[type[TenantEmbedding], tuple[str, str]]:
    """The item to read with authentication (`GET`/`PATCH /v1/tenant`: no request of its own)."""
    return TenantEmbedding, TenantEmbedding.key(tenant_id)


def origins_of(item: object) -> list[str]:
    """The origins an item read for `item_key` holds ([] when there is none: never set, or cleared)."""
    return list(item.origins or []) if isinstance(item, TenantEmbedding) else []


def new_item(tenant_id: str, origins: list[str]) -> TenantEmbedding:
    pk, sk = TenantEmbedding.key(tenant_id)
    return TenantEmbedding(pk=pk, sk=sk, tenant_id=tenant_id, origins=origins)


def cached_origins(svc: Keyhole, tenant_id: str) -> list[str]:
    """The tenant's origins for a page (per container, at most `TENANT_TTL_SECONDS` old)."""
    cache = svc.cache.get(_CACHE)
    if not isinstance(cache, TenantCache):
        cache = svc.cache[_CACHE] = TenantCache()
    now = svc.clock.time()
    found = cache.get(tenant_id, now)
    if found is MISSING:
        found = origins_of(svc.store.get(TenantEmbedding, TenantEmbedding.key(tenant_id), consistent=False))
        cache.put(tenant_id, found, now)
    return list(found)


def frame_ancestors(origins: list[str]) -> str:
    """The CSP directive's sources: the origins, or `'none'`."""
    return " ".join(origins) if origins else NONE
