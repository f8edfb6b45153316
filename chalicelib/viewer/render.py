"""A (scoped, redacted) document as escaped HTML: pure functions, free of Chalice and storage.

Escaping is the boundary between a tenant's document and a viewer's browser, so it lives in one
small place that unit tests attack directly with hostile documents. Every piece of data reaches
markup through `text()` (element content) or `attr()` (attribute values); nothing else
interpolates data.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from ..redaction import MASK

# Nesting shown as sections with headings (h2..h4); deeper objects become nested lists, and
# past MAX_SHOWN_DEPTH a subtree is shown as indented JSON text (still escaped) so a hostile
# 64-level document stays readable on a phone.
SECTION_DEPTH = 3
MAX_SHOWN_DEPTH = 8
LONG_TEXT = 160
CHIP_TEXT = 40
MAX_CHIPS = 24

# --- escaping ------------------------------------------------------------------------------

# Characters that are invisible or reorder text (bidi overrides and isolates, C0/C1 controls,
# line separators, BOM, lone surrogates that cannot even be encoded): shown as a visible marker
# so a document cannot spoof what a viewer reads. Tabs and newlines are kept.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
    "\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def text(value: str) -> str:
    """Escape `value` for element content; invisible controls become visible `U+XXXX` markers."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    parts: list[str] = []
    last = 0
    for match in _INVISIBLE.finditer(value):
        parts.append(html.escape(value[last : match.start()], quote=True))
        parts.append(f'<span class="cc" title="Invisible character">U+{ord(match.group()):04X}</span>')
        last = match.end()
    parts.append(html.escape(value[last:], quote=True))
    return "".join(parts)


def attr(value: str) -> str:
    """Escape `value` for a double-quoted attribute; invisible controls become U+FFFD."""
    return html.escape(_INVISIBLE.sub("\ufffd", value), quote=True)


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
    },
}


def format_datetime(moment: datetime) -> str:
    """`12 Nov 2026, 03:14 UTC`: unambiguous for readers anywhere."""
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _parse_datetime(value: str) -> datetime | None:
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


def _tone(key: str, value: str) -> str | None:
    if key.lower() not in _STATUS_KEYS or len(value) > 40:
        return None
    normal = value.strip().lower().replace(" ", "_").replace("-", "_")
    for tone, words in _TONES.items():
        if normal in words:
            return tone
    return None


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
        moment = _parse_datetime(value)
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


# --- documents -----------------------------------------------------------------------------


def _is_container(value: Any) -> bool:
    return isinstance(value, (dict, list))


def render_document(document: Any) -> str:
    """The viewer's document as readable, escaped HTML (sections, definition lists, tables)."""
    if isinstance(document, Mapping):
        if not document:
            return '<p class="empty">There is nothing to show in this view yet.</p>'
        return _object(document, depth=1, headings=True)
    return _value(document, "", depth=1, headings=False)


def _object(obj: Mapping[str, Any], *, depth: int, headings: bool) -> str:
    if depth > MAX_SHOWN_DEPTH:
        return _raw(obj)
    if not obj:
        return '<span class="muted">Empty</span>'
    sectioned = headings and depth <= SECTION_DEPTH
    plain = [(k, v) for k, v in obj.items() if not (sectioned and _is_container(v))]
    parts: list[str] = []
    if plain:
        parts.append('<dl class="fields">')
        for key, value in plain:
            parts.append(
                f'<div><dt title="{attr(key)}">{text(humanize(key))}</dt>'
                f"<dd>{_value(value, key, depth=depth + 1, headings=False)}</dd></div>"
            )
        parts.append("</dl>")
    if sectioned:
        tag = f"h{depth + 1}"
        for key, value in obj.items():
            if _is_container(value):
                parts.append(
                    f'<section class="group depth-{depth}"><{tag} title="{attr(key)}">'
                    f"{text(humanize(key))}</{tag}>{_value(value, key, depth=depth + 1, headings=True)}"
                    f"</section>"
                )
    return "".join(parts)


def _value(value: Any, key: str, *, depth: int, headings: bool) -> str:
    if isinstance(value, dict):
        return _object(value, depth=depth, headings=headings)
    if isinstance(value, list):
        return _list(value, key, depth=depth)
    return scalar(value, key)


def _list(items: Sequence[Any], key: str, *, depth: int) -> str:
    if depth > MAX_SHOWN_DEPTH:
        return _raw(items)
    if not items:
        return '<span class="muted">None</span>'
    if all(isinstance(item, dict) for item in items):
        return _table(items, depth=depth)
    if not any(_is_container(item) for item in items):
        short = len(items) <= MAX_CHIPS and all(
            not isinstance(item, str) or (len(item) <= CHIP_TEXT and "\n" not in item) for item in items
        )
        css = "chips" if short else "list"
        return f'<ul class="{css}">' + "".join(f"<li>{scalar(item, key)}</li>" for item in items) + "</ul>"
    return (
        '<ol class="items">'
        + "".join(f"<li>{_value(item, key, depth=depth + 1, headings=False)}</li>" for item in items)
        + "</ol>"
    )


def _columns(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    seen: dict = {}
    for row in rows:
        for name in row:
            seen.setdefault(name, None)
    return list(seen)


NUM_CLASS = ' class="num"'


def _table(rows: Sequence[Mapping[str, Any]], *, depth: int) -> str:
    columns = _columns(rows)
    if not columns:
        return '<span class="muted">None</span>'
    numeric = {
        c
        for c in columns
        if all(
            isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) for r in rows if r.get(c) is not None
        )
        and any(r.get(c) is not None for r in rows)
    }
    head = "".join(
        f'<th scope="col" title="{attr(c)}"{NUM_CLASS if c in numeric else ""}>{text(humanize(c))}</th>'
        for c in columns
    )
    body: list[str] = []
    for row in rows:
        cells = []
        for column in columns:
            css = NUM_CLASS if column in numeric else ""
            if column in row:
                shown = _value(row[column], column, depth=depth + 1, headings=False)
            else:
                shown = '<span class="muted" title="Not set">—</span>'
            cells.append(f'<td data-label="{attr(humanize(column))}"{css}>{shown}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def _raw(value: Any) -> str:
    return f'<pre class="raw">{text(json.dumps(value, indent=2, ensure_ascii=False))}</pre>'


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
    moment = _parse_datetime(expires_at)
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
    moment = _parse_datetime(at) if at else None
    if moment is None:
        return "at an unknown time"
    seconds = (now - moment).total_seconds()
    if seconds > 30 * 86400:
        return f"on {moment.day} {moment:%b %Y}"
    words = _span_words(max(0.0, seconds))
    return f"{words} ago" if words else "just now"
