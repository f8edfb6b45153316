"""Tenants: creation (ops), the tenant view with limits and usage, settings, plans and overrides.

What a viewer request reads of a tenant (its effective settings and limits) is in
`chalicelib/tenancy/tenant_settings.py`, re-exported here.
"""

from __future__ import annotations

from typing import Any

from chalicelib.credentials.tokens import new_key_hex, tenant_id_for
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Collector, NotFound, ValidationFailed
from chalicelib.runtime.pagination import decode, encode, page
from chalicelib.runtime.validation import boolean, integer, unknown_fields
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import Plan, Tenant, plain
from chalicelib.storage.store import TxnCancelled, error_code
from chalicelib.tenancy import audit, branding, embedding, expiry, share_urls
from chalicelib.tenancy.apikeys import Principal, new_key_item
from chalicelib.tenancy.plans import (
    BUILTIN_PLANS,
    LIMIT_NAMES,
    Limits,
    effective_limits,
    normalise_limits,
    validate_limit_value,
)
from chalicelib.tenancy.tenant_settings import DEFAULT_SETTINGS, SETTING_NAMES, limits_of, settings_of

OPS_ACTOR = {"type": "ops", "id": None, "name": "ops"}


def to_json(tenant: Tenant, embed_origins: list[str] | None = None) -> dict[str, Any]:
    """`embed_origins`: the tenant's, read with the request (`embedding.item_key`)."""
    return {
        "id": tenant.tenant_id,
        "name": tenant.name,
        "plan": tenant.plan,
        "limits": limits_of(tenant),
        "overrides": normalise_limits(plain(tenant.overrides)),
        "usage": {"active_links": int(tenant.active_links or 0), "shared_resources": int(tenant.shared_resources or 0)},
        "settings": {**settings_of(tenant), embedding.SETTING: list(embed_origins or [])},
        "created_at": tenant.created_at,
    }


# --- plans ---------------------------------------------------------------------------------


def plan_limits(svc: Keyhole, plan: str) -> Limits:
    """A stored plan wins over the built-in plan of the same name."""
    stored = svc.store.get(Plan, Plan.key(plan))
    if stored is not None:
        return effective_limits(plain(stored.limits), {})
    if plan in BUILTIN_PLANS:
        return dict(BUILTIN_PLANS[plan])
    raise ValueError(f"unknown plan {plan!r}")


def list_plans(svc: Keyhole) -> dict[str, Limits]:
    plans = {name: dict(limits) for name, limits in BUILTIN_PLANS.items()}
    for key in Plan.all_plans.query("PLANS"):
        stored = svc.store.get(Plan, (key.pk, key.sk))
        if stored is not None:
            plans[stored.name] = effective_limits(plain(stored.limits), {})
    return plans


def put_plan(svc: Keyhole, name: str, limits: dict[str, Any]) -> tuple[Limits, int]:
    """Create or replace a plan and refresh the snapshot of every tenant on it."""
    if not name or not name.replace("-", "").replace("_", "").isalnum() or len(name) > 40:
        raise ValueError("plan names are 1-40 letters, digits, - or _")
    base = dict(BUILTIN_PLANS.get(name, BUILTIN_PLANS["free"]))
    for limit_name, value in limits.items():
        base[limit_name] = validate_limit_value(limit_name, value)
    pk, sk = Plan.key(name)
    Plan(pk=pk, sk=sk, name=name, limits=base, created_at=to_rfc3339(svc.clock.now()), gsi1sk=name).save()
    refreshed = 0
    for tenant_key in Tenant.by_plan.query(f"PLAN#{name}"):
        tenant = svc.store.get(Tenant, (tenant_key.pk, tenant_key.sk))
        if tenant is not None:
            _store_limits(tenant, effective_limits(base, plain(tenant.overrides)))
            refreshed += 1
    return base, refreshed


# --- tenants (ops) -------------------------------------------------------------------------


def create_tenant(
    svc: Keyhole,
    *,
    name: str,
    plan: str = "free",
    overrides: dict[str, Any] | None = None,
    key_name: str = "first admin key",
) -> tuple[Tenant, str]:
    """Create a tenant and its first admin key; returns the key (shown once)."""
    if not name or len(name) > 100:
        raise ValueError("tenant name must be 1-100 characters")
    clean_overrides = {k: validate_limit_value(k, v) for k, v in (overrides or {}).items()}
    limits = effective_limits(plan_limits(svc, plan), clean_overrides)
    now = svc.clock.now()
    tenant_key = new_key_hex()
    tenant_id = tenant_id_for(tenant_key)
    pk, sk = Tenant.key(tenant_id)
    tenant = Tenant(
        pk=pk,
        sk=sk,
        tenant_id=tenant_id,
        name=name,
        plan=plan,
        overrides=clean_overrides,
        limits=limits,
        settings=dict(DEFAULT_SETTINGS),
        active_links=0,
        shared_resources=0,
        created_at=to_rfc3339(now),
        gsi1pk="TENANTS",
        gsi1sk=f"{to_rfc3339(now)}#{tenant_id}",
        gsi3pk=f"PLAN#{plan}",
        gsi3sk=tenant_id,
    )
    key, key_item = new_key_item(tenant_id, name=key_name, role="admin", created_by="ops", now=now)
    txn = svc.store.txn()
    txn.put(tenant, condition=Tenant.pk.does_not_exist(), tag="tenant")
    txn.put(key_item, condition=Tenant.pk.does_not_exist(), tag="key")
    txn.put(
        audit.new_event(
            tenant_id,
            actor=OPS_ACTOR,
            action="tenant.created",
            at=now,
            target_type="tenant",
            target_id=tenant_id,
            details={"name": name, "plan": plan},
        ),
        tag="audit",
    )
    txn.commit()
    return tenant, key.value


def get_tenant(svc: Keyhole, tenant_id: str) -> Tenant:
    tenant = svc.store.get(Tenant, Tenant.key(tenant_id))
    if tenant is None:
        raise NotFound("No such tenant")
    return tenant


def list_tenants(svc: Keyhole, *, limit: int = 100, cursor: str | None = None) -> dict[str, Any]:
    start = decode(
        cursor,
        partition_attr="gsi1pk",
        partition_value="TENANTS",
        allowed_attrs=("pk", "sk", "gsi1pk", "gsi1sk"),
        list_id="tenants",
    )
    keys = Tenant.by_created.query("TENANTS", limit=limit, last_evaluated_key=start)
    found = list(keys)
    tenants = svc.store.batch_get([(Tenant, (k.pk, k.sk)) for k in found])
    return page(
        [to_json(t) for t in tenants if isinstance(t, Tenant)], encode(keys.last_evaluated_key, list_id="tenants")
    )


def set_plan(svc: Keyhole, tenant_id: str, plan: str) -> Tenant:
    tenant = get_tenant(svc, tenant_id)
    limits = effective_limits(plan_limits(svc, plan), plain(tenant.overrides))
    tenant.update(actions=[Tenant.plan.set(plan), Tenant.gsi3pk.set(f"PLAN#{plan}"), Tenant.limits.set(limits)])
    audit.new_event(
        tenant_id,
        actor=OPS_ACTOR,
        action="tenant.plan_changed",
        at=svc.clock.now(),
        target_type="tenant",
        target_id=tenant_id,
        details={"plan": plan},
    ).save()
    return tenant


def set_override(svc: Keyhole, tenant_id: str, name: str, value: Any, *, clear: bool = False) -> Tenant:
    tenant = get_tenant(svc, tenant_id)
    overrides = dict(plain(tenant.overrides))
    if name not in LIMIT_NAMES:
        raise ValueError(f"unknown limit {name!r}; known: {', '.join(LIMIT_NAMES)}")
    if clear:
        overrides.pop(name, None)
    else:
        overrides[name] = validate_limit_value(name, value)
    limits = effective_limits(plan_limits(svc, tenant.plan), overrides)
    tenant.update(actions=[Tenant.overrides.set(overrides), Tenant.limits.set(limits)])
    audit.new_event(
        tenant_id,
        actor=OPS_ACTOR,
        action="tenant.limit_overridden",
        at=svc.clock.now(),
        target_type="tenant",
        target_id=tenant_id,
        details={"limit": name, "value": None if clear else overrides[name], "cleared": clear},
    ).save()
    return tenant


def set_suspended(
    svc: Keyhole,
    tenant_id: str,
    suspended: bool,
    *,
    reason: str | None = None,
    actor: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> tuple[Tenant, bool]:
    """Suspend (or resume) a tenant at once: while suspended its API keys answer the same 401 as
    unknown keys and its links the same 404 as dead links; nothing is deleted, and resuming brings
    every key and link back as it was. Audited (as `actor`: ops unless a platform key did it).
    Returns the tenant and whether anything changed."""
    tenant = get_tenant(svc, tenant_id)
    if tenant.deleted_at is not None:  # its deletion holds it suspended; nothing brings it back
        raise NotFound("No such tenant")
    if bool(tenant.suspended) == suspended:
        _mark_capabilities(svc, tenant_id, suspended)  # finish what an interrupted run left undone
        return tenant, False
    now = svc.clock.now()
    txn = svc.store.txn()
    if suspended:
        actions = [
            Tenant.suspended.set(True),
            Tenant.suspended_at.set(to_rfc3339(now) or ""),
            Tenant.suspensions.add(1),
        ]
        condition = Tenant.pk.exists() & Tenant.suspended.does_not_exist()
    else:
        actions = [Tenant.suspended.remove(), Tenant.suspended_at.remove()]
        condition = (Tenant.suspended == True) & Tenant.deleted_at.does_not_exist()  # noqa: E712 (a DynamoDB condition)
    txn.update(Tenant, Tenant.key(tenant_id), actions, condition=condition, tag="tenant")
    txn.put(
        audit.new_event(
            tenant_id,
            actor=actor or OPS_ACTOR,
            action="tenant.suspended" if suspended else "tenant.resumed",
            at=now,
            target_type="tenant",
            target_id=tenant_id,
            details={"reason": reason} if reason else {},
            request_id=request_id,
        ),
        tag="audit",
    )
    try:
        txn.commit()
    except TxnCancelled as cancelled:
        if cancelled.failed("tenant"):  # someone else got there first: same end state
            _mark_capabilities(svc, tenant_id, suspended)  # finish what the other run may not have
            return get_tenant(svc, tenant_id), False
        raise
    _mark_capabilities(svc, tenant_id, suspended)
    return get_tenant(svc, tenant_id), True


def _mark_capabilities(svc: Keyhole, tenant_id: str, suspended: bool) -> None:
    """Flag (or unflag) every live capability of the tenant. Viewer requests cache the tenant item
    briefly (chalicelib/runtime/caches.py) but read the capability every time: the flag is what makes a
    suspension stop every link at once. After the tenant's own flag, so no link is created
    meanwhile (the admin API refuses a suspended tenant's keys)."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.storage.models import Capability, LinkRecord

    keys = [(item.pk, item.sk) for item in LinkRecord.by_tenant_state.query(f"T#{tenant_id}#S#live")]
    for start in range(0, len(keys), 100):
        records = svc.store.batch_get([(LinkRecord, key) for key in keys[start : start + 100]])
        for record in records:
            if not isinstance(record, LinkRecord) or record.state != "live":
                continue
            action = Capability.suspended.set(True) if suspended else Capability.suspended.remove()
            try:
                Capability(*Capability.key(record.token_hash)).update(
                    actions=[action], condition=Capability.pk.exists()
                )
            except UpdateError as error:
                if error_code(error) != "ConditionalCheckFailedException":  # gone: revoked or expired
                    raise svc.store.translate(error) from error


def _store_limits(tenant: Tenant, limits: Limits) -> None:
    tenant.update(actions=[Tenant.limits.set(limits)])


# --- settings (admin API) ------------------------------------------------------------------


def settings_changes(
    body: dict[str, Any], current: dict[str, Any], *, embedding_stage: bool | None = None
) -> dict[str, Any]:
    """The settings `body` changes (validated, normalised; None clears one), or a 422 naming every
    bad field. `current` is the tenant's settings, against which the expiry pair is checked.

    `embedding_stage`: whether `embed_origins` may be set here (None: not here; False: a deployed
    stage; True: a local stage, which also accepts this machine's http origins). It is written
    apart from the tenant item (`patch_settings`)."""
    errors = Collector()
    unknown_fields(body, SETTING_NAMES, errors)
    changes: dict[str, Any] = {}
    if embedding_stage is None and embedding.SETTING in body:
        errors.add(embedding.SETTING, "is set with PATCH /v1/tenant")
    elif embedding_stage is not None:
        origins = embedding.validate(body, errors, local_stage=embedding_stage)
        if origins is not None:
            changes[embedding.SETTING] = origins
    for name in ("default_expires_in", "max_expires_in"):
        if name in body:
            try:
                expiry.parse_duration(body[name])
                changes[name] = body[name].strip()
            except ValueError as error:
                errors.add(name, str(error))
    if "token_display" in body:
        if body["token_display"] in ("recopyable", "once"):
            changes["token_display"] = body["token_display"]
        else:
            errors.add("token_display", "must be recopyable or once")
    for name in ("require_password", "default_redact", "allow_imported_tokens"):
        flag = boolean(body, name, errors)
        if flag is not None:
            changes[name] = flag
    days = integer(body, "access_log_retention_days", errors, minimum=1, maximum=365)
    if days is not None:
        changes["access_log_retention_days"] = days
    if "share_url_template" in body:
        template = body["share_url_template"]
        problem = None if template is None else share_urls.template_problem(template)
        if problem:
            errors.add("share_url_template", problem)
        else:
            changes["share_url_template"] = template
    changes.update(branding.validate(body, errors))
    errors.raise_if_any()
    merged = {**current, **changes}
    default_s = expiry.parse_duration(merged["default_expires_in"])
    max_s = expiry.parse_duration(merged["max_expires_in"])
    if max_s is not None and (default_s is None or default_s > max_s):
        field = "default_expires_in" if "default_expires_in" in changes else "max_expires_in"
        raise ValidationFailed.field(field, "default_expires_in must not exceed max_expires_in")
    return changes


def settings_actions(changes: dict[str, Any]) -> list[Any]:
    """The tenant item's update for `changes` (None removes a setting: back to its default)."""
    return [
        Tenant.settings[name].set(value) if value is not None else Tenant.settings[name].remove()
        for name, value in changes.items()
        if name != embedding.SETTING  # an item of its own
    ]


def patch_settings(
    svc: Keyhole, principal: Principal, body: dict[str, Any], req: RequestInfo, embed_item: Any = None
) -> dict[str, Any]:
    """`embed_item`: the tenant's `TenantEmbedding`, read with authentication (None: none yet)."""
    current = settings_of(principal.tenant)
    changes = settings_changes(body, current, embedding_stage=svc.settings.is_local_stage)
    origins = embedding.origins_of(embed_item)
    if changes.get(embedding.SETTING) == origins:
        del changes[embedding.SETTING]
    merged = {**current, **{k: v for k, v in changes.items() if k != embedding.SETTING}}
    if changes:
        now = svc.clock.now()
        txn = svc.store.txn()
        actions = settings_actions(changes)
        if actions:
            txn.update(Tenant, Tenant.key(principal.tenant_id), actions, condition=Tenant.pk.exists(), tag="tenant")
        if embedding.SETTING in changes:
            origins = changes[embedding.SETTING]
            txn.put(embedding.new_item(principal.tenant_id, origins), tag="embedding")
        txn.put(
            audit.new_event(
                principal.tenant_id,
                actor=principal.actor(),
                action="tenant.settings_updated",
                at=now,
                target_type="tenant",
                target_id=principal.tenant_id,
                details={"changes": changes},
                request_id=req.request_id,
            ),
            tag="audit",
        )
        txn.commit()
        principal.tenant.settings = merged
    return to_json(principal.tenant, origins)


def list_tenant_ids(svc: Keyhole) -> list[str]:
    return [t.gsi1sk.split("#", 1)[1] for t in Tenant.by_created.query("TENANTS")]
