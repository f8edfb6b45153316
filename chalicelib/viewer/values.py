"""Scalar values and field names as a reader wants them: humanized names, units taken from the
name, numbers, dates, status tones, links. Pure; every string leaves through `escape`.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from chalicelib.resources.redaction import MASK
from chalicelib.viewer.escape import attr, text

LONG_TEXT = 160

# --- labels and scalar values --------------------------------------------------------------

_CAMEL_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD_BREAK = re.compile(r"[\s_.\-]+")
_UNIT_WORDS = {
    "ms": "(ms)",
    "percent": "(%)",
    "pct": "(%)",
    "seconds": "(s)",
    "secs": "(s)",
    "bytes": "(bytes)",
    "kb": "(KB)",
    "mb": "(MB)",
    "gb": "(GB)",
    "s": "(s)",
    "sec": "(s)",
    "mins": "(min)",
    "minutes": "(min)",
    "hours": "(h)",
}
_ACRONYMS = {
    "id",
    "ids",
    "url",
    "urls",
    "uri",
    "ip",
    "api",
    "http",
    "https",
    "dns",
    "sla",
    "ssl",
    "tls",
    "cpu",
    "uuid",
    "json",
    "html",
    "ttl",
    "ui",
    "sku",
    "vat",
    "eta",
}


def humanize(key: str) -> str:
    """`uptime_30d_percent` -> `Uptime 30d (%)`: field names as a reader would say them."""
    words = [w for w in _WORD_BREAK.split(_CAMEL_BREAK.sub(" ", key)) if w]
    if not words:
        return key if key else "(no name)"
    if len(words) > 1 and words[-1].lower() in _UNIT_WORDS:
        words[-1] = _UNIT_WORDS[words[-1].lower()]
    shaped = []
    for index, word in enumerate(words):
        if word.lower() in _ACRONYMS:
            word = word.upper()
        elif index and word[:1].isupper() and word[1:].islower():
            word = word.lower()
        shaped.append(word)
    shaped[0] = shaped[0][:1].upper() + shaped[0][1:]
    return " ".join(shaped)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2})$")
_URL = re.compile(r"^https?://[^\s<>\"'`\\\x00-\x20\x7f-\x9f]+$", re.IGNORECASE)
_RAW_NUMBER_KEYS = re.compile(r"(^|_|\b)(id|port|year|code|zip|pin|phone|version|number|no)s?($|_)", re.I)

_STATUS_KEYS = {"status", "state", "health", "result", "outcome", "condition", "severity", "level"}
_TONES = {
    "ok": {
        "ok",
        "up",
        "operational",
        "healthy",
        "active",
        "pass",
        "passed",
        "passing",
        "success",
        "succeeded",
        "online",
        "green",
        "resolved",
        "available",
        "running",
        "enabled",
        "complete",
        "completed",
        "done",
        "live",
        "paid",
        "shipped",
        "delivered",
        "fulfilled",
        "approved",
        "accepted",
    },
    "warn": {
        "degraded",
        "warning",
        "warn",
        "pending",
        "partial",
        "partial_outage",
        "maintenance",
        "slow",
        "yellow",
        "amber",
        "queued",
        "in_progress",
        "paused",
        "unknown",
        "minor",
        "investigating",
        "monitoring",
        "processing",
        "on_hold",
        "awaiting_payment",
        "scheduled",
        "draft",
        "refunded",
    },
    "bad": {
        "down",
        "failed",
        "fail",
        "failing",
        "error",
        "critical",
        "outage",
        "major_outage",
        "offline",
        "red",
        "unhealthy",
        "unavailable",
        "disabled",
        "blocked",
        "major",
        "expired",
        "cancelled",
        "canceled",
        "rejected",
        "declined",
        "overdue",
        "timeout",
        "timed_out",
    },
}


def format_datetime(moment: datetime) -> str:
    """`12 Nov 2026, 03:14 UTC`: unambiguous for readers anywhere."""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def parse_datetime(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00").replace("t", "T"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def format_number(value: float, key: str = "") -> str:
    """Thousands separators for big quantities (not ids, ports or years); floats without noise."""
    if isinstance(value, int):
        if abs(value) >= 10_000 and not _RAW_NUMBER_KEYS.search(key) and abs(value) < 10**21:
            return f"{value:,}"
        return str(value)
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return format_number(int(value), key)
    if abs(value) >= 1e15 or abs(value) < 1e-4:
        return f"{value:g}"
    grouped = abs(value) >= 10_000 and not _RAW_NUMBER_KEYS.search(key)
    shown = f"{value:,.6f}" if grouped else f"{value:.6f}"
    return shown.rstrip("0").rstrip(".")


_TONE_OF_WORD = {word: tone for tone, words in _TONES.items() for word in words}


@lru_cache(maxsize=1024)
def tone_of(value: str) -> str | None:
    """`ok`, `warn` or `bad` for a known status word (`up`, `Degraded`, `major outage`), else None."""
    if len(value) > 40:
        return None
    return _TONE_OF_WORD.get(value.strip().lower().replace(" ", "_").replace("-", "_"))


@lru_cache(maxsize=1024)
def is_status_key(key: str) -> bool:
    """`status`, `state`, `health`, ... and names ending in them (`check_status`, `lastState`)."""
    lowered = key.lower()
    if lowered in _STATUS_KEYS:
        return True
    words = [w for w in _WORD_BREAK.split(_CAMEL_BREAK.sub(" ", key)) if w]
    return bool(words) and words[-1].lower() in _STATUS_KEYS


@lru_cache(maxsize=1024)
def is_raw_number_key(key: str) -> bool:
    """Ids, ports, years, codes: numbers that are names, not quantities (no grouping, no charts)."""
    return bool(_RAW_NUMBER_KEYS.search(key))


def _tone(key: str, value: str) -> str | None:
    return tone_of(value) if is_status_key(key) else None


def pill(value: str, tone: str | None) -> str:
    return f'<span class="pill {tone or "neutral"}">{text(value)}</span>'


def unit_of(key: str) -> str | None:
    """The unit a field's name ends with: `latency_ms` -> `ms`, `uptime_percent` -> `%`."""
    words = [w for w in _WORD_BREAK.split(_CAMEL_BREAK.sub(" ", key)) if w]
    if len(words) < 2:
        return None
    shown = _UNIT_WORDS.get(words[-1].lower())
    return shown[1:-1] if shown else None


def with_unit(number: str, unit: str | None) -> str:
    if not unit:
        return number
    return f"{number}{unit}" if unit in ("%",) else f"{number} {unit}"


def parse_moment(value: Any) -> datetime | None:
    """An RFC 3339 date-time (with offset) or a plain date, as an aware datetime; else None."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    return _parse_moment(value)


@lru_cache(maxsize=8192)  # a table's time column is read by its shape, its columns and its cells
def _parse_moment(value: str) -> datetime | None:
    if _DATE.match(value):
        try:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return None
    if _DATETIME.match(value):
        return parse_datetime(value)
    return None


def decimals_of(value: float) -> int:
    """Decimal places a number needs as written (at most 6): 14.1 -> 1, 9.99 -> 2, 3 -> 0."""
    if isinstance(value, int) or not math.isfinite(value) or value.is_integer():
        return 0
    shown = f"{value:.6f}".rstrip("0")
    return len(shown.split(".")[1]) if "." in shown else 0


def format_fixed(value: float, decimals: int, *, grouped: bool) -> str:
    """A number with exactly `decimals` places (a column or axis reads consistently)."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return format_number(value)
    return f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_moment(moment: datetime, *, with_date: bool = True, with_time: bool = True) -> str:
    """Axis labels: `12 Nov, 03:14`, `12 Nov 2026`, `03:14` (UTC)."""
    moment = moment.astimezone(UTC)
    month = _MONTHS[moment.month - 1]
    if with_date and with_time:
        return f"{moment.day} {month}, {moment.hour:02d}:{moment.minute:02d}"
    if with_date:
        return f"{moment.day} {month} {moment.year}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _is_url(value: str) -> bool:
    if len(value) > 2048 or not _URL.match(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def scalar(value: Any, key: str = "") -> str:
    """One scalar JSON value as safe HTML: masked, dated, linked (http/https only) or plain."""
    if value is None:
        return '<span class="muted" title="Not set">—</span>'
    if isinstance(value, bool):
        return f'<span class="bool {"yes" if value else "no"}">{"Yes" if value else "No"}</span>'
    if isinstance(value, (int, float)):
        return f'<span class="num">{text(format_number(value, key))}</span>'
    if not isinstance(value, str):  # not reachable for JSON, kept total
        return text(str(value))
    if value == MASK:
        return '<span class="redacted" title="Hidden by the owner of this page">***</span>'
    if _DATE.match(value):
        try:
            day = datetime.strptime(value, "%Y-%m-%d")
            return f'<time datetime="{attr(value)}">{day.day} {day:%b %Y}</time>'
        except ValueError:
            pass
    if _DATETIME.match(value):
        moment = parse_datetime(value)
        if moment is not None:
            return f'<time datetime="{attr(value)}">{text(format_datetime(moment))}</time>'
    tone = _tone(key, value)
    if tone:
        return f'<span class="pill {tone}">{text(value)}</span>'
    if _is_url(value):
        return f'<a href="{attr(value)}" rel="nofollow noopener noreferrer">{text(value)}</a>'
    if "\n" in value or len(value) > LONG_TEXT:
        return f'<span class="text">{text(value)}</span>'
    return text(value)


# --- time in words -------------------------------------------------------------------------


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _span_words(seconds: float) -> str | None:
    if seconds < 45:
        return None
    minutes = round(seconds / 60)
    if minutes < 60:
        return _plural(max(1, minutes), "minute")
    hours = round(seconds / 3600)
    if hours < 24:
        return _plural(hours, "hour")
    days = round(seconds / 86400)
    return _plural(days, "day")


def expires_in_words(expires_at: str | None, now: datetime) -> str:
    """`expires in 3 days`, `expires in 5 hours`, `never expires`, or the date when far away."""
    if not expires_at:
        return "never expires"
    moment = parse_datetime(expires_at)
    if moment is None:
        return f"expires {expires_at}"
    seconds = (moment - now).total_seconds()
    if seconds <= 0:
        return "has expired"
    if seconds > 60 * 86400:
        return f"expires on {moment.day} {moment:%b %Y}"
    words = _span_words(seconds)
    return f"expires in {words}" if words else "expires in less than a minute"


def ago_words(at: str | None, now: datetime) -> str:
    """`updated 5 minutes ago` style: `just now`, `N minutes/hours/days ago`, or a date."""
    moment = parse_datetime(at) if at else None
    if moment is None:
        return "at an unknown time"
    seconds = (now - moment).total_seconds()
    if seconds > 30 * 86400:
        return f"on {moment.day} {moment:%b %Y}"
    words = _span_words(max(0.0, seconds))
    return f"{words} ago" if words else "just now"
