"""Link expiry: `expires_in` (`1h`, `24h`, `7d`, `30d`, `never`, any `<n>m|h|d`), `expires_at`,
and the tenant's default and maximum. Pure functions: time comes in as an argument.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from chalicelib.runtime.clock import parse_rfc3339
from chalicelib.runtime.errors import Collector

NEVER = "never"
MAX_SECONDS = 10 * 366 * 86400  # nothing expires more than ~10 years out
_DURATION_RE = re.compile(r"^([1-9][0-9]{0,7})([mhd])$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> int | None:
    """Seconds for `<n>m|h|d`, None for `never`. Raises ValueError with a user-facing message."""
    if not isinstance(value, str):
        raise ValueError("must be a string like 1h, 24h, 7d, 30d, 90m or never")
    text = value.strip()
    if text == NEVER:
        return None
    match = _DURATION_RE.match(text)
    if not match:
        raise ValueError("must be like 1h, 24h, 7d, 30d, <n>m, <n>h, <n>d, or never")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds > MAX_SECONDS:
        raise ValueError("must be at most 3660d")
    return seconds


def describe(seconds: int | None) -> str:
    if seconds is None:
        return NEVER
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def resolve(
    body: dict,
    *,
    now: datetime,
    default_expires_in: str,
    max_expires_in: str,
    errors: Collector,
    use_default: bool = True,
) -> tuple[bool, datetime | None]:
    """Work out a link's expiry from `expires_in` / `expires_at` in `body`.

    Returns (given, expires_at): `given` is False when the body names neither field and
    `use_default` is False (a PATCH that leaves expiry alone). Field errors go to `errors`.
    """
    has_in, has_at = "expires_in" in body, "expires_at" in body
    if has_in and has_at:
        errors.add("expires_in", "give expires_in or expires_at, not both")
        errors.add("expires_at", "give expires_in or expires_at, not both")
        return True, None
    max_seconds = parse_duration(max_expires_in)
    field = "expires_in"
    if has_in:
        try:
            seconds = parse_duration(body["expires_in"])
        except ValueError as error:
            errors.add("expires_in", str(error))
            return True, None
        expires_at = None if seconds is None else now + timedelta(seconds=seconds)
    elif has_at:
        field = "expires_at"
        raw = body["expires_at"]
        if raw is None:
            expires_at = None
        else:
            try:
                if not isinstance(raw, str):
                    raise ValueError
                expires_at = parse_rfc3339(raw).replace(microsecond=0)
            except ValueError:
                errors.add("expires_at", "must be an RFC 3339 timestamp such as 2026-12-31T00:00:00Z")
                return True, None
            if expires_at <= now:
                errors.add("expires_at", "must be in the future")
                return True, None
            if expires_at > now + timedelta(seconds=MAX_SECONDS):
                errors.add("expires_at", "must be at most 3660 days from now")
                return True, None
    elif use_default:
        seconds = parse_duration(default_expires_in)
        expires_at = None if seconds is None else now + timedelta(seconds=seconds)
    else:
        return False, None
    if max_seconds is not None:
        if expires_at is None:
            errors.add(field, f"this tenant's links must expire within {describe(max_seconds)}")
        elif expires_at > now + timedelta(seconds=max_seconds, milliseconds=999):
            errors.add(field, f"must be within this tenant's max_expires_in ({describe(max_seconds)})")
    if expires_at is not None:
        expires_at = expires_at.replace(microsecond=0)
    return True, expires_at
