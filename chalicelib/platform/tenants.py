"""Tenants through the API: a product's organisations as tenants of its namespace.

The product names each tenant by its own organisation id (1-128 characters of `A-Za-z0-9._:-`);
Keyhole's id for it (`ten_<16 hex>`) derives from the namespace and that id, so every request about
it (and every request acting for it) reads the tenant item in the credential's own BatchGetItem.
Another namespace's tenant of the same id is another tenant; an id of another namespace, or none,
is the same 404.

- `PUT /v1/tenants/{id}` creates (201) or updates (200) `{name, plan, overrides?, settings?,
  branding?}`; the same body again changes nothing (200). `overrides` replaces the tenant's limit
  overrides when given; `settings` and `branding` change the settings they name (as
  `PATCH /v1/tenant` does), leaving the rest as the tenant's admins set them.
- `PATCH` changes what it names; suspend and resume are ops' suspension (links and keys stop at once,
  nothing deleted); `DELETE` flags the tenant deleted (its keys stop at once), revokes every link,
  deletes its keys, and keeps its records (links, audit, access logs) for their retention. A deleted
  tenant's id stays taken: PUT answers 409.

Every change is audited in the tenant's own trail (and creation and deletion in the namespace's).
"""

from __future__ import annotations

import time
from typing import Any

from chalicelib.credentials.tokens import tenant_key_of
from chalicelib.links import revocation
from chalicelib.platform import plans
from chalicelib.platform.access import owned, tenant_id_in, valid_external_id
from chalicelib.platform.keys import PlatformCaller, audit_partition
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Collector, Conflict, NotFound, ValidationFailed
from chalicelib.runtime.pagination import decode, encode, page, parse_limit
from chalicelib.runtime.validation import string, unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import ApiKeyItem, RateWindow, Tenant, plain
from chalicelib.storage.store import TxnCancelled
from chalicelib.tenancy import apikeys, audit, branding, embedding, tenants
from chalicelib.tenancy.plans import LIMIT_NAMES, effective_limits, normalise_limits
from chalicelib.tenancy.principals import Principal
from chalicelib.tenancy.tenant_settings import DEFAULT_SETTINGS, settings_of

TENANT_FIELDS = ("name", "plan", "overrides", "settings", "branding")
BRANDING_FIELDS = tuple(branding.DEFAULTS)
ID_RULE = "must be 1-128 characters of A-Za-z0-9._:-"
MAX_LIMIT_VALUE = 1_000_000_000
# A deletion revokes links until this much time has passed, then answers 202 and a DELETE again
# finishes it (API Gateway gives a request 29 s).
DELETE_BUDGET_SECONDS = 20.0


def to_json(tenant: Tenant, embed_item: Any = None) -> dict[str, Any]:
    """A tenant as the platform routes show it: the product's id, Keyhole's, and its state.
    `embed_item`: its `TenantEmbedding` (an item of its own), read with the tenant."""
    shown = tenants.to_json(tenant, embedding.origins_of(embed_item))
    return {
        **shown,
        "id": tenant.external_id,
        "keyhole_id": tenant.tenant_id,
        "status": "suspended" if tenant.suspended else "active",
        "suspended_at": tenant.suspended_at,
    }


def tenant_keys(namespace_key: str, external_id: str) -> list[tuple[Any, tuple[str, str]]]:
    """The tenant item a platform route names, and its embed origins, read with the platform key."""
    if not valid_external_id(external_id):
        return []
    tenant_id = tenant_id_in(namespace_key, external_id)
    return [(Tenant, Tenant.key(tenant_id)), embedding.item_key(tenant_id)]


def owned_tenant(caller: PlatformCaller, external_id: str, item: Any) -> Tenant:
    """The namespace's tenant, or the usual 404 (unknown, another namespace's, deleted)."""
    if not valid_external_id(external_id):
        raise ValidationFailed.field("tenant_id", ID_RULE)
    if not owned(item, caller.namespace_key, external_id):
        raise NotFound("No such tenant")
    tenant: Tenant = item
    return tenant


def acting_principal(caller: PlatformCaller, tenant: Tenant) -> Principal:
    """The platform key as the tenant's admin (for what it does to the tenant's own things)."""
    return Principal(tenant=tenant, role="admin", credential=caller.credential, actor_id=caller.actor_id)


# --- validation ------------------------------------------------------------------------------


def _prefixed(prefix: str, error: ValidationFailed, errors: Collector) -> None:
    for detail in error.details or []:
        errors.add(f"{prefix}.{detail.get('field')}", str(detail.get("message")))


def _overrides(body: dict[str, Any], errors: Collector) -> dict[str, int | None] | None:
    if "overrides" not in body:
        return None
    raw = body["overrides"]
    if not isinstance(raw, dict):
        errors.add("overrides", "must be an object of limit names to whole numbers (null: unlimited)")
        return None
    clean: dict[str, int | None] = {}
    for name, value in raw.items():
        if name not in LIMIT_NAMES:
            errors.add(f"overrides.{name}", f"unknown limit; known: {', '.join(LIMIT_NAMES)}")
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            errors.add(f"overrides.{name}", "must be a whole number or null (unlimited)")
        elif value is not None and not 0 <= value <= MAX_LIMIT_VALUE:
            errors.add(f"overrides.{name}", f"must be from 0 to {MAX_LIMIT_VALUE:,}, or null (unlimited)")
        else:
            clean[name] = value
    return clean


def _settings(body: dict[str, Any], current: dict[str, Any], errors: Collector, *, local_stage: bool) -> dict[str, Any]:
    """The settings `settings` and `branding` change (`branding` holds only the branding settings;
    `settings` may hold `embed_origins`, which is written apart from the tenant item)."""
    changes: dict[str, Any] = {}
    for field, allowed in (("settings", None), ("branding", BRANDING_FIELDS)):
        if field not in body:
            continue
        given = body[field]
        if not isinstance(given, dict):
            errors.add(field, "must be an object")
            continue
        if allowed is not None:
            for name in given:
                if name not in allowed:
                    errors.add(f"{field}.{name}", f"unknown field; branding is {', '.join(allowed)}")
            given = {k: v for k, v in given.items() if k in allowed}
        try:
            embedding_stage = local_stage if field == "settings" else None
            changes.update(tenants.settings_changes(given, {**current, **changes}, embedding_stage=embedding_stage))
        except ValidationFailed as failed:
            _prefixed(field, failed, errors)
    return changes


def _validate(
    svc: Keyhole, caller: PlatformCaller, body: dict[str, Any], current: dict[str, Any], *, full: bool
) -> dict[str, Any]:
    """The changes a PUT (`full`: name and plan required) or PATCH body asks for, or a 422."""
    errors = Collector()
    unknown_fields(body, TENANT_FIELDS, errors)
    if not full and not body:
        errors.add("body", f"give at least one of {', '.join(TENANT_FIELDS)}")
    fields: dict[str, Any] = {}
    if full or "name" in body:
        name = string(body, "name", errors, required=True, min_len=1, max_len=100)
        if name is not None:
            fields["name"] = name.strip()
    if full or "plan" in body:
        limits = plans.limits_of_plan(svc, caller.namespace_key, body.get("plan"))
        if limits is None:
            errors.add("plan", "must be a built-in plan (free, team, enterprise) or one of this namespace's plans")
        else:
            fields["plan"], fields["plan_limits"] = body["plan"], limits
    overrides = _overrides(body, errors)
    if overrides is not None:
        fields["overrides"] = overrides
    settings = _settings(body, current, errors, local_stage=svc.settings.is_local_stage)
    if settings:
        fields["settings"] = settings
    errors.raise_if_any()
    return fields


# --- create, update --------------------------------------------------------------------------


def put_tenant(
    svc: Keyhole,
    caller: PlatformCaller,
    external_id: str,
    item: Any,
    body: dict[str, Any],
    req: RequestInfo,
    embed_item: Any = None,
) -> tuple[int, dict[str, Any]]:
    """Create (201) or update (200) the namespace's tenant `external_id`."""
    if not valid_external_id(external_id):
        raise ValidationFailed.field("tenant_id", ID_RULE)
    if item is None:
        try:
            return 201, to_json(*_create(svc, caller, external_id, body, req))
        except _CreatedMeanwhile:  # a concurrent PUT created it: this one is then an update
            tenant_id = tenant_id_in(caller.namespace_key, external_id)
            item, embed_item = svc.store.batch_get([(Tenant, Tenant.key(tenant_id)), embedding.item_key(tenant_id)])
    if not owned(item, caller.namespace_key, external_id):
        if isinstance(item, Tenant) and item.deleted_at is not None and item.namespace_key == caller.namespace_key:
            raise Conflict(f"Tenant {external_id} was deleted; its records are kept, and its id is not reused")
        raise Conflict(f"Tenant id {external_id} cannot be used in this namespace; choose another")
    return 200, to_json(*_update(svc, caller, item, body, req, full=True, embed_item=embed_item))


class _CreatedMeanwhile(Conflict):
    """A concurrent PUT created the tenant between the read and this create."""


def _create(
    svc: Keyhole, caller: PlatformCaller, external_id: str, body: dict[str, Any], req: RequestInfo
) -> tuple[Tenant, Any]:
    """The new tenant and its `TenantEmbedding` (None without `embed_origins`), in one transaction."""
    fields = _validate(svc, caller, body, dict(DEFAULT_SETTINGS), full=True)
    overrides = fields.get("overrides", {})
    now = svc.clock.now()
    stamp = to_rfc3339(now)
    tenant_id = tenant_id_in(caller.namespace_key, external_id)
    if tenant_key_of(tenant_id) is None:  # derived ids always parse; a guard, not a branch
        raise Conflict("Tenant id cannot be used; choose another")
    settings = {**DEFAULT_SETTINGS, **fields.get("settings", {})}
    origins = settings.pop(embedding.SETTING, None)
    embed_item = embedding.new_item(tenant_id, origins) if origins else None
    pk, sk = Tenant.key(tenant_id)
    tenant = Tenant(
        pk=pk,
        sk=sk,
        tenant_id=tenant_id,
        name=fields["name"],
        plan=fields["plan"],
        overrides=overrides,
        limits=effective_limits(fields["plan_limits"], overrides),
        settings={k: v for k, v in settings.items() if v is not None},
        active_links=0,
        shared_resources=0,
        created_at=stamp,
        namespace=caller.namespace,
        namespace_key=caller.namespace_key,
        external_id=external_id,
        gsi1pk="TENANTS",
        gsi1sk=f"{stamp}#{tenant_id}",
        gsi2pk=f"NS#{caller.namespace_key}",
        gsi2sk=external_id,
        gsi3pk=plans.index_key(caller.namespace_key, fields["plan"]),
        gsi3sk=tenant_id,
    )
    details = {"id": external_id, "name": tenant.name, "plan": tenant.plan, "overrides": overrides}
    txn = svc.store.txn()
    txn.put(tenant, condition=Tenant.pk.does_not_exist(), tag="tenant")
    if embed_item is not None:
        txn.put(embed_item, tag="embedding")
    for partition in (tenant_id, audit_partition(caller.namespace_key)):
        txn.put(
            audit.new_event(
                partition,
                actor=caller.actor(),
                action="tenant.created",
                at=now,
                target_type="tenant",
                target_id=tenant_id,
                details=details,
                request_id=req.request_id,
            )
        )
    txn.commit(when_failed={"tenant": _CreatedMeanwhile(f"Tenant {external_id} was created meanwhile; retry")})
    return tenant, embed_item


def patch_tenant(
    svc: Keyhole,
    caller: PlatformCaller,
    external_id: str,
    item: Any,
    body: dict[str, Any],
    req: RequestInfo,
    embed_item: Any = None,
) -> dict[str, Any]:
    tenant = owned_tenant(caller, external_id, item)
    return to_json(*_update(svc, caller, tenant, body, req, full=False, embed_item=embed_item))


def _update(
    svc: Keyhole,
    caller: PlatformCaller,
    tenant: Tenant,
    body: dict[str, Any],
    req: RequestInfo,
    *,
    full: bool,
    embed_item: Any = None,
) -> tuple[Tenant, Any]:
    """Apply what changed (nothing written when nothing did: the same PUT again is a no-op).
    Returns the tenant and its `TenantEmbedding` as they now are."""
    current = settings_of(tenant)
    fields = _validate(svc, caller, body, current, full=full)
    actions: list[Any] = []
    changes: dict[str, Any] = {}
    if "name" in fields and fields["name"] != tenant.name:
        actions.append(Tenant.name.set(fields["name"]))
        changes["name"] = tenant.name = fields["name"]
    overrides = normalise_limits(plain(tenant.overrides))
    if "overrides" in fields and fields["overrides"] != overrides:
        overrides = fields["overrides"]
        actions.append(Tenant.overrides.set(overrides))
        changes["overrides"] = tenant.overrides = overrides
    plan_limits = fields.get("plan_limits") or plans.limits_of_plan(svc, caller.namespace_key, tenant.plan)
    if "plan" in fields and fields["plan"] != tenant.plan:
        actions += [
            Tenant.plan.set(fields["plan"]),
            Tenant.gsi3pk.set(plans.index_key(tenant.namespace_key or "", fields["plan"])),
        ]
        changes["plan"] = tenant.plan = fields["plan"]
    if plan_limits is not None:
        limits = effective_limits(plan_limits, overrides)
        if limits != normalise_limits(plain(tenant.limits)):
            actions.append(Tenant.limits.set(limits))
            tenant.limits = limits
    settings = {k: v for k, v in fields.get("settings", {}).items() if current.get(k) != v}
    origins = settings.pop(embedding.SETTING, None)
    if origins is not None and origins != embedding.origins_of(embed_item):
        embed_item = embedding.new_item(tenant.tenant_id, origins)
        changes[embedding.SETTING] = origins
    else:
        origins = None
    if settings:
        actions += tenants.settings_actions(settings)
        changes["settings"] = settings
        tenant.settings = {k: v for k, v in {**current, **settings}.items() if v is not None}
    if not changes and not actions:
        return tenant, embed_item
    now = svc.clock.now()
    txn = svc.store.txn()
    condition = (Tenant.namespace_key == caller.namespace_key) & Tenant.deleted_at.does_not_exist()
    if actions:
        txn.update(Tenant, Tenant.key(tenant.tenant_id), actions, condition=condition, tag="tenant")
    else:
        txn.check(Tenant, Tenant.key(tenant.tenant_id), condition, tag="tenant")
    if origins is not None:
        txn.put(embed_item, tag="embedding")
    txn.put(
        audit.new_event(
            tenant.tenant_id,
            actor=caller.actor(),
            action="tenant.updated",
            at=now,
            target_type="tenant",
            target_id=tenant.tenant_id,
            details={"changes": changes},
            request_id=req.request_id,
        )
    )
    txn.commit(when_failed={"tenant": NotFound("No such tenant")})
    return tenant, embed_item


# --- read ------------------------------------------------------------------------------------


def get_tenant(caller: PlatformCaller, external_id: str, item: Any, embed_item: Any = None) -> dict[str, Any]:
    return to_json(owned_tenant(caller, external_id, item), embed_item)


def list_tenants(svc: Keyhole, caller: PlatformCaller, query: dict[str, str]) -> dict[str, Any]:
    """The namespace's tenants by id (`gsi2`, then the items, consistently): cost of the page."""
    errors = Collector()
    limit = parse_limit(query, errors)
    errors.raise_if_any()
    partition = f"NS#{caller.namespace_key}"
    start = decode(
        query.get("cursor"),
        partition_attr="gsi2pk",
        partition_value=partition,
        allowed_attrs=("pk", "sk", "gsi2pk", "gsi2sk"),
        list_id="tenants",
    )
    result = Tenant.by_namespace.query(partition, limit=limit, last_evaluated_key=start)
    keys = list(result)
    found = svc.store.batch_get(
        [(Tenant, (k.pk, k.sk)) for k in keys] + [embedding.item_key(k.pk.removeprefix("TENANT#")) for k in keys]
    )
    tenants_found, embeds = found[: len(keys)], found[len(keys) :]
    items = [
        to_json(t, embed)
        for t, embed in zip(tenants_found, embeds, strict=True)
        if isinstance(t, Tenant) and t.external_id and owned(t, caller.namespace_key, t.external_id)
    ]
    return page(items, encode(result.last_evaluated_key, list_id="tenants"))


# --- suspend, resume, delete -------------------------------------------------------------------


def set_suspended(
    svc: Keyhole,
    caller: PlatformCaller,
    external_id: str,
    item: Any,
    suspended: bool,
    req: RequestInfo,
    embed_item: Any = None,
) -> dict[str, Any]:
    """Ops' suspension, by the product: links and keys stop at once (or work again), nothing deleted."""
    tenant = owned_tenant(caller, external_id, item)
    now_tenant, _ = tenants.set_suspended(
        svc, tenant.tenant_id, suspended, actor=caller.actor(), request_id=req.request_id
    )
    return to_json(now_tenant, embed_item)


def create_key(
    svc: Keyhole, caller: PlatformCaller, external_id: str, item: Any, body: dict[str, Any], req: RequestInfo
) -> dict[str, Any]:
    """A key of the tenant (its first admin key, typically), minted by the product: shown once,
    audited in the tenant's trail as the platform key's doing. `{name?, role?}`: an admin key
    named "admin key" unless told otherwise."""
    tenant = owned_tenant(caller, external_id, item)
    return apikeys.create_key(
        svc, acting_principal(caller, tenant), {"name": "admin key", "role": "admin", **body}, req
    )


def delete_tenant(
    svc: Keyhole, caller: PlatformCaller, external_id: str, item: Any, req: RequestInfo
) -> tuple[int, dict[str, Any] | None]:
    """Delete the tenant: flagged first (its keys answer 401 and its links the one 404 from then
    on), then every link revoked, every key deleted; its records stay. 204 when done; 202 when the
    time ran out first (the tenant is gone for every other route; DELETE again finishes it)."""
    if not valid_external_id(external_id):
        raise ValidationFailed.field("tenant_id", ID_RULE)
    pending = (
        isinstance(item, Tenant)
        and item.namespace_key == caller.namespace_key
        and item.external_id == external_id
        and item.deleted_at is not None
        and not item.deletion_done
    )
    if not pending:
        tenant = owned_tenant(caller, external_id, item)
        _flag_deleted(svc, caller, tenant, req)
    else:
        tenant = item
    started = time.monotonic()
    principal = acting_principal(caller, tenant)

    def in_time() -> bool:
        return time.monotonic() - started < DELETE_BUDGET_SECONDS

    revoked = sum(
        1
        for result in revocation.revoke_links(svc, principal, req, reason="tenant_deleted", keep_going=in_time)
        if result.status == "revoked"
    )
    if not in_time():
        return 202, {"id": external_id, "status": "deleting", "links_revoked": revoked}
    _delete_keys(svc, tenant.tenant_id)
    tenant.update(actions=[Tenant.deletion_done.set(True)])
    return 204, None


def _flag_deleted(svc: Keyhole, caller: PlatformCaller, tenant: Tenant, req: RequestInfo) -> None:
    now = svc.clock.now()
    stamp = to_rfc3339(now) or ""
    txn = svc.store.txn()
    txn.update(
        Tenant,
        Tenant.key(tenant.tenant_id),
        [
            Tenant.deleted_at.set(stamp),
            Tenant.suspended.set(True),  # its keys' 401 and its links' 404, as a suspension's
            Tenant.suspended_at.set(stamp),
            Tenant.gsi2pk.remove(),  # out of the namespace's list
            Tenant.gsi2sk.remove(),
        ],
        condition=(Tenant.namespace_key == caller.namespace_key) & Tenant.deleted_at.does_not_exist(),
        tag="tenant",
    )
    if svc.settings.files_bucket:
        # Its files and zips leave the bucket after the answer, with retries (docs/files.md).
        from chalicelib.files import jobs

        jobs.stage_tenant_purge(txn, tenant.tenant_id, now=now.timestamp())
    for partition in (tenant.tenant_id, audit_partition(caller.namespace_key)):
        txn.put(
            audit.new_event(
                partition,
                actor=caller.actor(),
                action="tenant.deleted",
                at=now,
                target_type="tenant",
                target_id=tenant.tenant_id,
                details={"id": tenant.external_id, "name": tenant.name},
                request_id=req.request_id,
            )
        )
    try:
        txn.commit()
    except TxnCancelled as cancelled:
        if cancelled.failed("tenant"):  # deleted meanwhile by another request: it finishes the job
            raise NotFound("No such tenant") from None
        raise
    tenant.deleted_at, tenant.suspended = stamp, True


def _delete_keys(svc: Keyhole, tenant_id: str) -> None:
    """Every API key of the tenant, each with the marks that stop it in introspection caches."""
    now = svc.clock.time()
    for key in ApiKeyItem.query(f"TENANT#{tenant_id}", ApiKeyItem.sk.startswith("KEY#"), consistent_read=True):
        txn = svc.store.txn()
        txn.delete(ApiKeyItem, (key.pk, key.sk))
        for window_key, actions in apikeys.revocation_marks(key.key_id, now):
            txn.update(RateWindow, window_key, actions)
        txn.commit()
