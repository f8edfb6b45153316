"""Platform keys and namespaces.

A platform key (`khp_<namespace key>_<secret>`) belongs to a product's backend and owns a
namespace: it manages the tenants made with any key of that namespace and sees no other. Ops make
keys (`opscli platform-key create --name --namespace`); a namespace comes into being with its first
key, and several keys may share one (to rotate: create the new key, move the product to it,
revoke the old one). Keys are stored only as SHA-256 hashes and shown once. Creating and revoking
are audited in the namespace's own trail (`AUDIT#NS#<namespace key>`).

Verifying a key reads its item (`NS#<namespace key>` / `PKEY#<key id>`, both named by the key
itself), batched with whatever else the request needs: for a request acting for a tenant, the
tenant item, whose id derives from the namespace and the product's id for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.credentials.tokens import (
    NAMESPACE_RE,
    PlatformKey,
    constant_time_equal,
    namespace_key_for,
    new_platform_key,
    parse_api_key,
    parse_platform_key,
)
from chalicelib.runtime import telemetry
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Forbidden, NotFound, RateLimited, Unauthorized
from chalicelib.service import Keyhole
from chalicelib.storage.models import AuditEvent, Namespace, PlatformKeyItem
from chalicelib.storage.ratelimit import hit_window, window
from chalicelib.storage.store import TxnCancelled
from chalicelib.tenancy import apikeys, audit, console_grants, tenants
from chalicelib.tenancy.principals import PLATFORM_KEY, Credential, actor_from

# Requests a platform key may make per minute on the platform routes (tenants, plans). Acting for
# a tenant counts in a window of its own per tenant, under that tenant's api_requests_per_min.
PLATFORM_REQUESTS_PER_MIN = 6000
MAX_NAME_CHARS = 100
OPS_ACTOR = tenants.OPS_ACTOR


def audit_partition(namespace_key: str) -> str:
    """The tenant id under which a namespace's own audit events are kept (never a tenant's id)."""
    return f"NS#{namespace_key}"


@dataclass
class PlatformCaller:
    """A platform key on the platform routes: its credential, its namespace, the actor it names."""

    credential: Credential
    namespace: str
    namespace_key: str
    actor_id: str | None = None

    @property
    def key_id(self) -> str:
        return self.credential.id or ""

    def actor(self) -> dict[str, Any]:
        shown = self.credential.audit()
        if self.actor_id is not None:
            shown["actor"] = self.actor_id
        return shown


def credential_of(item: PlatformKeyItem) -> Credential:
    return Credential(kind=PLATFORM_KEY, id=item.key_id, name=item.name, namespace=item.namespace)


def verify(
    svc: Keyhole, raw_key: str | None, extra: Sequence[tuple[type[Any], tuple[str, ...]]] = ()
) -> tuple[PlatformKeyItem, list[Any]]:
    """The platform key's record, and `extra` items read in the same BatchGetItem; 401 when the
    key is malformed, unknown or revoked."""
    key = parse_platform_key(raw_key or "")
    if key is None:
        raise Unauthorized()
    items = svc.store.batch_get([(PlatformKeyItem, PlatformKeyItem.key(key.namespace_key, key.key_id)), *extra])
    item = items[0]
    if not isinstance(item, PlatformKeyItem) or not constant_time_equal(item.key_hash, key.hash):
        raise Unauthorized()
    return item, list(items[1:])


def authenticate_caller(
    svc: Keyhole, headers: Mapping[str, str], extra: Any = None
) -> tuple[PlatformCaller, list[Any]]:
    """A platform route's caller: a platform key (403 for a tenant's own valid key, 401 for
    anything else), counted in its per-minute window. `extra(namespace_key)` names more items to
    read in the key's own BatchGetItem."""
    raw = apikeys.extract_key(headers)
    parsed = parse_platform_key(raw or "")
    if parsed is None:
        if parse_api_key(raw or "") is not None:
            apikeys.authenticate(svc, raw)  # 401 unless it is a working key of a tenant
            raise Forbidden("Platform routes need a platform key (khp_...); this is a tenant's API key")
        raise Unauthorized()
    item, items = verify(svc, raw, extra(parsed.namespace_key) if extra else ())
    caller = PlatformCaller(
        credential=credential_of(item),
        namespace=item.namespace,
        namespace_key=item.namespace_key,
        actor_id=actor_from(headers),
    )
    count_request(svc, f"AK#{item.key_id}", PLATFORM_REQUESTS_PER_MIN)
    return caller, items


def count_request(svc: Keyhole, subject: str, limit: int) -> None:
    """One request in the subject's per-minute window: 429 when it is full."""
    try:
        hit_window(svc.store, window(subject, limit, svc.clock.time()))
    except RateLimited:
        telemetry.note_rate_limit(telemetry.LIMIT_API)
        raise


# --- ops: create, list, revoke -------------------------------------------------------------


def valid_namespace(name: str) -> bool:
    return bool(NAMESPACE_RE.match(name or ""))


def to_json(item: PlatformKeyItem) -> dict[str, Any]:
    return {
        "id": item.key_id,
        "name": item.name,
        "namespace": item.namespace,
        "prefix": item.prefix + "...",
        "created_at": item.created_at,
        "created_by": item.created_by,
    }


def create_key(svc: Keyhole, *, name: str, namespace: str, created_by: str = "ops") -> tuple[PlatformKeyItem, str]:
    """Mint a platform key for `namespace` (made with its first key); returns the key, shown once.
    The key, the namespace (when new) and the audit event are written together or not at all."""
    if not name or len(name) > MAX_NAME_CHARS or not name.strip() or not name.isprintable():
        raise ValueError(f"a platform key's name is 1-{MAX_NAME_CHARS} printable characters")
    if not valid_namespace(namespace):
        raise ValueError(
            "a namespace is 1-63 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit"
        )
    namespace_key = namespace_key_for(namespace)
    now = svc.clock.now()
    stamp = to_rfc3339(now)
    key: PlatformKey = new_platform_key(namespace_key)
    pk, sk = PlatformKeyItem.key(namespace_key, key.key_id)
    item = PlatformKeyItem(
        pk=pk,
        sk=sk,
        key_id=key.key_id,
        namespace=namespace,
        namespace_key=namespace_key,
        name=name,
        key_hash=key.hash,
        prefix=key.prefix,
        created_at=stamp,
        created_by=created_by,
        gsi1sk=f"{stamp}#{key.key_id}",
    )
    known = svc.store.get(Namespace, Namespace.key(namespace_key))
    if known is not None and known.name != namespace:  # two names, one key: refuse rather than merge
        raise ValueError(f"namespace {namespace!r} collides with {known.name!r}; choose another name")
    txn = svc.store.txn()
    txn.put(item, condition=PlatformKeyItem.pk.does_not_exist(), tag="key")
    if known is None:
        ns_pk, ns_sk = Namespace.key(namespace_key)
        created = Namespace(pk=ns_pk, sk=ns_sk, name=namespace, namespace_key=namespace_key, created_at=stamp)
        created.gsi1sk = namespace
        txn.put(created, condition=Namespace.pk.does_not_exist(), tag="namespace")
    txn.put(
        audit.new_event(
            audit_partition(namespace_key),
            actor=OPS_ACTOR,
            action="platform_key.created",
            at=now,
            target_type="platform_key",
            target_id=key.key_id,
            details={"name": name, "namespace": namespace, "prefix": item.prefix + "..."},
        ),
        tag="audit",
    )
    try:
        txn.commit()
    except TxnCancelled as cancelled:
        if cancelled.failed("namespace"):  # another key made the namespace meanwhile: go again
            return create_key(svc, name=name, namespace=namespace, created_by=created_by)
        raise
    return item, key.value


def list_keys(svc: Keyhole, namespace: str | None = None) -> list[dict[str, Any]]:
    """Every platform key (of one namespace), oldest first; never the key itself."""
    if namespace is not None:
        found = PlatformKeyItem.query(
            f"NS#{namespace_key_for(namespace)}", PlatformKeyItem.sk.startswith("PKEY#"), consistent_read=True
        )
        return [to_json(item) for item in found]
    keys = [(PlatformKeyItem, (k.pk, k.sk)) for k in PlatformKeyItem.all_keys.query("PLATFORM_KEYS")]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(keys), 100):
        rows += [to_json(i) for i in svc.store.batch_get(keys[start : start + 100]) if isinstance(i, PlatformKeyItem)]
    return rows


def find_key(svc: Keyhole, key_id: str) -> PlatformKeyItem:
    """A platform key by id (ops know the id, not the namespace key)."""
    if not key_id.startswith("pkey_") or len(key_id) != 25:
        raise NotFound("No such platform key")
    for found in PlatformKeyItem.all_keys.query("PLATFORM_KEYS"):  # a deployment has a few of them
        if found.sk == f"PKEY#{key_id}":
            item = svc.store.get(PlatformKeyItem, (found.pk, found.sk))
            if item is not None:
                return item
    raise NotFound("No such platform key")


def revoke_key(svc: Keyhole, key_id: str, *, reason: str | None = None) -> PlatformKeyItem:
    """Delete a platform key: it stops working at once (every request reads it). Its namespace and
    tenants stay; another key of the namespace (or a new one) manages them. Audited."""
    item = find_key(svc, key_id)
    # Its console sessions end first, so a failure here leaves the key (and a retry redoes it
    # all); again after, for a ticket redeemed in between.
    console_grants.end_sessions_of(svc, item.key_id)
    txn = svc.store.txn()
    txn.delete(PlatformKeyItem, (item.pk, item.sk), condition=PlatformKeyItem.pk.exists(), tag="key")
    details: dict[str, Any] = {"name": item.name, "namespace": item.namespace}
    if reason:
        details["reason"] = reason
    txn.put(
        audit.new_event(
            audit_partition(item.namespace_key),
            actor=OPS_ACTOR,
            action="platform_key.revoked",
            at=svc.clock.now(),
            target_type="platform_key",
            target_id=item.key_id,
            details=details,
        ),
        tag="audit",
    )
    txn.commit(when_failed={"key": NotFound("No such platform key")})
    console_grants.end_sessions_of(svc, item.key_id)
    return item


def namespace_events(namespace: str, limit: int = 100) -> list[dict[str, Any]]:
    """The namespace's own audit trail, newest first (ops)."""
    found = AuditEvent.query(
        AuditEvent.partition(audit_partition(namespace_key_for(namespace))),
        scan_index_forward=False,
        limit=limit,
        consistent_read=True,
    )
    return [audit.to_json(event) for event in found]
