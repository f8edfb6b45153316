"""Links: create, list, get, patch, reveal, revoke; and the slots that enforce plan limits.

Every link has a capability item (what viewers resolve, keyed by SHA-256 of the token) and a link
record (what admins see, kept for ever). A live link holds a *slot*: creating it increments the
resource head's `active_links` and, on the resource's 0 -> 1 transition, the tenant's
`shared_resources`, in the same transaction that writes the link, under conditions that encode the
plan limits. Freeing a slot flips `slot_held` from true to false under that very condition, so no
interleaving of revokes, reclaims, exhaustion or TTL removal can free a slot twice.
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.credentials import passwords
from chalicelib.credentials.tokens import STRONG_TOKEN_BITS, ShareToken, new_id, new_share_token, token_bits
from chalicelib.links import viewcounts
from chalicelib.runtime.clock import FAR_FUTURE, parse_rfc3339, to_rfc3339, to_rfc3339_ms
from chalicelib.runtime.errors import Collector, Conflict, LimitReached, NotFound, ValidationFailed
from chalicelib.runtime.pagination import decode, encode, page, parse_limit
from chalicelib.runtime.validation import integer, string, unknown_fields
from chalicelib.sealing import UnsealError
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import ActorLink, Capability, LinkRecord, LinkViews, ResourceHead, Tenant
from chalicelib.storage.store import TxnCancelled
from chalicelib.tenancy import audit, expiry, share_urls
from chalicelib.tenancy.apikeys import Principal
from chalicelib.tenancy.plans import HOW_TO_FREE
from chalicelib.tenancy.principals import MAX_ACTOR_CHARS, valid_actor
from chalicelib.tenancy.tenants import limits_of, settings_of

TOKEN_PURPOSE = "share-token"  # noqa: S105 (the sealing purpose's name, not a secret)
STATUSES = ("active", "paused", "revoked", "expired", "exhausted", "all")
CREATE_FIELDS = (
    "label",
    "description",
    "scope",
    "expires_in",
    "expires_at",
    "password",
    "max_views",
    "rate_limit_per_min",
    "allowed_paths",
    "allowed_methods",
    "import_token",  # a token the product brings from its own system (links/imports.py)
    "embeddable",
)
PATCH_FIELDS = (
    "label",
    "description",
    "expires_in",
    "expires_at",
    "max_views",
    "rate_limit_per_min",
    "paused",
    "password",
)
# Links whose URL may open again: active ones, and paused ones (resuming brings the same URL back).
CHANGEABLE = ("active", "paused")
MAX_ATTEMPTS = 8
RECLAIM_BATCH = 100
LINK_ID_RE = re.compile(r"^lnk_[0-9a-f]{24}$")


def valid_link_id(link_id: str) -> bool:
    return bool(LINK_ID_RE.match(link_id or ""))


# --- shape ---------------------------------------------------------------------------------


def is_expired(expires_at: str | None, now_s: str) -> bool:
    return expires_at is not None and expires_at <= now_s


def status_of(record: LinkRecord, now_s: str, views: viewcounts.Views | None = None) -> str:
    """`views` (the link's counters) lets a view-limited link read as exhausted as soon as its
    views are counted, before the stream consumer marks the record."""
    if record.state == "revoked":
        return "revoked"
    if record.state == "exhausted":
        return "exhausted"
    if is_expired(record.expires_at, now_s):
        return "expired"
    if views is not None and record.max_views is not None and views.view_count >= int(record.max_views):
        return "exhausted"
    return "paused" if record.paused else "active"


def share_url(base_url: str, token: str, tenant: Tenant | None = None) -> str:
    """The URL a link's holder opens: on the tenant's own host when it has a `share_url_template`."""
    template = settings_of(tenant)["share_url_template"] if tenant is not None else None
    return share_urls.share_url(base_url, token, template)


def by_ref(key_id: str | None, actor: str | None) -> dict[str, str | None] | None:
    """`created_by` / `revoked_by`: the key that did it (its id, or `ops`) and the actor it named."""
    return None if key_id is None else {"key_id": key_id, "actor": actor}


def with_by_refs(data: dict[str, Any]) -> dict[str, Any]:
    """A link's fields as the stream carries them (`created_by` and `created_by_actor` apart), with
    `created_by` / `revoked_by` shaped as the API shows them (webhook payloads)."""
    out = dict(data)
    for name in ("created_by", "revoked_by"):
        actor = out.pop(f"{name}_actor", None)
        if out.get(name) is not None:
            out[name] = by_ref(out[name], actor)
    return out


def to_json(
    record: LinkRecord, now_s: str, *, views: viewcounts.Views | None = None, url: str | None = None
) -> dict[str, Any]:
    views = views or viewcounts.Views()
    body: dict[str, Any] = {
        "id": record.link_id,
        "resource_id": record.resource_id,
        "label": record.label,
        "description": record.description,
        "scope": record.scope,
        "token_preview": record.token_preview,
        "status": status_of(record, now_s, views),
        "expires_at": record.expires_at,
        "created_at": record.created_at,
        "created_by": by_ref(record.created_by, record.created_by_actor),
        "revoked_at": record.revoked_at,
        "revoked_by": by_ref(record.revoked_by, record.revoked_by_actor),
        "view_count": views.view_count,
        "last_accessed_at": views.last_accessed_at,
        "has_password": bool(record.has_password),
        "max_views": None if record.max_views is None else int(record.max_views),
        "rate_limit_per_min": None if record.rate_limit_per_min is None else int(record.rate_limit_per_min),
        "token_source": record.token_source or "keyhole",
        "token_strength": record.token_strength or "strong",
        "paused": bool(record.paused),
        "embeddable": bool(record.embeddable),
    }
    if record.allowed_paths or record.allowed_methods:
        body["allowed_paths"] = list(record.allowed_paths) if record.allowed_paths else None
        body["allowed_methods"] = list(record.allowed_methods) if record.allowed_methods else None
    if url is not None:
        body["url"] = url
    return body


def _state_index_keys(record: LinkRecord) -> None:
    """Set the gsi1/gsi2 keys from the record's state (see docs/design.md)."""
    t, r, link_id = record.tenant_id, record.resource_id, record.link_id
    if record.state == "live":
        sort = f"{record.expires_at or FAR_FUTURE}#{link_id}"
    elif record.state == "revoked":
        sort = f"{record.revoked_at}#{link_id}"
    else:
        sort = f"{record.exhausted_at}#{link_id}"
    record.gsi1pk, record.gsi1sk = f"T#{t}#S#{record.state}", sort
    record.gsi2pk, record.gsi2sk = f"T#{t}#R#{r}#S#{record.state}", sort


def _state_actions(record: LinkRecord) -> list[Any]:
    _state_index_keys(record)
    return [
        LinkRecord.state.set(record.state),
        LinkRecord.gsi1pk.set(record.gsi1pk),
        LinkRecord.gsi1sk.set(record.gsi1sk),
        LinkRecord.gsi2pk.set(record.gsi2pk),
        LinkRecord.gsi2sk.set(record.gsi2sk),
    ]


def owned_record(record: LinkRecord | None, principal: Principal) -> LinkRecord:
    """404 for unknown ids, other tenants' ids and links outside the caller's resource alike."""
    if record is None or record.tenant_id != principal.tenant_id or not principal.covers(record.resource_id):
        raise NotFound("No such link")
    return record


# --- create --------------------------------------------------------------------------------


def validate_create(
    svc: Keyhole, principal: Principal, body: dict[str, Any], head: ResourceHead, now: datetime
) -> dict[str, Any]:
    """A create body's fields, validated (422 naming every bad one). `import_token` is checked by
    chalicelib/links/imports.py, which alone creates links with one."""
    errors = Collector()
    unknown_fields(body, CREATE_FIELDS, errors)
    settings = settings_of(principal.tenant)
    out: dict[str, Any] = {
        "label": string(body, "label", errors, max_len=100, nullable=True),
        "description": string(body, "description", errors, max_len=500, nullable=True),
        "max_views": integer(body, "max_views", errors, minimum=1, maximum=1_000_000, nullable=True),
        "rate_limit_per_min": integer(body, "rate_limit_per_min", errors, minimum=1, maximum=1000, nullable=True),
    }
    scope = body.get("scope")
    if scope is not None and (not isinstance(scope, str) or scope not in (head.scope_names or [])):
        known = ", ".join(head.scope_names or []) or "none defined"
        errors.add("scope", f"must be one of this resource's scopes ({known})")
    out["scope"] = scope
    from chalicelib.origin import (
        spec as origin_spec,  # origin links only; keeps the document path's imports as they were
    )

    origin = origin_spec.Origin.from_json(json.loads(head.origin)) if head.origin else None
    out["allowed_paths"], out["allowed_methods"] = origin_spec.parse_link_lists(body, origin, errors)
    embeddable = body.get("embeddable")
    if embeddable is not None and not isinstance(embeddable, bool):
        errors.add("embeddable", "must be true or false")
    elif embeddable and origin is not None:
        errors.add(
            "embeddable", "applies to document resources: an origin link's pages live on their own content origin"
        )
    out["embeddable"] = embeddable is True
    password = body.get("password")
    if password is not None and (not isinstance(password, str) or not 8 <= len(password) <= 256):
        errors.add("password", "must be 8-256 characters")
        password = None
    elif password is None and settings["require_password"]:
        errors.add("password", "this tenant requires a password on every link")
    out["password"] = password
    out["import_token"] = body.get("import_token")
    _, out["expires_at"] = expiry.resolve(
        body,
        now=now,
        default_expires_in=settings["default_expires_in"],
        max_expires_in=settings["max_expires_in"],
        errors=errors,
    )
    errors.raise_if_any()
    return out


@dataclass
class Imported:
    """What an imported token adds to a link's creation (chalicelib/links/imports.py): the token,
    the link's own creation time, the items and checks its transaction carries, and what to do
    when the transaction is cancelled (a collision)."""

    token: ShareToken
    created_at: datetime | None = None
    items: list[tuple[str, Any]] = field(default_factory=list)
    checks: list[tuple[str, Any, tuple[str, ...], Any]] = field(default_factory=list)
    on_cancelled: Callable[[TxnCancelled], None] | None = None


def create_link(
    svc: Keyhole,
    principal: Principal,
    resource_id: str,
    body: dict[str, Any],
    head: ResourceHead | None,
    req: RequestInfo,
    *,
    imported: Imported | None = None,
) -> dict[str, Any]:
    if head is None or head.deleting:
        raise NotFound("No such resource")
    now = svc.clock.now()
    fields = validate_create(svc, principal, body, head, now)
    if (fields["import_token"] is None) != (imported is None):  # routes go through links/imports.py
        raise ValueError("an imported token is created through chalicelib.links.imports")
    tenant_id = principal.tenant_id
    token = imported.token if imported is not None else new_share_token(head.locator)
    link_id = new_id("lnk")
    sealed = None
    if settings_of(principal.tenant)["token_display"] != "once":  # noqa: S105 (a setting's value)
        sealed = svc.sealer.seal(
            token.value.encode("ascii"), tenant_id=tenant_id, purpose=TOKEN_PURPOSE, object_id=link_id
        )
    password_hash = passwords.hash_password(fields["password"], n=svc.settings.scrypt_n) if fields["password"] else None
    stamp = to_rfc3339(imported.created_at if imported is not None and imported.created_at else now)
    expires_s = to_rfc3339(fields["expires_at"])
    ttl = int(fields["expires_at"].timestamp()) if fields["expires_at"] else None
    ck = Capability.key(token.hash)
    cap = Capability(
        pk=ck[0],
        sk=ck[1],
        link_id=link_id,
        tenant_id=tenant_id,
        resource_id=resource_id,
        locator=head.locator,
        token_preview=token.preview,
        label=fields["label"],
        description=fields["description"],
        scope=fields["scope"],
        expires_at=expires_s,
        ttl=ttl,
        password_hash=password_hash,
        cookie_salt=new_id("ck", 16) if password_hash else None,
        max_views=fields["max_views"],
        views_used=0,
        rate_limit_per_min=fields["rate_limit_per_min"],
        created_at=stamp,
        allowed_paths=_listed(fields["allowed_paths"]),
        allowed_methods=_listed(fields["allowed_methods"]),
        embeddable=True if fields["embeddable"] else None,
    )
    rk = LinkRecord.key(link_id)
    record = LinkRecord(
        pk=rk[0],
        sk=rk[1],
        link_id=link_id,
        tenant_id=tenant_id,
        resource_id=resource_id,
        token_hash=token.hash,
        token_preview=token.preview,
        sealed_token=sealed,
        label=fields["label"],
        description=fields["description"],
        scope=fields["scope"],
        expires_at=expires_s,
        has_password=password_hash is not None,
        max_views=fields["max_views"],
        rate_limit_per_min=fields["rate_limit_per_min"],
        allowed_paths=_listed(fields["allowed_paths"]),
        allowed_methods=_listed(fields["allowed_methods"]),
        state="live",
        slot_held=True,
        embeddable=True if fields["embeddable"] else None,
        created_at=stamp,
        created_by=principal.actor_label,
        created_by_actor=principal.actor_id,
        daily=True if principal.tenant.namespace_key else None,  # a platform tenant's usage counts it
        token_source="imported" if imported is not None else None,
        token_strength=(
            ("legacy" if token_bits(token.value) < STRONG_TOKEN_BITS else "strong") if imported is not None else None
        ),
        gsi3pk=f"T#{tenant_id}#LINKS",
        gsi3sk=f"{stamp}#{link_id}",
        gsi4pk=f"T#{tenant_id}#R#{resource_id}#LINKS",
        gsi4sk=f"{stamp}#{link_id}",
    )
    _state_index_keys(record)
    if expires_s is not None:
        record.gsi5pk, record.gsi5sk = f"SLOTS#{tenant_id}", f"{expires_s}#{link_id}"
    event = audit.new_event(
        tenant_id,
        actor=principal.actor(),
        action="link.created",
        at=now,
        target_type="link",
        target_id=link_id,
        details={
            "resource_id": resource_id,
            "token_preview": token.preview,
            "scope": fields["scope"],
            "expires_at": expires_s,
            "has_password": password_hash is not None,
            "max_views": fields["max_views"],
            **({"token_source": "imported", "token_strength": record.token_strength} if imported else {}),
            "embeddable": fields["embeddable"],
        },
        request_id=req.request_id,
    )
    items: list[tuple[str, Any]] = [("cap", cap), ("record", record), ("audit", event)]
    items += [("actor", entry) for entry in actor_entry(record, now)]
    _acquire_slot_and_write(
        svc,
        principal,
        head,
        items + (imported.items if imported else []),
        checks=imported.checks if imported else [],
        on_cancelled=imported.on_cancelled if imported else None,
    )
    url = share_url(req.base_url, token.value, principal.tenant)
    return to_json(record, to_rfc3339(now), url=url) | {"token": token.value}


def actor_entry(record: LinkRecord, now: datetime) -> list[ActorLink]:
    """The link's entry in its actor's list (newest first, to the millisecond), when the creating
    request named an actor."""
    if not record.created_by_actor:
        return []
    return [
        ActorLink(
            pk=ActorLink.partition(record.tenant_id, record.created_by_actor),
            sk=f"{to_rfc3339_ms(now)}#{record.link_id}",
            link_id=record.link_id,
            tenant_id=record.tenant_id,
        )
    ]


def _listed(values: tuple[str, ...] | None) -> list[str] | None:
    return list(values) if values else None


def _acquire_slot_and_write(
    svc: Keyhole,
    principal: Principal,
    head: ResourceHead,
    items: list[tuple[str, Any]],
    *,
    checks: list[tuple[str, Any, tuple[str, ...], Any]] | None = None,
    on_cancelled: Callable[[TxnCancelled], None] | None = None,
) -> None:
    """One transaction: the link's items (tagged) plus the slot counters, retried on stale reads.
    `checks` are (tag, model, key, condition) ConditionChecks; `on_cancelled` sees a cancellation
    first (and may raise what it means)."""
    tenant: Tenant = principal.tenant
    limits = limits_of(tenant)
    per_resource, shared = limits["links_per_resource"], limits["shared_resources"]
    hk = ResourceHead.key(head.tenant_id, head.resource_id)
    tk = Tenant.key(tenant.tenant_id)
    reclaimed_resource = reclaimed_tenant = False
    for attempt in range(MAX_ATTEMPTS):
        held = int(head.active_links or 0)
        if per_resource is not None and held >= per_resource:
            if not reclaimed_resource:
                reclaimed_resource = True
                if reclaim_resource(svc, tenant.tenant_id, head.resource_id):
                    head, tenant = _reread(svc, hk, tk)
                    continue
            raise _limit("links_per_resource", per_resource, "active links on this resource")
        if held == 0 and shared is not None and int(tenant.shared_resources or 0) >= shared:
            if not reclaimed_tenant:
                reclaimed_tenant = True
                if reclaim_tenant(svc, tenant.tenant_id):
                    head, tenant = _reread(svc, hk, tk)
                    continue
            raise _limit("shared_resources", shared, "resources with an active link")
        txn = svc.store.txn()
        for tag, item in items:
            txn.put(item, condition=item.__class__.pk.does_not_exist(), tag=tag)
            if isinstance(item, LinkRecord):  # its view counters, made with it (chalicelib/links/viewcounts.py)
                txn.put(viewcounts.counter_item(item.link_id), condition=LinkViews.pk.does_not_exist(), tag="counters")
        for tag, model, key, condition in checks or []:
            txn.check(model, key, condition, tag=tag)
        head_condition = (ResourceHead.locator == head.locator) & ResourceHead.deleting.does_not_exist()
        if held == 0:
            head_condition &= ResourceHead.active_links.does_not_exist() | (ResourceHead.active_links <= 0)
            tenant_condition = Tenant.pk.exists()
            if shared is not None:
                tenant_condition &= Tenant.shared_resources < shared
            txn.update(
                Tenant,
                tk,
                [Tenant.shared_resources.add(1), Tenant.active_links.add(1)],
                condition=tenant_condition,
                tag="tenant",
            )
        else:
            head_condition &= ResourceHead.active_links > 0
            if per_resource is not None:
                head_condition &= ResourceHead.active_links < per_resource
            txn.update(Tenant, tk, [Tenant.active_links.add(1)], condition=Tenant.pk.exists(), tag="tenant")
        txn.update(ResourceHead, hk, [ResourceHead.active_links.add(1)], condition=head_condition, tag="head")
        try:
            txn.commit()
            return
        except TxnCancelled as cancelled:
            if on_cancelled is not None:
                on_cancelled(cancelled)
            if cancelled.failed("cap") or cancelled.failed("record") or cancelled.failed("counters"):
                raise Conflict("Link id collision; retry") from None
            _backoff(attempt, cancelled.conflict)
            head, tenant = _reread(svc, hk, tk)
            if head is None or head.deleting:
                raise NotFound("No such resource") from None
    raise Conflict("Too many concurrent changes to this resource; retry")


def _reread(svc: Keyhole, hk: tuple[str, str], tk: tuple[str, str]) -> tuple[Any, Any]:
    head, tenant = svc.store.batch_get([(ResourceHead, hk), (Tenant, tk)])
    return head, tenant


def _limit(name: str, value: int, what: str) -> LimitReached:
    return LimitReached(
        name, value, f"Plan limit reached: {name} is {value} ({what}); {HOW_TO_FREE[name]}", frees=HOW_TO_FREE[name]
    )


def _backoff(attempt: int, conflict: bool) -> None:
    if conflict or attempt >= 2:
        time.sleep(min(0.5, 0.01 * 2**attempt) * (0.5 + random.random()))  # noqa: S311 (jitter, not a secret)


# --- freeing slots -------------------------------------------------------------------------


def free_slot(
    svc: Keyhole,
    record: LinkRecord,
    *,
    record_actions: Iterable[Any] = (),
    record_condition: Any = None,
    extra: list[tuple[str, Any]] | None = None,
    head: ResourceHead | None = None,
) -> bool:
    """Release `record`'s slot (plus `record_actions`) atomically. False if it held none by then.

    `extra` holds more transaction items: ("delete_cap", condition-or-None), ("retire_cap",
    (condition, ttl)) (a used-up capability kept until its last visit ends) or ("audit", AuditEvent).
    """
    hk = ResourceHead.key(record.tenant_id, record.resource_id)
    tk = Tenant.key(record.tenant_id)
    rk = LinkRecord.key(record.link_id)
    for attempt in range(MAX_ATTEMPTS):
        if head is None:
            head = svc.store.get(ResourceHead, hk)
        held = int(head.active_links or 0) if head is not None else 0
        txn = svc.store.txn()
        condition = LinkRecord.slot_held == True  # noqa: E712 (a DynamoDB condition, not a Python test)
        if record_condition is not None:
            condition &= record_condition
        txn.update(
            LinkRecord,
            rk,
            [LinkRecord.slot_held.set(False), LinkRecord.gsi5pk.remove(), LinkRecord.gsi5sk.remove(), *record_actions],
            condition=condition,
            tag="record",
        )
        if head is not None and held > 0:
            if held == 1:
                txn.update(
                    ResourceHead,
                    hk,
                    [ResourceHead.active_links.add(-1)],
                    condition=ResourceHead.active_links == 1,
                    tag="head",
                )
                txn.update(
                    Tenant,
                    tk,
                    [Tenant.shared_resources.add(-1), Tenant.active_links.add(-1)],
                    condition=Tenant.shared_resources > 0,
                    tag="tenant",
                )
            else:
                txn.update(
                    ResourceHead,
                    hk,
                    [ResourceHead.active_links.add(-1)],
                    condition=ResourceHead.active_links > 1,
                    tag="head",
                )
                txn.update(Tenant, tk, [Tenant.active_links.add(-1)], condition=Tenant.pk.exists(), tag="tenant")
        _add_extra(txn, record, extra)
        try:
            txn.commit()
            return True
        except TxnCancelled as cancelled:
            if cancelled.failed("record"):
                return False  # no longer holding a slot (or no longer matching): someone else freed it
            if cancelled.failed("delete_cap") or cancelled.failed("cap"):
                return False
            _backoff(attempt, cancelled.conflict)
            head = None
    raise Conflict("Too many concurrent changes to this resource; retry")


def _add_extra(txn: Any, record: LinkRecord, extra: list[tuple[str, Any]] | None) -> None:
    for kind, value in extra or []:
        if kind == "delete_cap":
            txn.delete(Capability, Capability.key(record.token_hash), condition=value, tag="delete_cap")
        elif kind == "retire_cap":
            condition, ttl = value
            txn.update(
                Capability, Capability.key(record.token_hash), [Capability.ttl.set(ttl)], condition=condition, tag="cap"
            )
        elif kind == "audit":
            txn.put(value, tag="audit")


def live_records(svc: Keyhole, tenant_id: str, resource_id: str, now: datetime) -> list[LinkRecord]:
    """Every record in the resource's live partition (bounded by its slot limit in practice)."""
    keys = list(LinkRecord.by_resource_state.query(f"T#{tenant_id}#R#{resource_id}#S#live"))
    records = svc.store.batch_get([(LinkRecord, (k.pk, k.sk)) for k in keys])
    return [r for r in records if isinstance(r, LinkRecord) and r.state == "live"]


def reclaim_resource(svc: Keyhole, tenant_id: str, resource_id: str) -> int:
    """Free slots of this resource's links that expired or used up their views. Returns how many."""
    now = svc.clock.now()
    now_s = to_rfc3339(now)
    freed = 0
    records = [r for r in live_records(svc, tenant_id, resource_id, now) if r.slot_held]
    capped = [r for r in records if r.max_views is not None and not is_expired(r.expires_at, now_s)]
    caps = dict(
        zip(
            [r.link_id for r in capped],
            svc.store.batch_get([(Capability, Capability.key(r.token_hash)) for r in capped]),
            strict=True,
        )
    )
    for record in records:
        if is_expired(record.expires_at, now_s):
            freed += reclaim_expired(svc, record, now_s)
        elif record.link_id in caps:
            cap = caps[record.link_id]
            if isinstance(cap, Capability) and cap.max_views is not None and int(cap.views_used) >= int(cap.max_views):
                freed += mark_exhausted(svc, record, now_s)
    return freed


def reclaim_expired(svc: Keyhole, record: LinkRecord, now_s: str) -> int:
    """Free an expired link's slot; conditional on it still being expired and held."""
    return int(free_slot(svc, record, record_condition=(LinkRecord.expires_at <= now_s) & (LinkRecord.state == "live")))


def mark_exhausted(svc: Keyhole, record: LinkRecord, now_s: str) -> int:
    """A link that used its last view: state exhausted, slot freed, and the capability kept only
    as long as a visit opened with that view may last (`origin/visits.py`): it reads as used up
    for everyone else, and revoking the link still deletes it."""
    from chalicelib.origin.visits import keep_capability_until

    record.state, record.exhausted_at = "exhausted", now_s
    actions = [*_state_actions(record), LinkRecord.exhausted_at.set(now_s)]
    cap_condition = Capability.views_used >= Capability.max_views
    expires = parse_rfc3339(record.expires_at).timestamp() if record.expires_at else None
    ttl = keep_capability_until(parse_rfc3339(now_s).timestamp(), expires)
    return int(
        free_slot(
            svc,
            record,
            record_actions=actions,
            record_condition=LinkRecord.state == "live",
            extra=[("retire_cap", (cap_condition, ttl))],
        )
    )


def reclaim_tenant(svc: Keyhole, tenant_id: str) -> int:
    """Free every expired slot of the tenant (held slots are indexed by expiry in gsi5)."""
    now_s = to_rfc3339(svc.clock.now())
    keys = list(
        LinkRecord.held_slots.query(f"SLOTS#{tenant_id}", LinkRecord.gsi5sk <= f"{now_s}#~", limit=RECLAIM_BATCH)
    )
    records = svc.store.batch_get([(LinkRecord, (k.pk, k.sk)) for k in keys])
    return sum(
        reclaim_expired(svc, r, now_s)
        for r in records
        if isinstance(r, LinkRecord) and r.slot_held and is_expired(r.expires_at, now_s)
    )


# --- list / get ----------------------------------------------------------------------------


def list_links(
    svc: Keyhole, principal: Principal, query: dict[str, str], resource_id: str | None = None
) -> dict[str, Any]:
    errors = Collector()
    limit = parse_limit(query, errors)
    status = query.get("status", "active")
    if status not in STATUSES:
        errors.add("status", "must be one of " + ", ".join(STATUSES))
    actor = query.get("actor") if resource_id is None else None
    if actor is not None and not valid_actor(actor):
        errors.add("actor", f"must be 1-{MAX_ACTOR_CHARS} printable characters")
    errors.raise_if_any()
    if resource_id is None and principal.resource_id is not None:
        # A session limited to one resource lists that resource's links (by actor: filtered to it).
        if actor is not None:
            return _list_by_actor(svc, principal, actor, status, limit, query.get("cursor"))
        resource_id = principal.resource_id
    elif actor is not None:
        return _list_by_actor(svc, principal, actor, status, limit, query.get("cursor"))
    t = principal.tenant_id
    now_s = to_rfc3339(svc.clock.now())
    boundary = f"{now_s}#~"
    if status == "all":
        index, n = (LinkRecord.by_resource, 4) if resource_id else (LinkRecord.by_tenant, 3)
        partition = f"T#{t}#R#{resource_id}#LINKS" if resource_id else f"T#{t}#LINKS"
        condition, forward = None, False
    else:
        index, n = (LinkRecord.by_resource_state, 2) if resource_id else (LinkRecord.by_tenant_state, 1)
        state = {"active": "live", "expired": "live", "paused": "live"}.get(status, status)
        partition = f"T#{t}#R#{resource_id}#S#{state}" if resource_id else f"T#{t}#S#{state}"
        sort_attr = getattr(LinkRecord, f"gsi{n}sk")
        condition, forward = {
            "active": (sort_attr > boundary, True),
            "paused": (sort_attr > boundary, True),
            "expired": (sort_attr < boundary, False),
        }.get(status, (None, False))
    list_id = f"links:{status}"
    # An expired-list cursor always sorts before the boundary (the boundary only moves forward).
    in_range = (f"gsi{n}sk", lambda sk: sk < boundary) if status == "expired" else None
    start = decode(
        query.get("cursor"),
        partition_attr=f"gsi{n}pk",
        partition_value=partition,
        allowed_attrs=("pk", "sk", f"gsi{n}pk", f"gsi{n}sk"),
        list_id=list_id,
        sort_in_range=in_range,
    )
    if status in ("active", "paused") and start is not None and start[f"gsi{n}sk"]["S"] <= boundary:
        # The page ended on a link that has expired since: DynamoDB rejects a start key outside the
        # key condition. Active links are ordered by expiry, so every link before it has expired
        # too, and the rest of the list is exactly "active from now": start there.
        start = None
    keys = index.query(partition, condition, scan_index_forward=forward, limit=limit, last_evaluated_key=start)
    found = list(keys)
    records = [r for r in svc.store.batch_get([(LinkRecord, (k.pk, k.sk)) for k in found]) if isinstance(r, LinkRecord)]
    counters = viewcounts.read(svc.store, [r.link_id for r in records])
    # The index is eventually consistent; the records are read consistently, so re-check the status.
    items = [
        to_json(r, now_s, views=counters[r.link_id])
        for r in records
        if status == "all" or status_of(r, now_s, counters[r.link_id]) == status
    ]
    return page(items, encode(keys.last_evaluated_key, list_id=list_id))


def _list_by_actor(
    svc: Keyhole, principal: Principal, actor: str, status: str, limit: int, cursor: str | None
) -> dict[str, Any]:
    """The links the actor's requests created, newest first, with the status filter applied to the
    page read (a page may hold fewer than `limit` links; `next_cursor` goes on). Reads `limit`
    entries of the actor's list, then their records: cost proportional to the page."""
    partition = ActorLink.partition(principal.tenant_id, actor)
    list_id = f"links:actor:{status}"
    start = decode(cursor, partition_attr="pk", partition_value=partition, allowed_attrs=("pk", "sk"), list_id=list_id)
    entries = ActorLink.query(
        partition, scan_index_forward=False, limit=limit, last_evaluated_key=start, consistent_read=True
    )
    found = list(entries)
    records = [
        r
        for r in svc.store.batch_get([(LinkRecord, LinkRecord.key(e.link_id)) for e in found])
        if isinstance(r, LinkRecord) and r.tenant_id == principal.tenant_id and principal.covers(r.resource_id)
    ]
    now_s = to_rfc3339(svc.clock.now())
    counters = viewcounts.read(svc.store, [r.link_id for r in records])
    items = [
        to_json(r, now_s, views=counters[r.link_id])
        for r in records
        if status == "all" or status_of(r, now_s, counters[r.link_id]) == status
    ]
    return page(items, encode(entries.last_evaluated_key, list_id=list_id))


def get_link(svc: Keyhole, principal: Principal, record: LinkRecord | None) -> dict[str, Any]:
    owned = owned_record(record, principal)
    return to_json(owned, to_rfc3339(svc.clock.now()), views=viewcounts.read(svc.store, [owned.link_id])[owned.link_id])


# --- patch ---------------------------------------------------------------------------------


def patch_link(
    svc: Keyhole, principal: Principal, record: LinkRecord | None, body: dict[str, Any], req: RequestInfo
) -> dict[str, Any]:
    record = owned_record(record, principal)
    now = svc.clock.now()
    now_s = to_rfc3339(now)
    errors = Collector()
    unknown_fields(body, PATCH_FIELDS, errors)
    if not body:
        errors.add("body", f"give at least one of {', '.join(PATCH_FIELDS)}")
    settings = settings_of(principal.tenant)
    changes: dict[str, Any] = {}
    for name, max_len in (("label", 100), ("description", 500)):
        if name in body:
            changes[name] = string(body, name, errors, max_len=max_len, nullable=True)
    if "max_views" in body:
        changes["max_views"] = integer(body, "max_views", errors, minimum=1, maximum=1_000_000, nullable=True)
    if "rate_limit_per_min" in body:
        changes["rate_limit_per_min"] = integer(
            body, "rate_limit_per_min", errors, minimum=1, maximum=1000, nullable=True
        )
    paused = body.get("paused")
    if "paused" in body and not isinstance(paused, bool):
        errors.add("paused", "must be true (the URL answers the one 404, the link keeps its slot) or false")
    password = _new_password(body, settings, errors)
    given, new_expiry = expiry.resolve(
        body,
        now=now,
        default_expires_in=settings["default_expires_in"],
        max_expires_in=settings["max_expires_in"],
        errors=errors,
        use_default=False,
    )
    errors.raise_if_any()
    status = status_of(record, now_s)
    if status not in CHANGEABLE:
        raise Conflict(f"This link is {status}; only active or paused links can be changed (create a new link instead)")
    cap = svc.store.get(Capability, Capability.key(record.token_hash))
    if cap is None:
        raise Conflict("This link is no longer active")
    if cap.max_views is not None and int(cap.views_used or 0) >= int(cap.max_views):
        # The capability is the truth: the link record learns of exhaustion from the stream.
        raise Conflict("This link is exhausted; only active links can be changed (create a new link instead)")
    if changes.get("max_views") is not None and changes["max_views"] <= int(cap.views_used or 0):
        raise ValidationFailed.field("max_views", f"must be more than the views already used ({int(cap.views_used)})")
    record_actions: list[Any] = []
    cap_actions: list[Any] = []
    for name, value in changes.items():
        for model, actions in ((LinkRecord, record_actions), (Capability, cap_actions)):
            attribute = getattr(model, name)
            actions.append(attribute.remove() if value is None else attribute.set(value))
        setattr(record, name, value)
    if given:
        expires_s = to_rfc3339(new_expiry)
        record.expires_at = expires_s
        _state_index_keys(record)
        record_actions += [
            LinkRecord.expires_at.set(expires_s) if expires_s else LinkRecord.expires_at.remove(),
            LinkRecord.gsi1sk.set(record.gsi1sk),
            LinkRecord.gsi2sk.set(record.gsi2sk),
        ]
        if record.slot_held and expires_s:
            record_actions += [
                LinkRecord.gsi5pk.set(f"SLOTS#{record.tenant_id}"),
                LinkRecord.gsi5sk.set(f"{expires_s}#{record.link_id}"),
            ]
        elif record.slot_held:
            record_actions += [LinkRecord.gsi5pk.remove(), LinkRecord.gsi5sk.remove()]
        cap_actions += (
            [Capability.expires_at.set(expires_s), Capability.ttl.set(int(new_expiry.timestamp()))]
            if new_expiry is not None and expires_s
            else [Capability.expires_at.remove(), Capability.ttl.remove()]
        )
        changes["expires_at"] = expires_s
    if isinstance(paused, bool) and paused != bool(record.paused):
        record.paused = paused or None
        record_actions.append(LinkRecord.paused.set(True) if paused else LinkRecord.paused.remove())
        cap_actions.append(Capability.paused.set(True) if paused else Capability.paused.remove())
        changes["paused"] = paused
    if password is not _UNCHANGED:
        # A new hash and a new cookie salt: every unlock cookie issued for the link stops opening it.
        if password is None:
            cap_actions += [Capability.password_hash.remove(), Capability.cookie_salt.remove()]
        else:
            cap_actions += [
                Capability.password_hash.set(passwords.hash_password(password, n=svc.settings.scrypt_n)),
                Capability.cookie_salt.set(new_id("ck", 16)),
            ]
        record.has_password = password is not None
        record_actions.append(LinkRecord.has_password.set(record.has_password))
        changes["password"] = "set" if password is not None else "cleared"  # never the password itself
    if not record_actions and not cap_actions:  # nothing changes (the same pause again): nothing written
        return to_json(record, now_s, views=viewcounts.read(svc.store, [record.link_id])[record.link_id])
    txn = svc.store.txn()
    txn.update(
        LinkRecord,
        LinkRecord.key(record.link_id),
        record_actions,
        condition=(LinkRecord.state == "live") & (LinkRecord.slot_held == True),  # noqa: E712 (a PynamoDB condition)
        tag="record",
    )
    txn.update(
        Capability,
        Capability.key(record.token_hash),
        cap_actions,
        tag="cap",
        condition=Capability.pk.exists()
        & (Capability.max_views.does_not_exist() | (Capability.views_used < Capability.max_views)),
    )
    txn.put(
        audit.new_event(
            principal.tenant_id,
            actor=principal.actor(),
            action=_patch_action(changes),
            at=now,
            target_type="link",
            target_id=record.link_id,
            details={"changes": changes},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    try:
        txn.commit()
    except TxnCancelled as cancelled:
        if cancelled.failed("record") or cancelled.failed("cap"):
            raise Conflict("This link changed state (revoked or expired) while being updated") from None
        raise
    return to_json(record, now_s, views=viewcounts.read(svc.store, [record.link_id])[record.link_id])


_UNCHANGED: Any = object()


def _new_password(body: dict[str, Any], settings: dict[str, Any], errors: Collector) -> Any:
    """`password` of a PATCH: a new one (8-256 characters), None to clear it, or `_UNCHANGED`."""
    if "password" not in body:
        return _UNCHANGED
    password = body["password"]
    if password is None:
        if settings["require_password"]:
            errors.add("password", "this tenant requires a password on every link: set a new one instead")
            return _UNCHANGED
        return None
    if not isinstance(password, str) or not 8 <= len(password) <= 256:
        errors.add("password", "must be 8-256 characters, or null to remove the password")
        return _UNCHANGED
    return password


def _patch_action(changes: dict[str, Any]) -> str:
    """`link.paused` / `link.resumed` when that is all a PATCH did, else `link.updated`."""
    if set(changes) == {"paused"}:
        return "link.paused" if changes["paused"] else "link.resumed"
    return "link.updated"


# --- reveal --------------------------------------------------------------------------------


def reveal_link(svc: Keyhole, principal: Principal, record: LinkRecord | None, req: RequestInfo) -> dict[str, Any]:
    record = owned_record(record, principal)
    now = svc.clock.now()
    now_s = to_rfc3339(now)
    if settings_of(principal.tenant)["token_display"] == "once":  # noqa: S105 (a setting's value)
        raise Conflict("This tenant shows tokens once (token_display: once); create a new link instead")
    if record.sealed_token is None:
        raise Conflict("This link's token was shown once at creation and is not stored")
    status = status_of(record, now_s)
    if status not in CHANGEABLE:
        raise Conflict(f"This link is {status}; its URL no longer opens anything")
    try:
        token = svc.sealer.unseal(
            record.sealed_token, tenant_id=record.tenant_id, purpose=TOKEN_PURPOSE, object_id=record.link_id
        ).decode("ascii")
    except UnsealError:
        raise Conflict("This link's stored token cannot be opened; revoke it and create a new link") from None
    audit.new_event(
        principal.tenant_id,
        actor=principal.actor(),
        action="link.revealed",
        at=now,
        target_type="link",
        target_id=record.link_id,
        details={"token_preview": record.token_preview},
        request_id=req.request_id,
    ).save()
    return {"id": record.link_id, "token": token, "url": share_url(req.base_url, token, principal.tenant)}


# --- revoke --------------------------------------------------------------------------------


def revoke_link(
    svc: Keyhole, principal: Principal, record: LinkRecord | None, req: RequestInfo, *, reason: str = "revoked"
) -> bool:
    """Revoke at once and for ever. Returns False if it was already revoked (idempotent)."""
    record = owned_record(record, principal)
    now = svc.clock.now()
    now_s = to_rfc3339(now)
    for _attempt in range(MAX_ATTEMPTS):
        if record.state == "revoked":
            return False
        was = record.state
        record.state, record.revoked_at, record.revoked_by = "revoked", now_s, principal.actor_label
        record.revoked_by_actor = principal.actor_id
        actions = [
            *_state_actions(record),
            LinkRecord.revoked_at.set(now_s),
            LinkRecord.revoked_by.set(principal.actor_label),
        ]
        if principal.actor_id is not None:
            actions.append(LinkRecord.revoked_by_actor.set(principal.actor_id))
        event = audit.new_event(
            principal.tenant_id,
            actor=principal.actor(),
            action="link.revoked",
            at=now,
            target_type="link",
            target_id=record.link_id,
            details={"resource_id": record.resource_id, "token_preview": record.token_preview, "reason": reason},
            request_id=req.request_id,
        )
        if record.slot_held:
            if free_slot(
                svc,
                record,
                record_actions=actions,
                record_condition=LinkRecord.state == was,
                extra=[("delete_cap", None), ("audit", event)],
            ):
                return True
        else:
            txn = svc.store.txn()
            txn.update(
                LinkRecord,
                LinkRecord.key(record.link_id),
                actions,
                condition=(LinkRecord.state == was) & (LinkRecord.slot_held == False),  # noqa: E712 (a PynamoDB condition)
                tag="record",
            )
            _add_extra(txn, record, [("delete_cap", None), ("audit", event)])
            try:
                txn.commit()
                return True
            except TxnCancelled:
                pass
        fresh = svc.store.get(LinkRecord, LinkRecord.key(record.link_id))
        if fresh is None:
            raise NotFound("No such link")
        record = fresh
    raise Conflict("Too many concurrent changes to this link; retry")


def revoke_all_for_resource(svc: Keyhole, principal: Principal, resource_id: str, req: RequestInfo) -> int:
    now = svc.clock.now()
    revoked = 0
    for record in live_records(svc, principal.tenant_id, resource_id, now):
        revoked += int(revoke_link(svc, principal, record, req, reason="resource_deleted"))
    return revoked


def parse_expires(record: LinkRecord) -> datetime | None:
    return parse_rfc3339(record.expires_at) if record.expires_at else None
