"""The viewer's HTML, as pure functions: a (scoped, redacted) document -> escaped markup, and the
page shells around it (content, password form, view-limit button, not found, too many requests).

Why a module of its own, free of Chalice and storage: escaping is the boundary between a
tenant's document and a viewer's browser, so it lives in one small place that unit tests attack
directly with hostile documents. Every piece of data reaches markup through `text()` (element
content) or `attr()` (attribute values); nothing else interpolates data.

CSS and JS are inline (no external resources). Live pages allow them by a per-response nonce;
the not-found and too-many-requests pages carry no nonce (their CSS is allowed by its hash), so
their bytes never vary and one dead link is indistinguishable from another.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlsplit

from .redaction import MASK

HTML_CONTENT_TYPE = "text/html; charset=utf-8"
NOT_FOUND_MESSAGE = "Share link not found or has been revoked"

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
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                        "\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\ud800-\udfff]")


def text(value: str) -> str:
    """Escape `value` for element content; invisible controls become visible `U+XXXX` markers."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    parts: List[str] = []
    last = 0
    for match in _INVISIBLE.finditer(value):
        parts.append(html.escape(value[last:match.start()], quote=True))
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
_UNIT_WORDS = {"ms": "(ms)", "percent": "(%)", "pct": "(%)", "seconds": "(s)", "secs": "(s)", "bytes": "(bytes)",
               "kb": "(KB)", "mb": "(MB)", "gb": "(GB)"}
_ACRONYMS = {"id", "ids", "url", "urls", "uri", "ip", "api", "http", "https", "dns", "sla", "ssl", "tls", "cpu",
             "uuid", "json", "html", "ttl", "ui", "sku", "vat", "eta"}


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
    "ok": {"ok", "up", "operational", "healthy", "active", "pass", "passed", "passing", "success", "succeeded",
           "online", "green", "resolved", "available", "running", "enabled", "complete", "completed", "done", "live"},
    "warn": {"degraded", "warning", "warn", "pending", "partial", "partial_outage", "maintenance", "slow", "yellow",
             "amber", "queued", "in_progress", "paused", "unknown", "minor", "investigating", "monitoring"},
    "bad": {"down", "failed", "fail", "failing", "error", "critical", "outage", "major_outage", "offline", "red",
            "unhealthy", "unavailable", "disabled", "blocked", "major", "expired"},
}


def format_datetime(moment: datetime) -> str:
    """`12 Nov 2026, 03:14 UTC`: unambiguous for readers anywhere."""
    moment = moment.astimezone(timezone.utc)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC"


def _parse_datetime(value: str) -> Optional[datetime]:
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00").replace("t", "T"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def format_number(value: float, key: str = "") -> str:
    """Thousands separators for big quantities (not ids, ports or years); floats without noise."""
    if isinstance(value, int):
        if abs(value) >= 10_000 and not _RAW_NUMBER_KEYS.search(key) and abs(value) < 10 ** 21:
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


def _tone(key: str, value: str) -> Optional[str]:
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
    parts: List[str] = []
    if plain:
        parts.append('<dl class="fields">')
        for key, value in plain:
            parts.append(f'<div><dt title="{attr(key)}">{text(humanize(key))}</dt>'
                         f'<dd>{_value(value, key, depth=depth + 1, headings=False)}</dd></div>')
        parts.append("</dl>")
    if sectioned:
        tag = f"h{depth + 1}"
        for key, value in obj.items():
            if _is_container(value):
                parts.append(f'<section class="group depth-{depth}"><{tag} title="{attr(key)}">'
                             f'{text(humanize(key))}</{tag}>{_value(value, key, depth=depth + 1, headings=True)}'
                             f'</section>')
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
            not isinstance(item, str) or (len(item) <= CHIP_TEXT and "\n" not in item) for item in items)
        css = "chips" if short else "list"
        return f'<ul class="{css}">' + "".join(f"<li>{scalar(item, key)}</li>" for item in items) + "</ul>"
    return '<ol class="items">' + "".join(
        f"<li>{_value(item, key, depth=depth + 1, headings=False)}</li>" for item in items) + "</ol>"


def _columns(rows: Iterable[Mapping[str, Any]]) -> List[str]:
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
    numeric = {c for c in columns if all(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool)
                                         for r in rows if r.get(c) is not None)
               and any(r.get(c) is not None for r in rows)}
    head = "".join(f'<th scope="col" title="{attr(c)}"{NUM_CLASS if c in numeric else ""}>'
                   f"{text(humanize(c))}</th>" for c in columns)
    body: List[str] = []
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
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def _raw(value: Any) -> str:
    return f'<pre class="raw">{text(json.dumps(value, indent=2, ensure_ascii=False))}</pre>'


# --- time in words -------------------------------------------------------------------------

def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _span_words(seconds: float) -> Optional[str]:
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


def expires_in_words(expires_at: Optional[str], now: datetime) -> str:
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


def ago_words(at: Optional[str], now: datetime) -> str:
    """`updated 5 minutes ago` style: `just now`, `N minutes/hours/days ago`, or a date."""
    moment = _parse_datetime(at) if at else None
    if moment is None:
        return "at an unknown time"
    seconds = (now - moment).total_seconds()
    if seconds > 30 * 86400:
        return f"on {moment.day} {moment:%b %Y}"
    words = _span_words(max(0.0, seconds))
    return f"{words} ago" if words else "just now"


# --- page shells ---------------------------------------------------------------------------

_KEYHOLE_SVG = ('<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="11" '
                'fill="currentColor" opacity=".14"/><path fill="currentColor" d="M12 5.5a3.5 3.5 0 0 0-1.6 6.6'
                'L9.5 18h5l-.9-5.9A3.5 3.5 0 0 0 12 5.5z"/></svg>')
_LOCK_SVG = ('<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" '
             'stroke-width="2" stroke-linecap="round" d="M7 11V8a5 5 0 0 1 10 0v3"/><rect x="4.5" y="11" width="15" '
             'height="10" rx="2.5" fill="currentColor"/></svg>')
_CLOCK_SVG = ('<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="9" '
              'fill="none" stroke="currentColor" stroke-width="2"/><path d="M12 7v5l3 2" fill="none" '
              'stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>')
_EYE_SVG = ('<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" '
            'stroke-width="2" d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12z"/><circle cx="12" cy="12" r="3" '
            'fill="currentColor"/></svg>')
_BROKEN_SVG = ('<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><g fill="none" stroke="currentColor" '
               'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M10 13a5 5 0 0 0 7.5.5l3-3'
               'a5 5 0 0 0-7-7l-1.7 1.7"/><path d="M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7"/>'
               '<path d="M3 3l18 18"/></g></svg>')
_FAVICON = ("data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'%3E%3Ccircle cx='12' "
            "cy='12' r='12' fill='%233b5bdb'/%3E%3Cpath fill='white' d='M12 5.5a3.5 3.5 0 0 0-1.6 6.6L9.5 18h5l-.9-"
            "5.9A3.5 3.5 0 0 0 12 5.5z'/%3E%3C/svg%3E")

CSS = """
:root{--bg:#f4f5f8;--card:#fff;--ink:#1b2130;--muted:#5b6477;--line:#e2e5ec;--soft:#f2f4f8;--accent:#3b5bdb;
--on-accent:#fff;--ok:#176b43;--ok-bg:#e3f4ea;--warn:#8a5300;--warn-bg:#fdf1d8;--bad:#b42318;--bad-bg:#fde9e7;
--focus:#3b5bdb55;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0e1117;--card:#161a22;--ink:#e6e9ef;--muted:#9aa3b6;--line:#2a303d;
--soft:#1d222c;--accent:#8ea6ff;--on-accent:#0e1117;--ok:#74d6a3;--ok-bg:#15362a;--warn:#f3c46b;--warn-bg:#3a2c0f;
--bad:#ff8f85;--bad-bg:#3f1b18;--focus:#8ea6ff66}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
svg{width:1.15em;height:1.15em;flex:none;vertical-align:-.2em}
a{color:var(--accent);text-underline-offset:2px}
.page{max-width:980px;margin:0 auto;padding:28px 20px 40px}
.brand{display:flex;align-items:center;gap:10px;margin:0 4px 16px;font-size:14px;color:var(--muted)}
.brand svg{width:22px;height:22px;color:var(--accent)}
.brand strong{color:var(--ink);font-weight:600}
.gated .brand{justify-content:center}
.live{display:none;margin-left:auto;align-items:center;gap:6px;font-size:13px;color:var(--muted)}
.is-live .live{display:inline-flex}
.live::before{content:"";width:8px;height:8px;border-radius:50%;background:var(--ok);box-shadow:0 0 0 3px var(--ok-bg)}
.card{background:var(--card);border:1px solid var(--line);border-radius:16px;
box-shadow:0 1px 2px rgba(16,24,40,.04),0 10px 30px rgba(16,24,40,.06)}
.hero{padding:30px 36px 26px;border-bottom:1px solid var(--line)}
.kind{margin:0 0 6px;font-size:12.5px;font-weight:650;letter-spacing:.08em;text-transform:uppercase;color:var(--accent)}
h1{margin:0;font-size:30px;line-height:1.2;letter-spacing:-.015em;overflow-wrap:anywhere}
.label{margin:10px 0 0;font-size:17px;font-weight:600;overflow-wrap:anywhere}
.description{margin:6px 0 0;color:var(--muted);max-width:68ch;overflow-wrap:anywhere}
.meta{display:flex;flex-wrap:wrap;gap:10px 18px;margin:20px 0 0;padding:0;list-style:none;font-size:14px;
color:var(--muted)}
.meta li{display:inline-flex;align-items:center;gap:6px}
.badge{padding:3px 10px 3px 8px;border-radius:999px;background:var(--soft);border:1px solid var(--line);
color:var(--ink);font-weight:600;font-size:13px}
.badge svg{color:var(--accent)}
.notice{margin:18px 0 0;padding:10px 14px;border-radius:10px;background:var(--warn-bg);color:var(--warn);font-size:14px}
.doc{padding:10px 36px 34px}
.doc>dl.fields{margin-top:14px}
section.group{margin-top:30px}
section.group section.group{margin-top:20px}
h2{margin:0 0 8px;font-size:19px;letter-spacing:-.005em;overflow-wrap:anywhere}
h3{margin:0 0 6px;font-size:14px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);overflow-wrap:anywhere}
h4{margin:0 0 4px;font-size:15px;overflow-wrap:anywhere}
dl.fields{display:grid;grid-template-columns:minmax(9rem,15rem) minmax(0,1fr);margin:0}
dl.fields>div{display:contents}
dt{padding:11px 18px 11px 0;color:var(--muted);border-bottom:1px solid var(--line);overflow-wrap:anywhere}
dd{margin:0;padding:11px 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere;min-width:0}
dd dl.fields,td dl.fields,li dl.fields{display:block;margin:2px 0;padding-left:12px;border-left:2px solid var(--line);
font-size:15px}
dd dl.fields>div,td dl.fields>div,li dl.fields>div{display:block;padding:2px 0}
dd dl.fields dt,td dl.fields dt,li dl.fields dt{display:inline;padding:0 8px 0 0;border:0;font-size:13.5px}
dd dl.fields dd,td dl.fields dd,li dl.fields dd{display:inline;padding:0;border:0}
.num{font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
.text{white-space:pre-wrap}
.redacted{display:inline-block;padding:0 8px;border-radius:6px;border:1px dashed var(--muted);color:var(--muted);
font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em;letter-spacing:.1em}
.pill{display:inline-block;padding:1px 10px;border-radius:999px;font-size:.9em;font-weight:600;
text-transform:capitalize;background:var(--soft);color:var(--ink)}
.pill.ok{background:var(--ok-bg);color:var(--ok)}
.pill.warn{background:var(--warn-bg);color:var(--warn)}
.pill.bad{background:var(--bad-bg);color:var(--bad)}
.bool.yes{color:var(--ok);font-weight:600}
.bool.no{color:var(--muted);font-weight:600}
.cc{display:inline-block;margin:0 1px;padding:0 3px;border:1px solid var(--line);border-radius:4px;
font:11px/1.4 ui-monospace,monospace;color:var(--bad);vertical-align:.1em}
ul.chips{display:flex;flex-wrap:wrap;gap:6px;margin:2px 0;padding:0;list-style:none}
ul.chips li{padding:1px 10px;border-radius:999px;background:var(--soft);border:1px solid var(--line);font-size:14px;
max-width:100%;overflow-wrap:anywhere}
ul.list,ol.items{margin:0;padding-left:1.3em}
ul.list li,ol.items li{margin:2px 0;overflow-wrap:anywhere}
pre.raw{margin:0;padding:10px 12px;max-height:22rem;overflow:auto;border-radius:8px;background:var(--soft);
font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.table-wrap{margin-top:6px;overflow-x:auto;border:1px solid var(--line);border-radius:12px}
table{width:100%;border-collapse:collapse;font-size:15px}
th{padding:10px 14px;text-align:left;font-size:12.5px;font-weight:650;letter-spacing:.04em;text-transform:uppercase;
color:var(--muted);background:var(--soft);white-space:nowrap}
td{padding:11px 14px;border-top:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere;min-width:6ch}
th.num,td.num{text-align:right}
td>time{white-space:nowrap}
.empty{color:var(--muted);margin:22px 0 0}
.foot{margin:20px 6px 0;font-size:13px;color:var(--muted);text-align:center}
.foot strong{font-weight:600}
.narrow{max-width:460px;margin:6vh auto 0;padding:34px 32px 30px;text-align:center}
.gate-icon{display:inline-flex;align-items:center;justify-content:center;width:56px;height:56px;margin-bottom:14px;
border-radius:50%;background:var(--soft);color:var(--accent)}
.gate-icon svg{width:26px;height:26px}
.gone .gate-icon{color:var(--muted)}
.narrow h1{font-size:24px}
.lede{margin:12px 0 0;color:var(--muted)}
.fine{margin:16px 0 0;font-size:13px;color:var(--muted)}
form.stack{display:grid;gap:10px;margin:22px 0 0;text-align:left}
form.stack label{font-size:14px;font-weight:600}
input[type=password]{width:100%;padding:11px 12px;border:1px solid var(--line);border-radius:10px;
background:var(--card);color:var(--ink);font:inherit}
input[type=password]:focus{outline:3px solid var(--focus);border-color:var(--accent)}
.button{display:inline-flex;justify-content:center;align-items:center;gap:8px;width:100%;padding:12px 18px;
border:0;border-radius:10px;background:var(--accent);color:var(--on-accent);font:inherit;font-weight:650;
cursor:pointer}
.button:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.error{margin:16px 0 0;padding:10px 12px;border-radius:10px;background:var(--bad-bg);color:var(--bad);font-size:14px;
text-align:left}
@media (max-width:640px){
.page{padding:16px 12px 28px}
.hero{padding:22px 20px 20px}
h1{font-size:24px}
.doc{padding:4px 20px 24px}
dl.fields{display:block}
dl.fields>div{display:block;padding:10px 0;border-bottom:1px solid var(--line)}
dt,dd{padding:0;border:0}
dt{font-size:13.5px}
dd{padding-top:2px}
dd dl.fields>div{padding:2px 0;border:0}
.table-wrap{border:0;overflow:visible}
table,thead,tbody,tr,td{display:block;width:100%}
thead{display:none}
tr{margin:0 0 10px;padding:6px 14px;border:1px solid var(--line);border-radius:12px}
td{display:grid;grid-template-columns:minmax(6rem,40%) minmax(0,1fr);gap:10px;padding:6px 0;border-top:0;
border-bottom:1px dashed var(--line)}
td:last-child{border-bottom:0}
td::before{content:attr(data-label);color:var(--muted);font-size:13px;text-align:left}
th.num,td.num{text-align:left}
td>.pill,td>.redacted,td>.bool,td>time{justify-self:start;white-space:normal}
.narrow{margin-top:3vh;padding:28px 22px 24px}
}
""".strip()


def csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


def page_csp(nonce: str) -> str:
    """The live page's policy: only this response's inline CSS/JS, fetches to this origin."""
    return (f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; connect-src 'self'; "
            "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


STATIC_CSP = (f"default-src 'none'; style-src {csp_hash(CSS)}; img-src data:; form-action 'none'; "
              "base-uri 'none'; frame-ancestors 'none'")

# Polls `<page>/data` with If-None-Match, refetches the page's own markup when the data changed
# (one renderer, on the server), switches to the not-found state on 404, backs off while hidden.
SCRIPT = """
(function () {
  "use strict";
  var body = document.body;
  var share = document.getElementById("share");
  var every = share ? Number(share.getAttribute("data-poll-seconds")) * 1000 : 0;
  if (!(every > 0) || !window.fetch || !("content" in document.createElement("template"))) { return; }
  var etag = share.getAttribute("data-etag") || "";
  var page = location.pathname.replace(/\\/+$/, "");
  var timer = 0, hiddenDelay = every, failures = 0, last = Date.now(), stopped = false;
  body.classList.add("is-live");

  function stop() { stopped = true; clearTimeout(timer); body.classList.remove("is-live"); }
  function schedule(ms) { clearTimeout(timer); if (!stopped) { timer = setTimeout(tick, ms); } }
  function nextDelay() {
    if (failures) { return Math.min(every * Math.pow(2, failures), 300000); }
    if (document.hidden) { hiddenDelay = Math.min(hiddenDelay * 2, 300000); return hiddenDelay; }
    hiddenDelay = every;
    return every;
  }
  function replaceShare(node) {
    var current = document.getElementById("share");
    if (current && node) { current.replaceWith(node); }
  }
  function gone() {
    stop();
    var template = document.getElementById("gone");
    if (template) { replaceShare(template.content.cloneNode(true)); }
    document.title = "Link not available";
  }
  function expired() {
    stop();
    var note = document.getElementById("paused");
    if (note) { note.hidden = false; }
  }
  function refresh(version) {
    // Names the version /data just delivered (and counted), so this re-render is not a second view.
    var headers = version ? {"X-Keyhole-Refresh": version} : {};
    return fetch(page, {cache: "no-store", credentials: "same-origin", headers: headers}).then(function (response) {
      if (response.status === 404) { gone(); return; }
      if (!response.ok) { return; }
      return response.text().then(function (markup) {
        // Parsed inert in a template (a DOMParser document would trip the style policy).
        var holder = document.createElement("template");
        holder.innerHTML = markup;
        var fresh = holder.content.getElementById("share");
        if (!fresh || !fresh.hasAttribute("data-poll-seconds")) { expired(); return; }
        var title = holder.content.querySelector("title");
        etag = fresh.getAttribute("data-etag") || etag;
        replaceShare(document.importNode(fresh, true));
        if (title) { document.title = title.textContent; }
      });
    });
  }
  function tick() {
    if (stopped) { return; }
    last = Date.now();
    var headers = etag ? {"If-None-Match": etag} : {};
    fetch(page + "/data", {cache: "no-store", credentials: "same-origin", headers: headers})
      .then(function (response) {
        failures = 0;
        if (response.status === 304) { return; }
        if (response.status === 404) { gone(); return; }
        if (response.status === 401 || response.status === 409) { expired(); return; }
        if (response.status === 429) {
          var wait = Number(response.headers.get("Retry-After")) || 60;
          schedule(Math.max(every, wait * 1000));
          return "scheduled";
        }
        if (response.status === 200) { return refresh(response.headers.get("ETag")); }
      })
      .catch(function () { failures = Math.min(failures + 1, 5); })
      .then(function (outcome) { if (outcome !== "scheduled") { schedule(nextDelay()); } });
  }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !stopped) {
      hiddenDelay = every;
      schedule(Math.max(0, every - (Date.now() - last)));
    }
  });
  schedule(every);
})();
""".strip()


def _head(title: str, style_open: str) -> str:
    return ('<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">'
            f'<title>{text(title)}</title><link rel="icon" href="{_FAVICON}">{style_open}{CSS}</style></head>')


def _static_page(title: str, fragment: str) -> str:
    return _head(title, "<style>") + f"<body>{fragment}</body></html>"


GONE_FRAGMENT = (f'<div class="page" id="share"><main class="card narrow gone"><div class="gate-icon">{_BROKEN_SVG}'
                 f'</div><h1>{NOT_FOUND_MESSAGE}</h1><p class="lede">The link may have expired, been revoked by '
                 'the person who shared it, or used up its views. If you still need access, ask them for a new '
                 'link.</p></main></div>')

# Byte-identical for every dead link: no nonce, no request id, nothing about the token.
NOT_FOUND_HTML = _static_page("Link not available", GONE_FRAGMENT)

TOO_MANY_HTML = _static_page("Too many requests", (
    f'<div class="page"><main class="card narrow"><div class="gate-icon">{_CLOCK_SVG}</div>'
    '<h1>Too many requests</h1><p class="lede">This page was asked for too often in the last minute. '
    'Wait a minute, then reload it.</p></main></div>'))

UNAVAILABLE_HTML = _static_page("Temporarily unavailable", (
    f'<div class="page"><main class="card narrow"><div class="gate-icon">{_CLOCK_SVG}</div>'
    '<h1>Temporarily unavailable</h1><p class="lede">This page could not be loaded just now. '
    'Nothing is wrong with the link: try again in a moment.</p></main></div>'))

ERROR_HTML = _static_page("Something went wrong", (
    f'<div class="page"><main class="card narrow"><div class="gate-icon">{_BROKEN_SVG}</div>'
    '<h1>Something went wrong</h1><p class="lede">This page could not be shown. Try again in a moment; '
    'if it keeps happening, tell the person who shared the link.</p></main></div>'))


def error_html(status: int) -> str:
    """The static page for a viewer error that is not about the link (no nonce, no details)."""
    return UNAVAILABLE_HTML if status == 503 else ERROR_HTML


@dataclass(frozen=True)
class Share:
    """What the page shows about a live link (never the token, never operator data)."""

    tenant_name: str
    resource_type: str
    resource_name: str
    label: Optional[str]
    description: Optional[str]
    expires_at: Optional[str]
    updated_at: Optional[str]


def _hero(share: Share, now: datetime, *, extra_meta: Sequence[str] = (), notice: str = "") -> str:
    expiry = expires_in_words(share.expires_at, now)
    expiry_title = f' title="{attr(format_datetime(_parse_datetime(share.expires_at)))}"' if (
        share.expires_at and _parse_datetime(share.expires_at)) else ""
    meta = [f'<li class="badge readonly">{_LOCK_SVG}Read-only</li>',
            f'<li>{_CLOCK_SVG}<span{expiry_title}>This link {text(expiry)}</span></li>']
    if share.updated_at:
        meta.append(f'<li><span>Updated <time datetime="{attr(share.updated_at)}">'
                    f"{text(ago_words(share.updated_at, now))}</time></span></li>")
    meta.extend(extra_meta)
    parts = ['<div class="hero">', f'<p class="kind">{text(share.resource_type)}</p>',
             f"<h1>{text(share.resource_name)}</h1>"]
    if share.label:
        parts.append(f'<p class="label">{text(share.label)}</p>')
    if share.description:
        parts.append(f'<p class="description">{text(share.description)}</p>')
    parts.append(f'<ul class="meta">{"".join(meta)}</ul>')
    if notice:
        parts.append(f'<p class="notice">{notice}</p>')
    parts.append("</div>")
    return "".join(parts)


def _brand(share: Share) -> str:
    return (f'<header class="brand">{_KEYHOLE_SVG}<span>Shared with you by <strong>{text(share.tenant_name)}</strong>'
            '</span><span class="live" title="This page updates itself when the shared data changes">Live</span>'
            "</header>")


_FOOT = ('<p class="foot">A read-only page shared through a private link. Anyone with the link can see it, '
         "so please don't forward it.</p>")


def _title(share: Share) -> str:
    return f"{share.resource_name} · shared by {share.tenant_name}"


def _live_page(share: Share, nonce: str, inner: str, *, poll_seconds: int = 0, etag: str = "",
               script: bool = False, gate: bool = False) -> str:
    live_attrs = f' data-poll-seconds="{int(poll_seconds)}" data-etag="{attr(etag)}"' if script else ""
    tail = (f'<template id="gone">{GONE_FRAGMENT}</template><script nonce="{attr(nonce)}">{SCRIPT}</script>'
            if script else "")
    return (_head(_title(share), f'<style nonce="{attr(nonce)}">') +
            f'<body><div class="page{" gated" if gate else ""}" id="share"{live_attrs}>{_brand(share)}{inner}{_FOOT}</div>{tail}</body></html>')


def content_page(share: Share, document: Any, *, now: datetime, nonce: str, poll_seconds: int, etag: str,
                 view_note: Optional[Tuple[int, int]] = None) -> str:
    """The shared document, read-only. `poll_seconds` 0 = no live updates (view-limited pages)."""
    extra: List[str] = []
    notice = ""
    if view_note is not None:
        used, limit = view_note
        extra.append(f'<li>{_EYE_SVG}View {used} of {limit}</li>')
        notice = "This link has a view limit: reloading this page uses another view."
    paused = ('<p class="notice" id="paused" hidden>This page stopped updating. Reload it to see the latest '
              "version.</p>") if poll_seconds else ""
    inner = (f'<main class="card">{_hero(share, now, extra_meta=extra, notice=notice)}{paused}'
             f'<div class="doc">{render_document(document)}</div></main>')
    return _live_page(share, nonce, inner, poll_seconds=poll_seconds, etag=etag, script=poll_seconds > 0)


def password_page(share: Share, *, nonce: str, action: str, error: Optional[str] = None) -> str:
    """The password form. `action` is relative to the page URL, so stage prefixes need no care."""
    problem = f'<p class="error" role="alert">{text(error)}</p>' if error else ""
    label = f'<p class="label">{text(share.label)}</p>' if share.label else ""
    inner = (f'<main class="card narrow"><div class="gate-icon">{_LOCK_SVG}</div>'
             f'<p class="kind">{text(share.resource_type)}</p><h1>{text(share.resource_name)}</h1>{label}'
             '<p class="lede">This page is protected with a password. Enter it to see what was shared.</p>'
             f'{problem}<form class="stack" method="post" action="{attr(action)}">'
             '<label for="password">Password</label>'
             '<input id="password" name="password" type="password" autocomplete="current-password" required '
             'autofocus maxlength="256"><button class="button" type="submit">Unlock</button></form>'
             '<p class="fine">After a few wrong attempts the form pauses for a minute.</p></main>')
    return _live_page(share, nonce, inner, gate=True)


def confirm_page(share: Share, *, nonce: str, views_left: int, max_views: int, now: datetime) -> str:
    """The view-limit gate: a GET shows this button and uses nothing; pressing it POSTs."""
    label = f'<p class="label">{text(share.label)}</p>' if share.label else ""
    left = "1 view left" if views_left == 1 else f"{views_left} views left"
    inner = (f'<main class="card narrow"><div class="gate-icon">{_EYE_SVG}</div>'
             f'<p class="kind">{text(share.resource_type)}</p><h1>{text(share.resource_name)}</h1>{label}'
             f'<p class="lede">This link can be opened a limited number of times: <strong>{left}</strong> '
             f"of {max_views}. It {text(expires_in_words(share.expires_at, now))}.</p>"
             '<form class="stack" method="post"><button class="button" type="submit" id="use-view">'
             f"{_EYE_SVG}Show the content</button></form>"
             '<p class="fine">Showing it uses one view. Link previews and chat unfurlers never do.</p></main>')
    return _live_page(share, nonce, inner, gate=True)
