"""Charts, status strips, tables and nesting as the renderer draws them (chalicelib/viewer/render.py,
charts.py, tables.py), read back through an HTML parser: what a browser would build."""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

import pytest

from chalicelib.resources import display
from chalicelib.viewer import render
from tests.unit.test_page_render import HOSTILE_STRINGS, Markup, assert_only_renderer_markup


class Tree(Markup):
    """Markup that also remembers each element's text (for cells, labels and headings)."""

    def __init__(self, source: str) -> None:
        self.stack: List[Tuple[str, Dict[str, Optional[str]], List[str]]] = []
        self.closed: List[Tuple[str, Dict[str, Optional[str]], str]] = []
        super().__init__(source)

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        super().handle_starttag(tag, attrs)
        self.stack.append((tag, dict(attrs), []))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, attrs, chunks = self.stack.pop()
            self.closed.append((open_tag, attrs, "".join(chunks)))
            if self.stack:
                self.stack[-1][2].extend(chunks)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        super().handle_data(data)
        if self.stack:
            self.stack[-1][2].append(data)

    def find(self, tag: str, css: str = "") -> List[Tuple[Dict[str, Optional[str]], str]]:
        return [(attrs, text) for t, attrs, text in self.closed
                if t == tag and (not css or css in (attrs.get("class") or "").split())]


def draw(document: Any, hints: Optional[Dict[str, Any]] = None) -> Tree:
    html_out = render.render_document(document, display.parse(hints or {}))
    tree = Tree(html_out)
    assert_only_renderer_markup(tree)
    return tree


def stamps(n: int) -> List[str]:
    return [f"2026-11-{19 + i // 24:02d}T{i % 24:02d}:00:00Z" for i in range(n)]


LATENCY = [84, 91, 260, 95, 80, 77, 90, 88, 92, 101, 85, 79, 83, 94, 96, 81, 87, 89, 93, 99, 90, 82, 86, 95]


def test_a_series_of_numbers_is_a_line_chart_with_axes_legend_and_a_table() -> None:
    tree = draw({"latency_ms": LATENCY})
    # THEN one chart, one drawn line, under a heading that names the field and its unit
    (chart,) = tree.find("figure", "chart")
    assert len(tree.find("path", "line")) == 1
    assert [text for _, text in tree.find("h2")] == ["Latency (ms)"]
    # AND the y axis spans the values (0 ms to at least the 260 ms spike) with the unit on each label
    (y_axis,) = tree.find("div", "y-axis")
    y_labels = re.findall(r"\d+ ms", y_axis[1])
    assert y_labels[0] in ("300 ms", "280 ms", "260 ms") and y_labels[-1] == "0 ms"
    # AND the x axis says which values are first and last, the legend the latest value and the range
    (legend,) = tree.find("li", "s0")
    assert "95 ms" in legend[1] and "min 77 ms" in legend[1] and "max 260 ms" in legend[1]
    # AND the values are a table too (inside <details>), for screen readers and for reading exactly
    assert len(tree.find("details", "data")) == 1
    cells = [text for attrs, text in tree.find("td") if attrs.get("class") == "num"]
    assert [int(c) for c in cells[1::2]] == LATENCY
    # AND the chart names its table, and describes itself to assistive technology
    assert chart[0]["data-table"] == tree.find("div", "table-block")[0][0]["id"]
    (plot,) = tree.find("div", "plot")
    assert plot[0]["role"] == "img" and "24 values" in plot[0]["aria-label"] and "260 ms" in plot[0]["aria-label"]


def test_a_spike_is_drawn_taller_than_its_neighbours() -> None:
    tree = draw({"latency_ms": LATENCY})
    (line,) = tree.find("path", "line")
    ys = [float(y) for y in re.findall(r"[ML][\d.]+ ([\d.]+)", line[0]["d"])]
    assert len(ys) == 24
    assert min(ys) == ys[2]  # SVG y grows downwards: the 260 ms spike is the highest point
    assert ys[1] - ys[2] > 3 * abs(ys[1] - ys[0])  # and it stands out, not a grey pill among pills


def test_a_time_series_places_points_by_time_and_labels_first_and_last() -> None:
    rows = [{"at": at, "ms": 80 + i} for i, at in enumerate(stamps(10))]
    rows[9]["at"] = "2026-11-19T18:00:00Z"  # a gap: the last point is 9 hours after the 9th
    tree = draw({"checks": rows})
    (chart,) = tree.find("figure", "chart")
    positions = [float(x) for x in chart[0]["data-xs"].split(",")]
    assert positions[0] == 0 and positions[-1] == 1 and positions[8] == pytest.approx(8 / 18, abs=1e-3)
    axis = [text for attrs, text in tree.find("div", "x-axis")][0]
    assert "19 Nov, 00:00" in axis and "18:00 UTC" in axis


def test_missing_values_break_the_line() -> None:
    rows = [{"at": at, "ms": None if i == 4 else 80 + i} for i, at in enumerate(stamps(10))]
    (line,) = draw({"checks": rows}).find("path", "line")
    assert line[0]["d"].count("M") == 2


def test_quantities_with_different_units_get_their_own_charts() -> None:
    rows = [{"at": at, "p50_ms": 80 + i, "p95_ms": 150 + i, "errors_percent": 0.5} for i, at in enumerate(stamps(8))]
    tree = draw({"latency": rows})
    charts = tree.find("figure", "chart")
    assert len(charts) == 2
    legends = [text for attrs, text in tree.find("ul", "legend")]
    assert "P50" in legends[0] and "P95" in legends[0] and "Errors" in legends[1]


def test_long_series_are_drawn_from_bucket_extremes_and_keep_every_value_in_the_table() -> None:
    values = [50 + (i % 17) for i in range(5000)]
    values[3210] = 900
    tree = draw({"load_ms": values})
    (line,) = tree.find("path", "line")
    points = re.findall(r"[ML]([\d.]+) ([\d.]+)", line[0]["d"])
    assert len(points) <= 600
    assert min(float(y) for _, y in points) == pytest.approx(0, abs=30)  # the 900 spike survived
    assert len(tree.find("tr")) == 5001


def test_status_words_over_time_are_a_strip_of_coloured_ticks() -> None:
    rows = [{"day": f"2026-10-{d:02d}", "status": "down" if d == 12 else "degraded" if d == 20 else "up"}
            for d in range(1, 31)]
    tree = draw({"uptime": rows})
    ticks = tree.find("rect", "tick")
    assert len(ticks) == 30
    tones = [attrs["class"].split()[1] for attrs, _ in ticks]
    assert tones.count("ok") == 28 and tones[11] == "bad" and tones[19] == "warn"
    # AND each tick says when and what; the head gives the share of checks up
    assert ticks[11][1] == "12 Oct 2026 · down"
    head = tree.find("p", "strip-head")[0][1]
    assert "93.33% up" in head and "28 up, 1 degraded, 1 down" in head
    axis = tree.find("div", "x-axis")[0][1]
    assert "1 Oct 2026" in axis and "30 Oct 2026" in axis


def test_long_strips_bucket_checks_and_show_the_worst_of_each() -> None:
    values = ["up"] * 1000
    values[555] = "down"
    tree = draw({"history": values})
    ticks = tree.find("rect", "tick")
    assert len(ticks) <= 120
    bad = [attrs for attrs, _ in ticks if "bad" in attrs["class"]]
    assert len(bad) == 1


def test_checks_with_times_statuses_and_timings_get_a_strip_and_a_chart() -> None:
    rows = [{"at": at, "ms": 80 + i, "status": "down" if i == 3 else "up"} for i, at in enumerate(stamps(12))]
    tree = draw({"checks": rows})
    assert len(tree.find("figure", "strip")) == 1 and len(tree.find("figure", "chart")) == 1
    # AND the same rows once, as a table both figures read
    (table,) = tree.find("div", "table-block")
    assert {f[0]["data-table"] for f in tree.find("figure", "strip") + tree.find("figure", "chart")} == {table[0]["id"]}


# --- tables --------------------------------------------------------------------------------

def test_numbers_in_a_column_share_their_decimals_and_align_right() -> None:
    rows = [{"item": "Widget", "price": 14.1}, {"item": "Gadget", "price": 9.99}, {"item": "Gizmo", "price": 2056.32},
            {"item": "Box", "price": 3}]
    tree = draw({"lines": rows})
    prices = [(attrs, text) for attrs, text in tree.find("td") if attrs.get("class") == "num"]
    assert [text for _, text in prices] == ["14.10", "9.99", "2056.32", "3.00"]
    assert [attrs["data-v"] for attrs, _ in prices] == ["14.1", "9.99", "2056.32", "3"]
    assert tree.find("th", "num")[0][1] == "Price"


def test_big_quantities_group_thousands_but_ids_do_not() -> None:
    rows = [{"order_id": 100234, "amount": 12345.5}, {"order_id": 100235, "amount": 7.25}]
    cells = [text for attrs, text in draw({"orders": rows}).find("td") if attrs.get("class") == "num"]
    assert cells == ["100234", "12,345.50", "100235", "7.25"]


def test_every_value_of_a_status_column_is_a_pill() -> None:
    rows = [{"sku": "SKU-00001", "status": s} for s in ("Pending", "shipped", "on hold", "weird-state", "failed")]
    pills = draw({"orders": rows}).find("span", "pill")
    assert [(attrs["class"], text) for attrs, text in pills] == [
        ("pill warn", "Pending"), ("pill ok", "shipped"), ("pill warn", "on hold"), ("pill neutral", "weird-state"),
        ("pill bad", "failed")]


def test_single_tokens_are_marked_never_to_break_and_times_are_short_in_a_year() -> None:
    rows = [{"sku": "SKU-00000", "note": "two words", "at": "2026-11-20T09:57:49Z"}]
    tree = draw({"orders": rows})
    cells = tree.find("td")
    assert cells[0] == ({"class": "tok"}, "SKU-00000")
    assert cells[1] == ({}, "two words")
    assert cells[2][0] == {"class": "time", "data-v": "2026-11-20T09:57:49Z"} and cells[2][1] == "20 Nov, 09:57"
    assert [text for _, text in tree.find("th")][2] == "At (UTC)"


def test_tables_over_30_rows_are_marked_big_and_keep_every_row() -> None:
    rows = [{"sku": f"SKU-{i:05d}", "total": i} for i in range(200)]
    tree = draw({"orders": rows})
    (block,) = tree.find("div", "table-block")
    assert "big" in block[0]["class"].split() and block[0]["data-rows"] == "200" and block[0]["data-name"] == "orders"
    assert len(tree.find("tr")) == 201
    assert len(draw({"orders": rows[:30]}).find("div", "big")) == 0


def test_column_order_labels_units_and_decimals_from_hints() -> None:
    rows = [{"at": "2026-11-20T09:00:00Z", "region": "eu", "ms": 84.123, "status": "up"}]
    hints = {"fields": {"checks": {"as": "table", "columns": ["status", "ms"], "labels": {"ms": "Response"}},
                        "checks.ms": {"unit": "ms", "decimals": 1}}}
    tree = draw({"checks": rows}, hints)
    assert [attrs["title"] for attrs, _ in tree.find("th")] == ["status", "ms", "at", "region"]
    assert [text for _, text in tree.find("th")][:2] == ["Status", "Response (ms)"]
    assert [text for attrs, text in tree.find("td") if attrs.get("class") == "num"] == ["84.1"]


# --- nesting -------------------------------------------------------------------------------

def test_at_every_level_scalars_come_first_then_sub_sections() -> None:
    document = {"child": {"grand": {"x": 1}, "tags": ["a", "b"], "name": "c"}, "top": 1, "after": "z"}
    html_out = render.render_document(document)
    # THEN the root's scalars are listed before its first section, and so are the child's
    assert html_out.index("Top") < html_out.index("After") < html_out.index('title="child"')
    child = html_out[html_out.index('title="child"'):]
    assert child.index(">Tags<") < child.index(">Name<") < child.index('title="child.grand"')


def test_deep_levels_fold_into_details_with_their_path_visible() -> None:
    document = {"config": {"database": {"pool": {"limits": {"max": 20}, "min": 2}}}}
    tree = draw(document)
    assert len(tree.find("details", "group")) == 2
    paths = [text for _, text in tree.find("span", "path")]
    assert "Config › Database ›" in paths and "Config › Database › Pool ›" in paths
    headings = [(attrs["title"], text) for attrs, text in tree.find("h4") + tree.find("h5")]
    assert ("config.database.pool", "Pool") in headings and ("config.database.pool.limits", "Limits") in headings
    # AND a level shallower than that is an open section; a hint can fold any level, or unfold one
    assert sorted(attrs["class"] for attrs, _ in tree.find("section", "group")) == ["group d1", "group d2"]
    folded = draw(document, {"fields": {"config": {"collapsed": True}}})
    assert len(folded.find("details", "group")) == 3
    unfolded = draw(document, {"fields": {"config.database.pool": {"collapsed": False}}})
    assert len(unfolded.find("details", "group")) == 1


def test_labels_from_hints_name_sections_and_charts() -> None:
    tree = draw({"lat": LATENCY}, {"fields": {"lat": {"label": "Response time", "unit": "ms", "as": "area"}}})
    assert [text for _, text in tree.find("h2")] == ["Response time"]
    assert len(tree.find("path", "area")) == 1
    assert "95 ms" in tree.find("li", "s0")[0][1]


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_hostile_labels_units_and_columns_in_hints_stay_text(hostile: str) -> None:
    rows = [{"at": at, hostile: i, "status": "up"} for i, at in enumerate(stamps(8))]
    hints = {"fields": {"rows": {"label": hostile, "labels": {hostile: hostile}, "unit": hostile[:16]},
                        f"rows.{hostile}": {"unit": hostile[:16]}, "lat": {"label": hostile, "unit": hostile[:16]}}}
    tree = draw({"rows": rows, "lat": LATENCY, "nested": {"deeper": {"deepest": {hostile: 1}}}}, hints)
    assert tree.text.count(hostile) >= 3
    assert not any(name.startswith("on") for name in tree.attributes())
