"""Every renderer decision: what becomes a chart, a status strip, a table, a section, chips or a list
(chalicelib/viewer/shapes.py), with and without display hints."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest

from chalicelib.resources.display import FieldHint
from chalicelib.viewer.shapes import Shape, decide


def times(n: int, *, start_hour: int = 0) -> List[str]:
    return [f"2026-11-{19 + (start_hour + i) // 24:02d}T{(start_hour + i) % 24:02d}:00:00Z" for i in range(n)]


def checks(n: int = 24, **extra: Any) -> List[Dict[str, Any]]:
    return [{"at": at, "ms": 40 + i, "status": "up" if i % 7 else "down", **extra} for i, at in enumerate(times(n))]


AUTO_CASES = [
    ("object", "config", {"a": 1}, Shape("section")),
    ("scalar", "status", "up", Shape("scalar")),
    ("empty list", "tags", [], Shape("empty")),
    ("24 latencies", "latency_ms", [84, 91, 260, 95, 80, 77] * 4, Shape("chart")),
    ("96 floats", "load", [0.5 + i / 100 for i in range(96)], Shape("chart")),
    ("five numbers stay chips", "latency_ms", [1, 2, 3, 4, 5], Shape("chips")),
    ("ports are names, not a series", "ports", [80, 443, 8080, 8443, 9000, 9090, 3000], Shape("chips")),
    ("ids are names", "order_ids", list(range(100, 130)), Shape("list")),
    ("status words", "history", ["up"] * 20 + ["down", "degraded"], Shape("strip")),
    ("booleans", "checks_passed", [True] * 10 + [False], Shape("strip")),
    ("few status words stay chips", "history", ["up", "down", "up"], Shape("chips")),
    ("words that are not statuses", "tags", ["alpha", "beta", "gamma", "delta", "eps", "zeta"], Shape("chips")),
    ("long text list", "notes", ["x" * 50] * 3, Shape("list")),
    ("time series with status", "checks", checks(), Shape("chart", time_column="at", series=("ms",),
                                                               status_column="status")),
    ("status over time", "uptime", [{"day": f"2026-10-{d:02d}", "status": "up"} for d in range(1, 31)],
     Shape("strip", time_column="day", status_column="status")),
    ("too few rows for a chart", "checks", checks(5), Shape("table")),
    ("rows out of time order", "checks", list(reversed(checks())), Shape("table")),
    ("no time field", "orders", [{"sku": f"SKU-{i:05d}", "total": i * 1.5} for i in range(40)], Shape("table")),
    ("http status codes are not plotted", "hits", [{"at": t, "http_status": 200} for t in times(10)],
     Shape("table")),
    ("mixed list", "mixed", [1, {"a": 1}, [2]], Shape("items")),
]


@pytest.mark.parametrize("key,value,expected", [c[1:] for c in AUTO_CASES], ids=[c[0] for c in AUTO_CASES])
def test_automatic_choices(key: str, value: Any, expected: Shape) -> None:
    assert decide(value, key) == expected


def test_several_quantities_over_time_are_all_series() -> None:
    rows = [{"at": t, "p50_ms": 80 + i, "p95_ms": 150 + i, "error_rate_percent": 0.1, "region_id": 7}
            for i, t in enumerate(times(12))]
    shape = decide(rows, "latency")
    assert shape.kind == "chart" and shape.series == ("p50_ms", "p95_ms", "error_rate_percent")


HINT_CASES = [
    ("table instead of a chart", checks(), FieldHint(kind="table"), Shape("table")),
    ("area chart", [1, 2, 3], FieldHint(kind="area"), Shape("chart", area=True)),
    ("line of few numbers", [1, 2], FieldHint(kind="line"), Shape("chart")),
    ("list instead of a chart", list(range(30)), FieldHint(kind="list"), Shape("list")),
    ("strip of few statuses", ["up", "down"], FieldHint(kind="strip"), Shape("strip")),
    ("strip of rows", checks(3), FieldHint(kind="strip"), Shape("strip", time_column="at", status_column="status")),
    ("chosen series", [{"at": t, "a_ms": 1, "b_ms": 2} for t in times(8)], FieldHint(y=("b_ms",)),
     Shape("chart", time_column="at", series=("b_ms",))),
    ("chart over row numbers", [{"host": f"web-{i}", "load": i * 2} for i in range(8)], FieldHint(kind="line"),
     Shape("chart", series=("load",))),
]


@pytest.mark.parametrize("value,hint,expected", [c[1:] for c in HINT_CASES], ids=[c[0] for c in HINT_CASES])
def test_hints_choose(value: Any, hint: FieldHint, expected: Shape) -> None:
    assert decide(value, "field", hint) == expected


@pytest.mark.parametrize("value,hint", [
    (["a", "b", "c"], FieldHint(kind="line")),          # a chart of text: no
    ([{"name": "x"}] * 8, FieldHint(kind="area")),      # no quantities to draw
    (["alpha", "beta"], FieldHint(kind="strip")),        # no statuses to colour
    ([{"name": "x"}] * 8, FieldHint(kind="strip")),
    ({"a": 1}, FieldHint(kind="line")),                  # an object stays a section
], ids=["text line", "no numbers", "no statuses", "rows without statuses", "object"])
def test_a_hint_the_data_cannot_take_falls_back_to_the_automatic_choice(value: Any, hint: FieldHint) -> None:
    assert decide(value, "field", hint) == decide(value, "field")
