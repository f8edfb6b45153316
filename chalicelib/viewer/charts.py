"""Charts drawn on the server as inline SVG: line and area charts of numeric series, and the status
strip (the row of green and red ticks of a status page). Pure; no third-party code, no inline
`style` attributes (the page's CSP allows only its nonce'd style sheet), so colours are classes.

The plot stretches to any width (`preserveAspectRatio="none"`, strokes that do not scale), and
everything a person reads (axis ranges, first and last time, legend, latest/min/max) is HTML
beside it, so text never shrinks on a phone. Each chart names the table that holds its data
(`data-table`): the table is on the page too, for screen readers and without JavaScript, and the
page's script reads the values to show on hover or focus from it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.viewer.escape import attr, text
from chalicelib.viewer.values import decimals_of, format_fixed, short_moment, with_unit

PLOT_WIDTH = 1000
PLOT_HEIGHT = 240
# Longer series are drawn from per-bucket minimum and maximum (spikes survive); the table keeps
# every value. Hover reads one point in `HOVER_POINTS`.
MAX_PLOT_POINTS = 600
HOVER_POINTS = 400
MAX_TICKS = 120
SERIES_STYLES = 4
_TONE_RANK = {"bad": 3, "warn": 2, "unknown": 1, "ok": 0}
_TONE_WORD = {"ok": "up", "warn": "degraded", "bad": "down", "unknown": "unknown"}


@dataclass(frozen=True)
class Series:
    """One line: its label and unit (from the field name or a display hint) and its values."""

    label: str
    unit: str | None
    values: Sequence[float | None]
    column: int  # the column of the chart's table that holds these values


@dataclass(frozen=True)
class Axis:
    """Where the points sit along x (0..1) and how the two ends read."""

    positions: Sequence[float]
    first: str
    last: str
    column: int | None  # the table column holding the x values (None: row numbers)


def time_axis(moments: Sequence[datetime], column: int) -> Axis:
    """Points placed by time (gaps show as gaps); ends labelled with date and time as needed."""
    start, end = moments[0].timestamp(), moments[-1].timestamp()
    span = end - start
    if span <= 0:
        return index_axis(len(moments), column=column, first=short_moment(moments[0]), last=short_moment(moments[-1]))
    positions = [(m.timestamp() - start) / span for m in moments]
    same_day = moments[0].date() == moments[-1].date()
    daily = all(m.hour == 0 and m.minute == 0 for m in (moments[0], moments[-1])) and span >= 86400
    if daily:
        first, last = short_moment(moments[0], with_time=False), short_moment(moments[-1], with_time=False)
    elif same_day:
        first, last = short_moment(moments[0]), short_moment(moments[-1], with_date=False)
    else:
        first, last = short_moment(moments[0]), short_moment(moments[-1])
    return Axis(positions=positions, first=first, last=last + " UTC", column=column)


def index_axis(count: int, *, column: int | None = None, first: str = "", last: str = "") -> Axis:
    positions = [0.5] if count == 1 else [i / (count - 1) for i in range(count)]
    return Axis(positions=positions, first=first or "1", last=last or str(count), column=column)


def is_monotonic(moments: Sequence[datetime]) -> bool:
    return all(a <= b for a, b in itertools.pairwise(moments))


# --- scale ---------------------------------------------------------------------------------


def nice_scale(low: float, high: float) -> tuple[float, float, float]:
    """The tightest range over [low, high] cut into 2-6 steps of 1, 2, 2.5 or 5 x 10^n."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return 0.0, 1.0, 0.25
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    magnitude = 10 ** math.floor(math.log10((high - low) / 4))
    best: tuple[float, float, float] | None = None
    for factor in (0.5, 1, 2, 2.5, 5, 10, 20):
        step = factor * magnitude
        bottom = math.floor(low / step + 1e-9) * step
        count = math.ceil((high - bottom) / step - 1e-9)
        if 2 <= count <= 6 and (best is None or count * step < best[1] - best[0] - 1e-12):
            best = (bottom, bottom + count * step, step)
    return best if best is not None else (low, high, (high - low) / 4)


def value_range(series: Sequence[Series], *, from_zero: bool) -> tuple[float, float, float]:
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    low, high = min(values), max(values)
    # Quantities that start at zero read honestly from zero, unless they live in a narrow band far
    # from it (99.90-99.99 % uptime would be a flat line at the top).
    if from_zero or (low >= 0 and low <= 0.5 * high):
        low = min(low, 0.0)
    return nice_scale(low, high)


# --- line and area charts ------------------------------------------------------------------


def _points(values: Sequence[float | None], positions: Sequence[float], low: float, high: float) -> str:
    """SVG path data; missing values break the line; long series keep each bucket's min and max."""
    span = (high - low) or 1.0
    pairs = [(p, v) for p, v in zip(positions, values, strict=False)]
    if len(pairs) > MAX_PLOT_POINTS:
        pairs = _decimate(pairs, MAX_PLOT_POINTS // 2)
    parts: list[str] = []
    pen_down = False
    for position, value in pairs:
        if value is None or not math.isfinite(value):
            pen_down = False
            continue
        x = position * PLOT_WIDTH
        y = PLOT_HEIGHT - (value - low) / span * PLOT_HEIGHT
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
        pen_down = True
    return "".join(parts)


def _decimate(pairs: list[tuple[float, float | None]], buckets: int) -> list[tuple[float, float | None]]:
    size = math.ceil(len(pairs) / buckets)
    kept: list[tuple[float, float | None]] = []
    for start in range(0, len(pairs), size):
        chunk = [(p, v) for p, v in pairs[start : start + size] if v is not None and math.isfinite(v)]
        if not chunk:
            kept.append((pairs[start][0], None))
            continue
        low = min(chunk, key=lambda pair: pair[1] or 0.0)
        high = max(chunk, key=lambda pair: pair[1] or 0.0)
        kept.extend(sorted({low, high}))
    return kept


def _area(line: str, baseline_y: float) -> str:
    """Close each run of the line down to the baseline."""
    runs = [run for run in line.split("M") if run]
    shapes = []
    for run in runs:
        coords = run.replace("L", " ").split()
        first_x, last_x = coords[0], coords[-2]
        shapes.append(f"M{first_x} {baseline_y:.1f}L{run}L{last_x} {baseline_y:.1f}Z")
    return "".join(shapes)


def _decimals_for(values: Sequence[float], step: float) -> tuple[int, int]:
    """(decimals for values, decimals for axis ticks), consistent across the chart."""
    value_places = min(2, max((decimals_of(v) for v in values), default=0))
    tick_places = 0 if step >= 1 else min(4, max(0, -math.floor(math.log10(step)) + (0 if step * 10 % 1 == 0 else 1)))
    return value_places, tick_places


def line_chart(
    *, series: Sequence[Series], axis: Axis, area: bool, table_id: str, summary_label: str, from_zero: bool = False
) -> str:
    """A line (or area) chart of one or more series sharing a unit, with its legend and axes."""
    low, high, step = value_range(series, from_zero=from_zero or area)
    present = [v for s in series for v in s.values if v is not None]
    value_places, tick_places = _decimals_for(present, step)
    unit = series[0].unit
    grouped = max(abs(low), abs(high)) >= 10_000
    ticks = [high - i * step for i in range(round((high - low) / step) + 1)]
    y_labels = "".join(
        f"<span>{text(with_unit(format_fixed(t, tick_places, grouped=grouped), unit))}</span>" for t in ticks
    )
    grid = "".join(f"M0 {PLOT_HEIGHT * i / (len(ticks) - 1):.1f}H{PLOT_WIDTH}" for i in range(len(ticks)))
    baseline = PLOT_HEIGHT - (max(low, 0.0) - low) / ((high - low) or 1.0) * PLOT_HEIGHT
    paths: list[str] = [f'<path class="grid" d="{grid}" vector-effect="non-scaling-stroke"/>']
    legend: list[str] = []
    described: list[str] = []
    for index, one in enumerate(series):
        style = f"s{index % SERIES_STYLES}"
        line = _points(one.values, axis.positions, low, high)
        if area and line and index == 0:  # one filled area: overlapping fills muddy each other
            paths.append(f'<path class="area {style}" d="{_area(line, baseline)}"/>')
        if line:
            paths.append(f'<path class="line {style}" d="{line}" vector-effect="non-scaling-stroke"/>')
        known = [v for v in one.values if v is not None and math.isfinite(v)]
        latest = next((v for v in reversed(one.values) if v is not None and math.isfinite(v)), None)

        def shown(v: float, unit: str | None = one.unit) -> str:
            return with_unit(format_fixed(v, value_places, grouped=grouped), unit)

        stats = (
            f"min {shown(min(known))} · avg {shown(sum(known) / len(known))} · max {shown(max(known))}" if known else ""
        )
        legend.append(
            f'<li class="{style}" data-column="{one.column}" data-unit="{attr(one.unit or "")}">'
            f'<span class="swatch"></span><span class="name">{text(one.label)}</span>'
            f'<strong class="latest">{text(shown(latest)) if latest is not None else "—"}</strong>'
            f'<span class="range">{text(stats)}</span></li>'
        )
        described.append(f"{one.label}: {stats}, latest {shown(latest) if latest is not None else 'none'}")
    count = len(axis.positions)
    description = (
        f"{'Area' if area else 'Line'} chart of {summary_label}, {count} values"
        + (f" from {axis.first} to {axis.last}" if axis.column is not None else "")
        + ". "
        + "; ".join(described)
        + ". The same values are in the table below."
    )
    hover = _hover_attrs(axis)
    return (
        f'<figure class="chart" data-table="{attr(table_id)}" data-low="{low!r}" data-high="{high!r}"{hover}>'
        f'<ul class="legend">{"".join(legend)}</ul>'
        '<div class="chart-grid">'
        f'<div class="y-axis" aria-hidden="true">{y_labels}</div>'
        f'<div class="plot" tabindex="0" role="img" aria-label="{attr(description)}">'
        f'<svg viewBox="0 0 {PLOT_WIDTH} {PLOT_HEIGHT}" preserveAspectRatio="none" aria-hidden="true" '
        f'focusable="false">{"".join(paths)}</svg></div>'
        f'<div class="x-axis" aria-hidden="true"><span>{text(axis.first)}</span><span>{text(axis.last)}</span></div>'
        "</div></figure>"
    )


def _hover_attrs(axis: Axis) -> str:
    """Where the script may place its cursor: x positions and the table rows they stand for."""
    count = len(axis.positions)
    stride = max(1, math.ceil(count / HOVER_POINTS))
    rows = list(range(0, count, stride))
    if rows[-1] != count - 1:
        rows.append(count - 1)
    xs = ",".join(f"{axis.positions[r]:.4f}".rstrip("0").rstrip(".") or "0" for r in rows)
    attrs = f' data-xs="{xs}" data-x-column="{"" if axis.column is None else axis.column}"'
    if stride > 1:
        attrs += f' data-rows="{",".join(str(r) for r in rows)}"'
    return attrs


# --- status strips -------------------------------------------------------------------------


def status_strip(
    *, tones: Sequence[str], words: Sequence[str], axis: Axis, table_id: str, summary_label: str, moments: Sequence[str]
) -> str:
    """Ticks coloured by status, oldest first; long series bucketed (a tick shows its worst)."""
    count = len(tones)
    size = max(1, math.ceil(count / MAX_TICKS))
    ticks: list[str] = []
    buckets = range(0, count, size)
    for tick, start in enumerate(buckets):
        members = range(start, min(count, start + size))
        worst = max((tones[i] for i in members), key=lambda t: _TONE_RANK[t])
        if size == 1:
            when = f"{moments[start]} · " if moments[start] else f"#{start + 1} · "
            title = f"{when}{words[start]}"
        else:
            tally = _tally(tones[i] for i in members)
            span = (
                f"{moments[members[0]]} \u2013 {moments[members[-1]]}"
                if moments[start]
                else f"#{start + 1}\u2013{members[-1] + 1}"
            )
            title = f"{span} · {tally}"
        ticks.append(
            f'<rect class="tick {worst}" x="{tick + 0.12:.2f}" y="0" width="0.76" height="10">'
            f"<title>{text(title)}</title></rect>"
        )
    up = sum(1 for t in tones if t == "ok")
    known = sum(1 for t in tones if t != "unknown")
    percent = f"{100 * up / known:.2f}".rstrip("0").rstrip(".") if known else "—"
    tally = _tally(tones)
    description = (
        f"Status of {summary_label}: {percent}% up over {count} checks"
        + (f" from {axis.first} to {axis.last}" if axis.column is not None else "")
        + f" ({tally}). Each tick is {'one check' if size == 1 else f'{size} checks'}; the table below lists them."
    )
    return (
        f'<figure class="strip" data-table="{attr(table_id)}" data-per-tick="{size}">'
        f'<p class="strip-head"><strong class="uptime">{text(percent)}% up</strong>'
        f'<span class="muted">{text(tally)}</span></p>'
        f'<div class="ticks" tabindex="0" role="img" aria-label="{attr(description)}">'
        f'<svg viewBox="0 0 {len(ticks)} 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
        f"{''.join(ticks)}</svg></div>"
        f'<div class="x-axis" aria-hidden="true"><span>{text(axis.first)}</span><span>{text(axis.last)}</span></div>'
        "</figure>"
    )


def _tally(tones: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for tone in tones:
        counts[tone] = counts.get(tone, 0) + 1
    order = ("ok", "warn", "bad", "unknown")
    return ", ".join(f"{counts[t]} {_TONE_WORD[t]}" for t in order if counts.get(t))
