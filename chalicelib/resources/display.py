"""Display hints: an optional `display` object on a resource that tells the viewer's page how to
show chosen fields (a chart and of what kind, units, labels, column order). Pure: validation for
the admin API and the parsed form the renderer reads. Without hints the renderer chooses itself.

    "display": {"fields": {
        "latency_ms": {"as": "area", "unit": "ms", "label": "Response time"},
        "checks": {"as": "table", "columns": ["at", "status", "ms"], "labels": {"ms": "Time (ms)"}},
        "config.database": {"collapsed": false}
    }}

A field is named by its path: the object keys from the document's root joined with dots; arrays
are looked through (`checks.ms` is the `ms` column of the `checks` table). Hints are advice: one
that does not fit the data (a chart of text) falls back to the automatic choice, never an error
on the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.runtime.errors import Collector, PayloadTooLarge
from chalicelib.runtime.validation import string

KINDS = ("auto", "line", "area", "strip", "table", "list", "section")
HINT_KEYS = ("as", "label", "unit", "columns", "labels", "x", "y", "decimals", "collapsed")
MAX_FIELDS = 200
MAX_PATH_CHARS = 512
MAX_LABEL_CHARS = 100
MAX_UNIT_CHARS = 16
MAX_COLUMNS = 100
MAX_SERIES = 8
MAX_DECIMALS = 6
# Stored beside the document in its one DynamoDB item (docs/design.md keeps the item under 400 KB).
MAX_DISPLAY_BYTES = 16 * 1024


@dataclass(frozen=True)
class FieldHint:
    """What the owner asked for one field. Empty values mean "choose automatically"."""

    kind: str = "auto"
    label: str | None = None
    unit: str | None = None
    columns: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    x: str | None = None
    y: tuple[str, ...] = ()
    decimals: int | None = None
    collapsed: bool | None = None


NO_HINT = FieldHint()


@dataclass(frozen=True)
class DisplayHints:
    """Hints by path (`a.b.c`); `for_path` is what the renderer asks."""

    fields: Mapping[str, FieldHint] = field(default_factory=dict)

    def for_path(self, path: tuple[str, ...]) -> FieldHint:
        if not self.fields or not path:
            return NO_HINT
        return self.fields.get(".".join(path), NO_HINT)


NO_HINTS = DisplayHints()


# --- validation (admin API) ----------------------------------------------------------------


def validate(value: Any, errors: Collector, *, name: str = "display") -> dict[str, Any]:
    """The normalised hints (`{}` for none), reporting every bad field as `display.fields.<path>.<key>`.
    Raises 413 when the hints are larger than `MAX_DISPLAY_BYTES` as compact JSON."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.add(name, 'must be an object: {"fields": {"<field path>": {hint}}}')
        return {}
    for key in value:
        if key != "fields":
            errors.add(f"{name}.{key}", "unknown field")
    fields = value.get("fields", {})
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        errors.add(f"{name}.fields", "must be an object: field path -> hint")
        return {}
    if len(fields) > MAX_FIELDS:
        errors.add(f"{name}.fields", f"must name at most {MAX_FIELDS} fields")
        return {}
    clean: dict[str, Any] = {}
    for path, hint in fields.items():
        where = f"{name}.fields.{path}"
        if not _valid_path(path):
            errors.add(
                where, f"field paths are 1-{MAX_PATH_CHARS} characters: field names joined with dots, no controls"
            )
            continue
        normal = _hint(hint, where, errors)
        if normal is not None:
            clean[path] = normal
    result = {"fields": clean} if clean else {}
    if not errors and len(json.dumps(result, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_DISPLAY_BYTES:
        raise PayloadTooLarge(
            "display hints are larger than 16 KiB",
            details=[{"field": name, "message": "must be at most 16 KiB as compact JSON"}],
        )
    return result


def _valid_path(path: str) -> bool:
    if not 1 <= len(path) <= MAX_PATH_CHARS:
        return False
    box: Collector = Collector()
    string({"p": path}, "p", box, min_len=1, max_len=MAX_PATH_CHARS)
    return not box


def _hint(hint: Any, where: str, errors: Collector) -> dict[str, Any] | None:
    if not isinstance(hint, dict):
        errors.add(where, f"must be an object with any of: {', '.join(HINT_KEYS)}")
        return None
    before = len(errors.details)
    for key in hint:
        if key not in HINT_KEYS:
            errors.add(f"{where}.{key}", "unknown field")
    out: dict[str, Any] = {}
    kind = hint.get("as")
    if kind is not None:
        if kind in KINDS:
            out["as"] = kind
        else:
            errors.add(f"{where}.as", f"must be one of {', '.join(KINDS)}")
    for key, limit in (("label", MAX_LABEL_CHARS), ("unit", MAX_UNIT_CHARS)):
        text = _text(hint, key, limit, f"{where}.{key}", errors)
        if text is not None:
            out[key] = text
    x = _text(hint, "x", 256, f"{where}.x", errors)
    if x is not None:
        out["x"] = x
    for key, limit in (("columns", MAX_COLUMNS), ("y", MAX_SERIES)):
        names = _names(hint, key, limit, f"{where}.{key}", errors)
        if names is not None:
            out[key] = names
    labels = hint.get("labels")
    if labels is not None:
        if not isinstance(labels, dict) or len(labels) > MAX_COLUMNS:
            errors.add(f"{where}.labels", f"must be an object of at most {MAX_COLUMNS} column -> label")
        else:
            clean_labels = {}
            for column, label in labels.items():
                if not 1 <= len(column) <= 256:
                    errors.add(f"{where}.labels", "column names are 1-256 characters")
                    continue
                text = _text({"v": label}, "v", MAX_LABEL_CHARS, f"{where}.labels.{column}", errors)
                if text is not None:
                    clean_labels[column] = text
            out["labels"] = clean_labels
    decimals = hint.get("decimals")
    if decimals is not None:
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
            errors.add(f"{where}.decimals", f"must be a whole number from 0 to {MAX_DECIMALS}")
        else:
            out["decimals"] = decimals
    collapsed = hint.get("collapsed")
    if collapsed is not None:
        if isinstance(collapsed, bool):
            out["collapsed"] = collapsed
        else:
            errors.add(f"{where}.collapsed", "must be true or false")
    return out if len(errors.details) == before else None


def _text(body: Mapping[str, Any], key: str, limit: int, where: str, errors: Collector) -> str | None:
    if body.get(key) is None:
        return None
    box = Collector()
    value = string(dict(body), key, box, min_len=1, max_len=limit)
    for detail in box.details:
        errors.add(where, detail["message"])
    return value


def _names(hint: Mapping[str, Any], key: str, limit: int, where: str, errors: Collector) -> list[str] | None:
    value = hint.get(key)
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or not 1 <= len(value) <= limit
        or not all(isinstance(v, str) and 1 <= len(v) <= 256 for v in value)
    ):
        errors.add(where, f"must be a list of 1-{limit} field names (1-256 characters each)")
        return None
    return list(dict.fromkeys(value))


# --- parsing (viewer) ----------------------------------------------------------------------


def parse(stored: Any) -> DisplayHints:
    """Hints as stored (validated on write); tolerant of anything else, which is ignored."""
    if isinstance(stored, str):
        try:
            stored = json.loads(stored) if stored else {}
        except ValueError:
            return NO_HINTS
    if not isinstance(stored, Mapping) or not isinstance(stored.get("fields"), Mapping):
        return NO_HINTS
    parsed: dict[str, FieldHint] = {}
    for path, hint in stored["fields"].items():
        if not isinstance(hint, Mapping):
            continue
        kind = hint.get("as")
        decimals = hint.get("decimals")
        collapsed = hint.get("collapsed")
        parsed[str(path)] = FieldHint(
            kind=kind if kind in KINDS else "auto",
            label=_str_or_none(hint.get("label")),
            unit=_str_or_none(hint.get("unit")),
            columns=_str_tuple(hint.get("columns")),
            labels={str(k): str(v) for k, v in hint.get("labels", {}).items()}
            if isinstance(hint.get("labels"), Mapping)
            else {},
            x=_str_or_none(hint.get("x")),
            y=_str_tuple(hint.get("y")),
            decimals=decimals if isinstance(decimals, int) and not isinstance(decimals, bool) else None,
            collapsed=collapsed if isinstance(collapsed, bool) else None,
        )
    return DisplayHints(parsed)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _str_tuple(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()
