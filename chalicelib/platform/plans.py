"""Plans a namespace's tenants may be on: the built-in ones (as ops may have changed them) and the
namespace's own (`PUT /v1/plans/{name}`), which no other namespace sees.

A namespace's plan is stored as `NS#<namespace key>` / `PLAN#<name>`; its tenants are indexed by
`gsi3` under `NSPLAN#<namespace key>#<name>` (built-in plans: `PLAN#<name>`, as ops' tenants), so
changing a plan refreshes the limits of every tenant on it, as `opscli plan put` does.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from pynamodb.exceptions import UpdateError

from chalicelib.platform.keys import audit_partition
from chalicelib.runtime.clock import to_rfc3339
from chalicelib.runtime.errors import Collector, ValidationFailed
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import NamespacePlan, Tenant, plain
from chalicelib.storage.store import error_code
from chalicelib.tenancy import audit, tenants
from chalicelib.tenancy.plans import (
    BUILTIN_PLANS,
    LIMIT_NAMES,
    Limits,
    effective_limits,
    normalise_limits,
    validate_limit_value,
)

PLAN_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
PLAN_FIELDS = ("limits",)
NAME_RULE = "must be 1-40 characters of A-Za-z0-9_- and not a built-in plan's name (free, team, enterprise)"


def index_key(namespace_key: str, plan: str) -> str:
    """The gsi3 partition of the namespace's tenants on `plan`."""
    return f"PLAN#{plan}" if plan in BUILTIN_PLANS else f"NSPLAN#{namespace_key}#{plan}"


def limits_of_plan(svc: Keyhole, namespace_key: str, plan: Any) -> Limits | None:
    """The limits of a plan the namespace may use, or None when it has no such plan."""
    if not isinstance(plan, str) or not PLAN_NAME_RE.match(plan):
        return None
    if plan in BUILTIN_PLANS:
        return tenants.plan_limits(svc, plan)
    stored = svc.store.get(NamespacePlan, NamespacePlan.key(namespace_key, plan))
    return effective_limits(plain(stored.limits), {}) if stored is not None else None


def to_json(name: str, limits: Limits, source: str) -> dict[str, Any]:
    return {"name": name, "source": source, "limits": limits}


def list_plans(svc: Keyhole, namespace_key: str) -> dict[str, Any]:
    """The built-in plans, then the namespace's own, by name."""
    items = [to_json(name, tenants.plan_limits(svc, name), "builtin") for name in BUILTIN_PLANS]
    own = NamespacePlan.query(f"NS#{namespace_key}", NamespacePlan.sk.startswith("PLAN#"), consistent_read=True)
    items += [to_json(plan.name, effective_limits(plain(plan.limits), {}), "namespace") for plan in own]
    return {"items": items, "next_cursor": None}


def parse_limits(body: dict[str, Any]) -> Limits:
    """`{"limits": {name: whole number or null (unlimited)}}`; a limit left out takes the free
    plan's value. 422 naming each bad field."""
    errors = Collector()
    for name in body:
        if name not in PLAN_FIELDS:
            errors.add(name, "unknown field")
    raw = body.get("limits")
    limits: Limits = dict(BUILTIN_PLANS["free"])
    if not isinstance(raw, dict):
        errors.add("limits", "is required: an object of limit names to whole numbers (null: unlimited)")
    else:
        for name, value in raw.items():
            if name not in LIMIT_NAMES:
                errors.add(f"limits.{name}", f"unknown limit; known: {', '.join(LIMIT_NAMES)}")
            elif isinstance(value, bool) or not (value is None or isinstance(value, int)):
                errors.add(f"limits.{name}", "must be a whole number from 0 to 1,000,000,000, or null (unlimited)")
            elif value is not None and not 0 <= value <= 1_000_000_000:
                errors.add(f"limits.{name}", "must be a whole number from 0 to 1,000,000,000, or null (unlimited)")
            else:
                limits[name] = validate_limit_value(name, value)
    errors.raise_if_any()
    return limits


def put_plan(
    svc: Keyhole, namespace_key: str, name: str, body: dict[str, Any], actor: dict[str, Any], req: RequestInfo
) -> tuple[int, dict[str, Any]]:
    """Create (201) or replace (200) one of the namespace's plans, then refresh the limits of its
    tenants on it. Audited in the namespace's trail."""
    if not PLAN_NAME_RE.match(name) or name in BUILTIN_PLANS:
        raise ValidationFailed.field("name", NAME_RULE)
    limits = parse_limits(body)
    now = svc.clock.now()
    pk, sk = NamespacePlan.key(namespace_key, name)
    existing = svc.store.get(NamespacePlan, (pk, sk))
    stamp = to_rfc3339(now)
    plan = NamespacePlan(
        pk=pk,
        sk=sk,
        namespace_key=namespace_key,
        name=name,
        limits=limits,
        created_at=existing.created_at if existing is not None else stamp,
        updated_at=stamp,
    )
    txn = svc.store.txn()
    txn.put(plan, tag="plan")
    txn.put(
        audit.new_event(
            audit_partition(namespace_key),
            actor=actor,
            action="plan.created" if existing is None else "plan.updated",
            at=now,
            target_type="plan",
            target_id=name,
            details={"limits": limits},
            request_id=req.request_id,
        ),
        tag="audit",
    )
    txn.commit()
    refreshed = refresh_tenants(svc, namespace_key, name, limits)
    return (201 if existing is None else 200), {**to_json(name, limits, "namespace"), "tenants_updated": refreshed}


def refresh_tenants(svc: Keyhole, namespace_key: str, name: str, limits: Limits) -> int:
    """Write the new effective limits of every tenant on the plan (plan + its own overrides),
    reading them a hundred at a time. Tenants already up to date are skipped, so when a request
    ends before the last one (a plan with very many tenants), the same PUT again finishes it."""
    refreshed = 0
    keys = (key for key in Tenant.by_plan.query(index_key(namespace_key, name)))
    while batch := [(Tenant, (key.pk, key.sk)) for key in itertools.islice(keys, 100)]:
        for tenant in svc.store.batch_get(batch):
            if isinstance(tenant, Tenant) and tenant.deleted_at is None:
                refreshed += _refresh(svc, tenant, name, limits)
    return refreshed


def _refresh(svc: Keyhole, tenant: Tenant, name: str, limits: Limits) -> int:
    """1 when the tenant's limits were written, 0 when they were up to date or it changed plan."""
    wanted = effective_limits(limits, plain(tenant.overrides))
    if wanted == normalise_limits(plain(tenant.limits)):
        return 0
    try:
        tenant.update(actions=[Tenant.limits.set(wanted)], condition=Tenant.plan == name)
    except UpdateError as error:  # moved to another plan meanwhile: that change wrote its limits
        if error_code(error) != "ConditionalCheckFailedException":
            raise svc.store.translate(error) from error
        return 0
    return 1
