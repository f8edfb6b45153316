"""What each part of a document becomes on the page: a section, a table, a chart, a status strip,
chips or a list. Pure decisions, kept apart from markup so each is tested on its own
(tests/unit/test_page_shapes.py). A display hint asks for a shape; a hint the data cannot take
falls back to the automatic choice.

Automatic choices:
- an object -> a section (scalars first, then its sub-sections);
- 6 or more numbers -> a line chart (not ids, ports, codes: numbers that are names);
- 6 or more status words (`up`, `down`, `degraded`, ...) or booleans -> a status strip;
- objects with a time field in order and 6 or more rows -> a line chart of their numeric fields
  (grouped by unit), and a status strip when a field holds statuses; the rows stay a table;
- other objects -> a table; short scalars -> chips; other scalars -> a list.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.resources.display import NO_HINT, FieldHint
from chalicelib.resources.redaction import MASK
from chalicelib.viewer.values import is_raw_number_key, is_status_key, parse_moment, tone_of

MIN_SERIES = 6
MAX_CHIPS = 24
CHIP_TEXT = 40
MAX_SERIES_PER_CHART = 4


@dataclass(frozen=True)
class Shape:
    """`kind` is one of: scalar, empty, section, table, chart, strip, chips, list, items."""

    kind: str
    area: bool = False
    time_column: str | None = None
    series: tuple[str, ...] = ()
    status_column: str | None = None

    @property
    def block(self) -> bool:
        """Shown as its own sub-section (after the level's scalars), not as a value beside a name."""
        return self.kind not in ("scalar", "empty", "chips")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def status_tone(value: Any) -> str | None:
    """A status series' tone for one value: booleans are up/down, words by what they mean."""
    if isinstance(value, bool):
        return "ok" if value else "bad"
    if isinstance(value, str) and value != MASK:
        return tone_of(value)
    return None


def decide(value: Any, key: str = "", hint: FieldHint = NO_HINT) -> Shape:
    if isinstance(value, Mapping):
        return Shape("section")
    if not isinstance(value, list):
        return Shape("scalar")
    if not value:
        return Shape("empty")
    wanted = hint.kind
    if all(is_number(item) for item in value):
        if wanted in ("line", "area") or (wanted == "auto" and len(value) >= MIN_SERIES and not is_raw_number_key(key)):
            return Shape("chart", area=wanted == "area")
        return _scalars(value)
    if all(isinstance(item, (str, bool)) or item is None for item in value):
        statuses = [status_tone(item) for item in value if item is not None]
        mapped = bool(statuses) and all(tone is not None for tone in statuses)
        if wanted == "strip" and any(tone is not None for tone in statuses):
            return Shape("strip")
        if wanted == "auto" and mapped and len(value) >= MIN_SERIES:
            return Shape("strip")
        return _scalars(value)
    if all(isinstance(item, Mapping) for item in value):
        return _rows(value, hint)
    if wanted == "table" and all(isinstance(item, Mapping) or item is None for item in value):
        return Shape("table")
    return Shape("items")


def _scalars(items: Sequence[Any]) -> Shape:
    short = len(items) <= MAX_CHIPS and all(
        not isinstance(item, str) or (len(item) <= CHIP_TEXT and "\n" not in item) for item in items
    )
    return Shape("chips" if short else "list")


def columns_of(rows: Sequence[Mapping[str, Any]], order: Sequence[str] = ()) -> list[str]:
    """Columns in first-seen order, with the ones a hint names first (if the rows have them)."""
    seen: dict[str, None] = {}
    for row in rows:
        for name in row:
            seen.setdefault(name, None)
    first = [name for name in order if name in seen]
    return first + [name for name in seen if name not in first]


def time_column(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], preferred: str | None) -> str | None:
    """The first column every row fills with an RFC 3339 time or date (a hint's `x` first)."""
    for name in ([preferred] if preferred else []) + list(columns):
        if all(parse_moment(row.get(name)) is not None for row in rows):
            return name
    return None


def numeric_columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[str]:
    """Columns of quantities: numbers wherever present (at least once); not ids, codes or statuses."""
    found = []
    for name in columns:
        values = [row[name] for row in rows if row.get(name) is not None]
        if values and all(is_number(v) for v in values) and not is_raw_number_key(name) and not is_status_key(name):
            found.append(name)
    return found


def status_column(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str | None:
    """A column of statuses: named like one (`status`, `state`, ...) and holding status words or
    booleans, or holding only status words whatever its name."""
    for name in columns:
        values = [row[name] for row in rows if row.get(name) is not None]
        if not values or any(isinstance(v, (dict, list)) for v in values):
            continue
        if is_status_key(name):
            if any(status_tone(v) is not None for v in values):
                return name
        elif all(isinstance(v, str) and tone_of(v) is not None for v in values):  # stops at the first non-status
            return name
    return None


def _rows(rows: Sequence[Mapping[str, Any]], hint: FieldHint) -> Shape:
    wanted = hint.kind
    if wanted in ("table", "list", "section"):
        return Shape("table")
    columns = columns_of(rows, hint.columns)
    when = time_column(rows, columns, hint.x)
    quantities = [c for c in numeric_columns(rows, columns) if c != when]
    if hint.y:
        quantities = [c for c in hint.y if c in quantities]
    status = status_column(rows, columns)
    ordered = when is not None and _in_order([parse_moment(row[when]) for row in rows])
    if wanted == "strip" and status:
        return Shape("strip", time_column=when if ordered else None, status_column=status)
    if wanted in ("line", "area") and quantities:
        return Shape(
            "chart",
            area=wanted == "area",
            time_column=when if ordered else None,
            series=tuple(quantities),
            status_column=status,
        )
    if wanted == "auto" and when is not None and ordered and len(rows) >= MIN_SERIES:
        if quantities:
            return Shape("chart", time_column=when, series=tuple(quantities), status_column=status)
        if status:
            return Shape("strip", time_column=when, status_column=status)
    return Shape("table")


def _in_order(moments: Sequence[Any]) -> bool:
    return all(a is not None and b is not None and a <= b for a, b in itertools.pairwise(moments))
