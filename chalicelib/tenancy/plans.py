"""Plans as data: limit names, the built-in plans, and effective limits (plan + overrides).

`None` means unlimited. Ops can store more plans (`Plan` items) and override any limit for one
tenant; the tenant item keeps an effective snapshot so request paths never read the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

LIMIT_NAMES = (
    "links_per_resource",
    "shared_resources",
    "api_requests_per_min",
    "viewer_requests_per_min_per_ip",
    "failed_resolves_per_min_per_ip",
)

Limits = dict[str, int | None]

BUILTIN_PLANS: dict[str, Limits] = {
    "free": {
        "links_per_resource": 1,
        "shared_resources": 2,
        "api_requests_per_min": 300,
        "viewer_requests_per_min_per_ip": 120,
        "failed_resolves_per_min_per_ip": 30,
    },
    "team": {
        "links_per_resource": 10,
        "shared_resources": 1000,
        "api_requests_per_min": 1200,
        "viewer_requests_per_min_per_ip": 600,
        "failed_resolves_per_min_per_ip": 30,
    },
    "enterprise": {
        "links_per_resource": 100,
        "shared_resources": None,
        "api_requests_per_min": 6000,
        "viewer_requests_per_min_per_ip": 3000,
        "failed_resolves_per_min_per_ip": 60,
    },
}

# What frees a slot, for the message of a 409 limit_reached.
HOW_TO_FREE = {
    "links_per_resource": "revoke one of this resource's active or paused links, or wait for one to expire",
    "shared_resources": "revoke every active or paused link of another shared resource (or delete that resource)",
}


def normalise_limits(raw: Mapping[str, object]) -> Limits:
    """Coerce stored numbers (DynamoDB gives floats/Decimals) to int, keeping None as unlimited."""
    out: Limits = {}
    for name in LIMIT_NAMES:
        if name in raw:
            value = raw[name]
            if value is not None and not isinstance(value, int | float | Decimal | str):
                raise TypeError(f"limit {name} is stored as {type(value).__name__}, not a number")
            out[name] = None if value is None else int(value)
    return out


def effective_limits(plan_limits: Mapping[str, object], overrides: Mapping[str, object]) -> Limits:
    limits = normalise_limits(plan_limits)
    limits.update(normalise_limits(overrides))
    for name in LIMIT_NAMES:
        limits.setdefault(name, None)
    return limits


def validate_limit_value(name: str, value: object) -> int | None:
    """For ops input: a non-negative int, or None / 'unlimited'. Raises ValueError otherwise."""
    if name not in LIMIT_NAMES:
        raise ValueError(f"unknown limit {name!r}; known: {', '.join(LIMIT_NAMES)}")
    if value is None or value == "unlimited":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number or 'unlimited'")
    try:
        number = int(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a whole number or 'unlimited'") from None
    if number < 0:
        raise ValueError(f"{name} must not be negative")
    return number
