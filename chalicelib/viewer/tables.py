"""Arrays of objects as tables that read at any width. Pure.

- Columns in first-seen order (a display hint's `columns` first), labelled by hint or humanized.
- Numbers right-aligned, with the same decimals down a column (`14.10` above `9.99`), thousands
  grouped only for quantities; the raw value in `data-v` for sorting and CSV.
- Every value of a status-like column is a pill; times and pills never wrap.
- No token is broken: cells wrap at spaces only; a table wider than the page scrolls inside its
  own box, whose header row sticks while its rows scroll.
- The whole table is always in the markup (without JavaScript it is all there); the page's script
  adds the filter box, sorting, "Show more" paging and "Download CSV" from these rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.resources.display import NO_HINT, DisplayHints, FieldHint
from chalicelib.resources.redaction import MASK
from chalicelib.viewer.escape import attr, text
from chalicelib.viewer.shapes import columns_of, is_number, status_column
from chalicelib.viewer.values import (
    LONG_TEXT,
    decimals_of,
    format_fixed,
    humanize,
    is_raw_number_key,
    is_status_key,
    parse_moment,
    pill,
    short_moment,
    tone_of,
)

# Above this many rows the script adds filter, sort and paging (docs/viewer.md).
BIG_TABLE_ROWS = 30
MAX_DECIMALS = 6

RenderValue = Callable[[Any, str], str]
_SPACE = re.compile(r"\s")
_BREAKABLE_TOKEN = re.compile(r"\S[-/\u2010-\u2014]\S")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    numeric: bool = False
    decimals: int = 0
    grouped: bool = False
    status: bool = False
    time: bool = False
    # Every time in the column is in the same year: shown as `20 Nov, 09:57` (UTC in the header).
    short_times: bool = False


def column_label(name: str, table_hint: FieldHint, column_hint: FieldHint) -> str:
    label = column_hint.label or table_hint.labels.get(name) or humanize(name)
    unit = column_hint.unit
    return f"{label} ({unit})" if unit and f"({unit})" not in label else label


def plan_columns(
    rows: Sequence[Mapping[str, Any]], path: tuple[str, ...], hints: DisplayHints, hint: FieldHint = NO_HINT
) -> list[Column]:
    names = columns_of(rows, hint.columns)
    first_status = status_column(rows, names)
    planned = []
    for name in names:
        column_hint = hints.for_path((*path, name))
        values = [row[name] for row in rows if row.get(name) is not None]
        numeric = bool(values) and all(is_number(v) for v in values)
        decimals = 0
        grouped = False
        if numeric:
            decimals = (
                column_hint.decimals
                if column_hint.decimals is not None
                else min(MAX_DECIMALS, max(decimals_of(v) for v in values))
            )
            grouped = not is_raw_number_key(name) and max(abs(v) for v in values) >= 10_000
        moments = [parse_moment(v) for v in values] if values and all(isinstance(v, str) for v in values) else []
        is_time = bool(moments) and all(m is not None for m in moments)
        short_times = is_time and len({m.year for m in moments if m is not None}) == 1
        label = column_label(name, hint, column_hint)
        if short_times and any(not _DATE_ONLY.match(v) for v in values):
            label += " (UTC)"
        planned.append(
            Column(
                name=name,
                label=label,
                numeric=numeric,
                decimals=decimals,
                grouped=grouped,
                status=name == first_status or (is_status_key(name) and not numeric),
                time=is_time,
                short_times=short_times,
            )
        )
    return planned


def table(
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[Column],
    table_id: str,
    name: str,
    caption: str,
    render_value: RenderValue,
) -> str:
    """The table's markup. `name` names the CSV file; `render_value` renders nested values."""
    head = "".join(f'<th scope="col" title="{attr(c.name)}"{_class(c)}>{text(c.label)}</th>' for c in columns)
    body: list[str] = []
    for row in rows:
        cells = [_cell(row, column, render_value) for column in columns]
        body.append("<tr>" + "".join(cells) + "</tr>")
    big = " big" if len(rows) > BIG_TABLE_ROWS else ""
    return (
        f'<div class="table-block{big}" id="{attr(table_id)}" data-name="{attr(name)}" data-rows="{len(rows)}">'
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{attr(caption)}">'
        f'<table><caption class="sr">{text(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></div>"
    )


def _class(column: Column) -> str:
    if column.numeric:
        return ' class="num"'
    if column.time:
        return ' class="time"'
    return ""


def _cell(row: Mapping[str, Any], column: Column, render_value: RenderValue) -> str:
    if column.name not in row or row[column.name] is None:
        return '<td class="missing"><span class="muted" title="Not set">—</span></td>'
    value = row[column.name]
    if value == MASK:
        return '<td><span class="redacted" title="Hidden by the owner of this page">***</span></td>'
    if column.numeric and is_number(value):
        # repr() of a JSON number is digits, sign, point and exponent only: nothing to escape
        raw = repr(value) if isinstance(value, float) else str(value)
        return f'<td class="num" data-v="{raw}">{format_fixed(value, column.decimals, grouped=column.grouped)}</td>'
    if column.status and isinstance(value, str):
        return f"<td>{pill(value, tone_of(value))}</td>"
    if column.status and isinstance(value, bool):
        return f"<td>{pill('Up' if value else 'Down', 'ok' if value else 'bad')}</td>"
    if column.time and isinstance(value, str):
        moment = parse_moment(value)
        if moment is not None and column.short_times and not _DATE_ONLY.match(value):
            shown = f'<time datetime="{attr(value)}">{text(short_moment(moment))}</time>'
        else:
            shown = render_value(value, column.name)
        return f'<td class="time" data-v="{attr(value)}">{shown}</td>'
    if isinstance(value, str) and _plain_text(value):  # most cells: no link, date, status or long text
        if not _SPACE.search(value):
            return f'<td class="tok">{text(value)}</td>'  # one token: never broken
        return f"<td>{_words(value) if _BREAKABLE_TOKEN.search(value) else text(value)}</td>"
    if isinstance(value, str) and value and not _SPACE.search(value):
        return f'<td class="tok">{render_value(value, column.name)}</td>'
    if isinstance(value, str) and _BREAKABLE_TOKEN.search(value) and parse_moment(value) is None:
        return f"<td>{_words(value)}</td>"
    return f"<td>{render_value(value, column.name)}</td>"


def _plain_text(value: str) -> bool:
    """Text `values.scalar` would only escape: no URL or time (both need a colon), no date, no
    line break, not long, not the mask."""
    return (
        0 < len(value) <= LONG_TEXT
        and ":" not in value
        and "\n" not in value
        and value != MASK
        and not _DATE_ONLY.match(value)
    )


def _words(value: str) -> str:
    """Text that wraps at spaces only: a browser would also break after the hyphen or slash inside
    `ap-southeast-2` or `v1/orders`, so such words are kept whole."""
    parts = [
        f'<span class="tok">{text(part)}</span>' if _BREAKABLE_TOKEN.search(part) else text(part)
        for part in re.split(r"(\s+)", value)
    ]
    css = "text" if "\n" in value or len(value) > LONG_TEXT else "words"
    return f'<span class="{css}">{"".join(parts)}</span>'
