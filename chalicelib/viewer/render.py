"""A (scoped, redacted) document as escaped HTML: pure functions, free of Chalice and storage.

The walk: at every level of an object, its scalars first (a definition list), then its
sub-sections in document order, each headed by its name with the path above it; levels from
`DETAILS_DEPTH` on fold into `<details>` (the summary shows the path and what is inside). What a
value becomes (section, table, chart, strip, chips, list) is decided in `shapes`; tables are
drawn by `tables`, charts and strips by `charts`. Escaping happens in `escape` only: every piece
of data reaches markup through `text()` or `attr()`.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chalicelib.resources.display import NO_HINTS, DisplayHints, FieldHint
from chalicelib.viewer import charts, tables
from chalicelib.viewer.escape import attr, text
from chalicelib.viewer.shapes import Shape, decide, is_number, numeric_columns, status_tone
from chalicelib.viewer.values import (
    LONG_TEXT,
    ago_words,
    expires_in_words,
    format_datetime,
    format_number,
    humanize,
    parse_datetime,
    parse_moment,
    scalar,
    short_moment,
    unit_of,
)

__all__ = [
    "LONG_TEXT",
    "ago_words",
    "attr",
    "expires_in_words",
    "format_datetime",
    "format_number",
    "humanize",
    "parse_datetime",
    "render_document",
    "scalar",
    "text",
]

logger = logging.getLogger(__name__)

# Levels 1-2 are open sections with headings; deeper object levels fold into <details>. Past
# MAX_SHOWN_DEPTH a subtree is shown as indented JSON text (still escaped), so a hostile 64-level
# document stays readable on a phone.
DETAILS_DEPTH = 3
MAX_SHOWN_DEPTH = 8
MAX_CHARTS_PER_FIELD = 3
_MUTED_NONE = '<span class="muted">None</span>'


@dataclass
class _Context:
    hints: DisplayHints
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self.ids)}"


def render_document(document: Any, hints: DisplayHints = NO_HINTS) -> str:
    """The viewer's document as readable, escaped HTML (sections, tables, charts, strips)."""
    ctx = _Context(hints)
    if isinstance(document, Mapping):
        if not document:
            return '<p class="empty">There is nothing to show in this view yet.</p>'
        return _object(document, path=(), depth=1, ctx=ctx)
    shape = decide(document, "")
    if shape.block:
        return _block(document, "", shape, path=(), depth=1, ctx=ctx, title="Document")
    return _inline(document, "", shape, depth=1)


# --- objects and sections ------------------------------------------------------------------


def _object(obj: Mapping[str, Any], *, path: tuple[str, ...], depth: int, ctx: _Context) -> str:
    if depth > MAX_SHOWN_DEPTH:
        return _raw(obj)
    if not obj:
        return '<span class="muted">Empty</span>'
    values: list[str] = []
    blocks: list[str] = []
    for key, value in obj.items():
        key_path = (*path, key)
        hint = ctx.hints.for_path(key_path)
        shape = decide(value, key, hint)
        if depth >= MAX_SHOWN_DEPTH and shape.block:
            shape = Shape("raw")
        label = hint.label or humanize(key)
        if shape.block:
            blocks.append(_section(key, value, shape, hint, path=key_path, depth=depth, ctx=ctx, label=label))
        else:
            shown = _inline(value, key, shape, depth=depth)
            values.append(f'<div><dt title="{attr(key)}">{text(label)}</dt><dd>{shown}</dd></div>')
    head = f'<dl class="fields">{"".join(values)}</dl>' if values else ""
    return head + "".join(blocks)


def _section(
    key: str,
    value: Any,
    shape: Shape,
    hint: FieldHint,
    *,
    path: tuple[str, ...],
    depth: int,
    ctx: _Context,
    label: str,
) -> str:
    level = min(depth + 1, 6)
    crumbs = " \u203a ".join(
        ctx.hints.for_path(path[: i + 1]).label or humanize(part) for i, part in enumerate(path[:-1])
    )
    trail = f'<span class="path">{text(crumbs)} \u203a</span>' if crumbs else ""
    heading = f'<h{level} title="{attr(".".join(path))}">{text(label)}</h{level}>'
    body = _block(value, key, shape, path=path, depth=depth + 1, ctx=ctx, title=label)
    folded = hint.collapsed if hint.collapsed is not None else (shape.kind == "section" and depth >= DETAILS_DEPTH)
    if folded:
        return (
            f'<details class="group d{min(depth, 6)}"><summary>{trail}{heading}'
            f'<span class="count">{text(_count(value))}</span></summary><div class="group-body">{body}</div></details>'
        )
    return f'<section class="group d{min(depth, 6)}">{trail}{heading}{body}</section>'


def _count(value: Any) -> str:
    size = len(value) if isinstance(value, (list, dict)) else 1
    if isinstance(value, dict):
        return "1 field" if size == 1 else f"{size} fields"
    return "1 item" if size == 1 else f"{size} items"


def _inline(value: Any, key: str, shape: Shape, *, depth: int) -> str:
    if shape.kind == "empty":
        return _MUTED_NONE
    if shape.kind == "chips":
        return '<ul class="chips">' + "".join(f"<li>{scalar(item, key)}</li>" for item in value) + "</ul>"
    return scalar(value, key)


def _block(value: Any, key: str, shape: Shape, *, path: tuple[str, ...], depth: int, ctx: _Context, title: str) -> str:
    if shape.kind == "section":
        return _object(value, path=path, depth=depth, ctx=ctx)
    if shape.kind == "raw" or depth > MAX_SHOWN_DEPTH:
        return _raw(value)
    if shape.kind in ("chart", "strip"):
        try:
            return _figure(value, key, shape, path=path, depth=depth, ctx=ctx, title=title)
        except (ArithmeticError, ValueError, TypeError, KeyError, IndexError):
            # A hint or a series the chart cannot draw: the data still shows, as a table or list.
            logger.warning("chart fell back to a table at %s", ".".join(path), exc_info=True)
            shape = decide(value, key)
            if shape.kind in ("chart", "strip"):
                shape = Shape("table") if all(isinstance(v, Mapping) for v in value) else Shape("list")
    if shape.kind == "table":
        rows = [row if isinstance(row, Mapping) else {"value": row} for row in value]
        return _table(rows, path=path, depth=depth, ctx=ctx, title=title)
    if shape.kind == "list":
        return '<ul class="list">' + "".join(f"<li>{scalar(item, key)}</li>" for item in value) + "</ul>"
    if shape.kind == "items":
        return (
            '<ol class="items">'
            + "".join(f"<li>{_nested(item, key, depth=depth + 1)}</li>" for item in value)
            + "</ol>"
        )
    return _inline(value, key, shape, depth=depth)


def _nested(value: Any, key: str, *, depth: int) -> str:
    """A value inside a table cell or list item: compact (no headings, no charts)."""
    if depth > MAX_SHOWN_DEPTH:
        return _raw(value)
    if isinstance(value, Mapping):
        if not value:
            return '<span class="muted">Empty</span>'
        rows = "".join(
            f'<div><dt title="{attr(k)}">{text(humanize(k))}</dt><dd>{_nested(v, k, depth=depth + 1)}</dd></div>'
            for k, v in value.items()
        )
        return f'<dl class="fields compact">{rows}</dl>'
    if isinstance(value, list):
        if not value:
            return _MUTED_NONE
        if not any(isinstance(item, (dict, list)) for item in value):
            return '<ul class="chips">' + "".join(f"<li>{scalar(item, key)}</li>" for item in value) + "</ul>"
        return (
            '<ol class="items">'
            + "".join(f"<li>{_nested(item, key, depth=depth + 1)}</li>" for item in value)
            + "</ol>"
        )
    return scalar(value, key)


def _table(rows: Sequence[Mapping[str, Any]], *, path: tuple[str, ...], depth: int, ctx: _Context, title: str) -> str:
    hint = ctx.hints.for_path(path)
    columns = tables.plan_columns(rows, path, ctx.hints, hint)
    if not columns:
        return _MUTED_NONE
    return tables.table(
        rows,
        columns=columns,
        table_id=ctx.new_id("t"),
        name=".".join(path) or "document",
        caption=title,
        render_value=lambda value, key: _nested(value, key, depth=depth + 1),
    )


# --- charts and strips ---------------------------------------------------------------------


def _figure(
    value: Sequence[Any], key: str, shape: Shape, *, path: tuple[str, ...], depth: int, ctx: _Context, title: str
) -> str:
    """Strip and/or charts, then the same data as a table inside <details>."""
    hint = ctx.hints.for_path(path)
    if all(isinstance(item, Mapping) for item in value):
        rows: list[Mapping[str, Any]] = list(value)
        table_hint = hint
    else:
        column = key or "value"
        rows = [{"#": index + 1, column: item} for index, item in enumerate(value)]
        table_hint = FieldHint(labels={column: title})
    columns = tables.plan_columns(rows, path, ctx.hints, table_hint)
    names = [c.name for c in columns]
    table_id = ctx.new_id("t")
    parts: list[str] = []
    if rows and "#" in rows[0] and not isinstance(value[0], Mapping):
        axis = charts.index_axis(len(rows), column=0)
        moments: list[str] = ["" for _ in rows]
    else:
        axis, moments = _axis(rows, shape.time_column, names)
    status_name = (shape.status_column if isinstance(value[0], Mapping) else None) or key or "value"
    if shape.kind == "strip" or (shape.kind == "chart" and shape.status_column):
        words = [_status_word(row.get(status_name)) for row in rows]
        tones = [status_tone(row.get(status_name)) or "unknown" for row in rows]
        parts.append(
            charts.status_strip(
                tones=tones, words=words, axis=axis, table_id=table_id, summary_label=title, moments=moments
            )
        )
    if shape.kind == "chart":
        plain_list = not isinstance(value[0], Mapping)
        series_names = [key or "value"] if plain_list else (list(shape.series) or numeric_columns(rows, names))
        groups = _unit_groups(series_names, path, ctx.hints, hint, plain_list=plain_list)
        for group in groups[:MAX_CHARTS_PER_FIELD]:
            series = [
                charts.Series(
                    label=_series_label(
                        name, path, ctx.hints, hint, single_title=title if len(series_names) == 1 else None
                    ),
                    unit=unit,
                    values=[_number(row.get(name)) for row in rows],
                    column=names.index(name),
                )
                for name, unit in group
            ]
            if not any(v is not None for s in series for v in s.values):
                continue
            parts.append(
                charts.line_chart(series=series, axis=axis, area=shape.area, table_id=table_id, summary_label=title)
            )
    if not parts:
        raise ValueError("nothing to draw")
    data_table = tables.table(
        rows,
        columns=columns,
        table_id=table_id,
        name=".".join(path) or "document",
        caption=f"{title}: the values",
        render_value=lambda v, k: _nested(v, k, depth=depth + 1),
    )
    return (
        f'<div class="figures">{"".join(parts)}</div><details class="data"><summary>Show the values as a table '
        f'<span class="count">{len(rows)} rows</span></summary>{data_table}</details>'
    )


def _axis(rows: Sequence[Mapping[str, Any]], time_name: str | None, names: list[str]) -> tuple[charts.Axis, list[str]]:
    if time_name is not None:
        parsed = [parse_moment(row.get(time_name)) for row in rows]
        if all(m is not None for m in parsed):
            moments = [m for m in parsed if m is not None]
            dates_only = all(len(str(row.get(time_name))) == 10 for row in rows)
            labels = [short_moment(m, with_time=not dates_only) for m in moments]
            return charts.time_axis(moments, names.index(time_name)), labels
    return charts.index_axis(len(rows)), ["" for _ in rows]


def _status_word(value: Any) -> str:
    if isinstance(value, bool):
        return "Up" if value else "Down"
    return str(value) if value is not None else "No data"


def _number(value: Any) -> float | None:
    if is_number(value) and math.isfinite(value):
        return float(value)
    return None


def _unit_groups(
    names: Sequence[str], path: tuple[str, ...], hints: DisplayHints, hint: FieldHint, *, plain_list: bool
) -> list[list[tuple[str, str | None]]]:
    """Series that share a unit share a chart (at most 4 to a chart); other units get their own."""
    groups: dict[str | None, list[tuple[str, str | None]]] = {}
    for name in names:
        if plain_list:  # a list of numbers: the field itself is the series
            unit = hint.unit or unit_of(path[-1] if path else name)
        else:
            unit = hints.for_path((*path, name)).unit or (hint.unit if len(names) == 1 else None) or unit_of(name)
        group = groups.setdefault(unit, [])
        if len(group) < charts.SERIES_STYLES:
            group.append((name, unit))
    return list(groups.values())


def _series_label(
    name: str, path: tuple[str, ...], hints: DisplayHints, hint: FieldHint, *, single_title: str | None
) -> str:
    column_hint = hints.for_path((*path, name))
    if column_hint.label:
        return column_hint.label
    if hint.labels.get(name):
        return hint.labels[name]
    if single_title and name in (path[-1:] or ("value",)):
        label = single_title
    else:
        label = humanize(name)
    return label.rsplit(" (", 1)[0] if label.endswith(")") else label


def _raw(value: Any) -> str:
    return f'<pre class="raw">{text(json.dumps(value, indent=2, ensure_ascii=False))}</pre>'
