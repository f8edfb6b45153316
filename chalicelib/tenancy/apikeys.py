"""API keys: authentication, roles, and the key routes. Keys are stored only as SHA-256 hashes.

A key names its tenant (`kh_<tenant key>_<secret>`), so authentication is one read of the key
and tenant items, batched with whatever else the route needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.credentials.tokens import ApiKey, constant_time_equal, new_api_key, parse_api_key, tenant_key_of
from chalicelib.runtime import telemetry
from chalicelib.runtime.caches import MISSING
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Collector, Conflict, NotFound, RateLimited, Unauthorized
from chalicelib.runtime.pagination import partition_page
from chalicelib.runtime.validation import string, unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import ApiKeyItem, RateWindow, Tenant
from chalicelib.storage.ratelimit import WINDOW_SECONDS, window
from chalicelib.storage.store import error_code
from chalicelib.tenancy import audit, console_grants
from chalicelib.tenancy.principals import KEY, ROLES, Credential, Principal, ops_principal
from chalicelib.tenancy.tenant_settings import limits_of

__all__ = ["ROLES", "Principal", "ops_principal"]  # where callers have always found them


def extract_key(headers: Mapping[str, str]) -> str | None:
    """`Authorization: Bearer <key>` or `x-api-key: <key>` (header names case-insensitive)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    auth = lowered.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return lowered.get("x-api-key")


def authenticate(
    svc: Keyhole,
    raw_key: str | None,
    extra: Sequence[tuple[type[Any], tuple[str, str]]] = (),
    *,
    cached_tenant: bool = False,
    cached_key: bool = False,
) -> tuple[Principal, list[Any]]:
    """Verify the key and read `extra` items in the same BatchGetItem. 401 on any failure.

    `cached_tenant`: take the tenant item from the container's viewer cache when it is fresh
    (introspection, a viewer-like request: a tenant change reaches it within the cache's seconds,
    as it reaches viewers).
    `cached_key`: take the key's record from the container's cache when it is fresh and the
    tenant has a per-key API limit (introspection). The caller must then `count_request`, whose
    window write refuses a key deleted meanwhile: deletion is still at once."""
    key = parse_api_key(raw_key or "")
    if key is None:
        raise Unauthorized()
    now = svc.clock.time()
    cached: Any = svc.tenant_cache.get(key.tenant_id, now) if cached_tenant else None
    read_tenant = not cached_tenant or cached is MISSING
    cache_id = f"{key.tenant_id}/{key.key_id}"
    known: Any = MISSING
    if cached_key and not read_tenant and isinstance(cached, Tenant) and _limits(cached) is not None:
        known = svc.key_cache.get(cache_id, now)
    read_key = known is MISSING
    keys: list[tuple[type[Any], tuple[str, str]]] = []
    if read_key:
        keys.append((ApiKeyItem, ApiKeyItem.key(key.tenant_id, key.key_id)))
    if read_tenant:
        keys.append((Tenant, Tenant.key(key.tenant_id)))
    items = svc.store.batch_get([*keys, *extra])
    item = items[0] if read_key else known
    tenant = items[int(read_key)] if read_tenant else cached
    if read_tenant and cached_tenant:
        svc.tenant_cache.put(key.tenant_id, tenant, now)
    if (
        not isinstance(item, ApiKeyItem)
        or not isinstance(tenant, Tenant)
        or not constant_time_equal(item.key_hash, key.hash)
    ):
        raise Unauthorized()
    if tenant.suspended:
        raise Unauthorized()  # a suspended tenant's keys get the very same 401 as unknown keys
    if read_key and cached_key:
        svc.key_cache.put(cache_id, item, now)
    credential = Credential(kind=KEY, id=item.key_id, name=item.name)
    return Principal(tenant=tenant, role=item.role, credential=credential), list(items[len(keys) :])


def _limits(tenant: Tenant) -> int | None:
    return limits_of(tenant)["api_requests_per_min"]


def count_request(svc: Keyhole, principal: Principal) -> None:
    """Count one admin request in the key's per-minute window (`api_requests_per_min`): 429 when
    it is full, and 401 when the key has been deleted meanwhile (deletion marks the key's windows,
    so a container still holding the key in its cache meets the mark here)."""
    limit = _limits(principal.tenant)
    if limit is None or principal.rate_key is None:
        return
    current = window(principal.rate_key, limit, svc.clock.time())
    try:
        RateWindow(pk=current.key).update(
            actions=current.actions(), condition=RateWindow.revoked.does_not_exist() & current.condition()
        )
    except UpdateError as error:
        if error_code(error) != "ConditionalCheckFailedException":
            raise svc.store.translate(error) from error
        seen = svc.store.get(RateWindow, (current.key,))
        if seen is not None and seen.revoked:
            svc.key_cache.forget(f"{principal.tenant_id}/{principal.key_id}")
            raise Unauthorized() from None
        telemetry.note_rate_limit(telemetry.LIMIT_API)
        raise RateLimited(current.retry_after) from None


def revocation_marks(key_id: str, now: float) -> list[tuple[tuple[str], list[Any]]]:
    """The window updates that stop a deleted key in every container that may still cache it:
    this minute's window and the next two (a cache entry lives `API_KEY_TTL_SECONDS`; the extra
    minute absorbs clocks that disagree)."""
    marks = []
    for offset in range(3):
        current = window(f"AK#{key_id}", 1, now + offset * WINDOW_SECONDS)
        marks.append(((current.key,), [RateWindow.revoked.set(True), RateWindow.ttl.set(current.expires)]))
    return marks


def tenant_id_from_key(raw_key: str | None) -> str | None:
    """The tenant a (syntactically valid) key claims, to build tenant-scoped extra keys."""
    key = parse_api_key(raw_key or "")
    return key.tenant_id if key else None


def new_key_item(
    tenant_id: str, *, name: str, role: str, created_by: str | None, now: Any
) -> tuple[ApiKey, ApiKeyItem]:
    tenant_key = tenant_key_of(tenant_id)
    if tenant_key is None:  # tenant ids come from Keyhole's own records
        raise ValueError(f"not a tenant id: {tenant_id!r}")
    key = new_api_key(tenant_key)
    pk, sk = ApiKeyItem.key(tenant_id, key.key_id)
    item = ApiKeyItem(
        pk=pk,
        sk=sk,
        key_id=key.key_id,
        tenant_id=tenant_id,
        name=name,
        role=role,
        key_hash=key.hash,
        prefix=key.prefix,
        created_at=to_rfc3339(now),
        created_by=created_by,
    )
    return key, item


def to_json(item: ApiKeyItem) -> dict[str, Any]:
    return {
        "id": item.key_id,
        "name": item.name,
        "role": item.role,
        "prefix": item.prefix + "...",
        "created_at": item.created_at,
        "created_by": item.created_by,
    }


def create_key(svc: Keyhole, principal: Principal, body: dict[str, Any], req: RequestInfo) -> dict[str, Any]:
    errors = Collector()
    unknown_fields(body, ("name", "role"), errors)
    name = string(body, "name", errors, required=True, min_len=1, max_len=100)
    role = body.get("role")
    if not isinstance(role, str) or role not in ROLES:
        errors.add("role", "must be one of admin, operator, viewer, introspect")
        role = None
    errors.raise_if_any()
    now = svc.clock.now()
    key, item = new_key_item(
        principal.tenant_id, name=name or "", role=role or "", created_by=principal.actor_label, now=now
    )
    txn = svc.store.txn()
    txn.put(item, condition=ApiKeyItem.pk.does_not_exist(), tag="key")
    txn.put(
        audit.new_event(
            principal.tenant_id,
            actor=principal.actor(),
            action="api_key.created",
            at=now,
            target_type="api_key",
            target_id=item.key_id,
            details={"name": item.name, "role": role},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    txn.commit()
    return {**to_json(item), "key": key.value}


def list_keys(svc: Keyhole, principal: Principal, query: dict[str, str]) -> dict[str, Any]:
    return partition_page(
        ApiKeyItem, f"TENANT#{principal.tenant_id}", query, to_json, list_id="api-keys", sort_prefix="KEY#"
    )


def delete_key(
    svc: Keyhole, principal: Principal, key_id: str, req: RequestInfo, *, allow_last_admin: bool = False
) -> ApiKeyItem:
    """Delete a key: it stops working at once. A tenant's last admin key is kept unless
    `allow_last_admin` (ops revoking a leaked key; they can mint a new one with `key create`)."""
    if not key_id.startswith("key_") or len(key_id) > 64:
        raise NotFound("No such API key")
    target = svc.store.get(ApiKeyItem, ApiKeyItem.key(principal.tenant_id, key_id))
    if target is None:
        raise NotFound("No such API key")
    if target.role == "admin" and not allow_last_admin:
        admins = [
            k
            for k in ApiKeyItem.query(
                f"TENANT#{principal.tenant_id}", ApiKeyItem.sk.startswith("KEY#"), consistent_read=True
            )
            if k.role == "admin"
        ]
        if len(admins) <= 1:
            raise Conflict("This is the tenant's last admin key; create another admin key first")
    # Its console sessions end first, so a failure here leaves the key (and a retried DELETE
    # redoes it all); again after, for a ticket redeemed in between (docs/console.md).
    console_grants.end_sessions_of(svc, key_id)
    txn = svc.store.txn()
    txn.delete(ApiKeyItem, ApiKeyItem.key(principal.tenant_id, key_id), condition=ApiKeyItem.pk.exists(), tag="key")
    for window_key, actions in revocation_marks(key_id, svc.clock.time()):
        txn.update(RateWindow, window_key, actions)
    txn.put(
        audit.new_event(
            principal.tenant_id,
            actor=principal.actor(),
            action="api_key.deleted",
            at=svc.clock.now(),
            target_type="api_key",
            target_id=key_id,
            details={"name": target.name, "role": target.role},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    txn.commit(when_failed={"key": NotFound("No such API key")})
    console_grants.end_sessions_of(svc, key_id)
    return target
