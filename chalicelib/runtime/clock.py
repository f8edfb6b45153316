"""Time in one place: RFC 3339 UTC formatting and a clock that tests can move forward.

Expiry, rate-limit windows and TTLs all read the same `Clock`, so a test can age a link past
its expiry without sleeping (the clock is passed in explicitly, not patched).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import overload

FAR_FUTURE = "9999-12-31T23:59:59Z"


class Clock:
    """Wall clock with an optional offset (seconds) that tests may advance."""

    def __init__(self, offset_seconds: float = 0.0) -> None:
        self.offset_seconds = offset_seconds

    def time(self) -> float:
        return time.time() + self.offset_seconds

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def advance(self, seconds: float) -> None:
        self.offset_seconds += seconds


@overload
def to_rfc3339(moment: datetime) -> str: ...
@overload
def to_rfc3339(moment: datetime | None) -> str | None: ...
def to_rfc3339(moment: datetime | None) -> str | None:
    """`2026-11-20T10:00:00Z` (seconds precision; Keyhole timestamps sort as strings)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_rfc3339_ms(moment: datetime) -> str:
    """Millisecond precision for sort keys of events that may share a second."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_rfc3339(value: str) -> datetime:
    """Parse an RFC 3339 timestamp; raises ValueError unless it carries a zone (Z or offset)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("timestamp needs a time zone (Z or +hh:mm)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise ValueError("timestamp is out of range") from None


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
