"""Charts, status strips, big tables, nesting and branding in Chromium at 1280 px and 390 px, against
the real local stack. Layout is checked by measuring element boxes (Range.getClientRects for
tokens, bounding boxes for the sticky header), never by comparing pixels; screenshots are saved
with the test artifacts for people to look at.
"""
from __future__ import annotations

import csv
import io
import time
from datetime import datetime
from typing import Any, Dict, List

import pytest
import requests

from devstack.local import DEMO_DISPLAY, DEMO_DOCUMENT
from tests.browser.conftest import DESKTOP, PHONE, Tab, screenshot
from tests.browser.test_viewer_browser import NOT_FOUND, Owner, owner  # noqa: F401  (fixture)
from tests.images import data_uri, png

pytestmark = [pytest.mark.browser, pytest.mark.http]

SIZES = {"desktop": DESKTOP, "phone": PHONE}

# Tokens (runs without whitespace) in cells, pills, headers and chart labels that a browser laid out
# over more than one line: a token split mid-word. Hidden elements have no boxes and are skipped.
BROKEN_TOKENS_JS = """
(selector) => {
  const broken = [];
  for (const element of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      let match;
      while ((match = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}
"""
TOKEN_PLACES = "td, th, .pill, .legend, .y-axis, .x-axis, .strip-head, .table-foot, dt, .path"


def page_scrolls_sideways(tab: Tab) -> bool:
    return tab.page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def broken_tokens(tab: Tab) -> List[str]:
    return tab.page.evaluate(BROKEN_TOKENS_JS, TOKEN_PLACES)


@pytest.fixture
def monitor(owner: Owner) -> Dict[str, Any]:  # noqa: F811
    return owner.share(label="Status for Globex", expires_in="30d")


@pytest.mark.parametrize("size", SIZES)
def test_monitor_page_has_a_latency_chart_and_a_status_strip_that_read(monitor: Dict[str, Any], tab: Tab,
                                                                        size: str) -> None:
    page = tab.page
    page.set_viewport_size(SIZES[size])
    page.goto(monitor["url"])
    # THEN the response-time chart is there, as wide as the card allows, with both series drawn
    chart = page.locator("section:has(h2[title=response_time_ms]) figure.chart")
    assert chart.is_visible()
    plot = chart.locator(".plot").bounding_box()
    assert plot is not None and plot["width"] >= (240 if size == "phone" else 700) and plot["height"] >= 150
    assert chart.locator("path.line").count() == 2
    # AND its labels are real text at a readable size: range on the y axis, first and last time on x
    y_labels = chart.locator(".y-axis span").all_inner_texts()
    assert y_labels[-1] == "0 ms" and y_labels[0].endswith(" ms") and int(y_labels[0].split()[0]) >= 500
    assert chart.locator(".x-axis span").all_inner_texts() == ["19 Nov, 10:00", "20 Nov, 09:00 UTC"]
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.y-axis span')).fontSize)") >= 11
    # AND pointing at the spike shows its time and values
    chart.scroll_into_view_if_needed()
    box = chart.locator(".plot").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 15 / 23, box["y"] + 20)
    tip = chart.locator(".tip")
    assert tip.is_visible()
    assert "20 Nov, 01:00" in tip.inner_text() and "95th percentile: " in tip.inner_text()
    # AND the keyboard reaches the values too
    chart.locator(".plot").focus()
    page.keyboard.press("End")
    assert tip.inner_text().startswith("20 Nov, 09:00")
    page.keyboard.press("ArrowLeft")
    assert tip.inner_text().startswith("20 Nov, 08:00")
    # AND the 90-day strip is a row of ticks, the down day red, with the uptime over it
    strip = page.locator("section:has(h2[title=uptime_90d]) figure.strip")
    assert strip.locator("rect.tick").count() == 90
    assert strip.locator("rect.tick.bad").count() == 1 and strip.locator("rect.tick.warn").count() == 2
    assert strip.locator(".uptime").inner_text() == "96.67% up"
    strip.scroll_into_view_if_needed()
    ticks = strip.locator(".ticks").bounding_box()
    page.mouse.move(ticks["x"] + ticks["width"] * 62.5 / 90, ticks["y"] + ticks["height"] / 2)
    down_day = datetime.strptime(DEMO_DOCUMENT["uptime_90d"][62]["day"], "%Y-%m-%d")
    assert DEMO_DOCUMENT["uptime_90d"][62]["status"] == "down"
    assert strip.locator(".tip").inner_text() == f"{down_day.day} {down_day:%b %Y} · down"
    # AND the data behind each figure is a table one click away
    page.get_by_text("Show the values as a table").first.click()
    assert page.locator("section:has(h2[title=response_time_ms]) details.data tbody tr").count() == 24
    # AND nothing scrolls the page sideways, no token is broken, nothing was blocked or fetched elsewhere
    page.mouse.move(0, 0)
    assert not page_scrolls_sideways(tab)
    assert broken_tokens(tab) == []
    assert tab.policy_violations() == [] and tab.foreign_requests() == []
    screenshot(tab, f"monitor-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_the_200_row_table_pages_filters_sorts_and_downloads(monitor: Dict[str, Any], tab: Tab, size: str) -> None:
    page = tab.page
    page.set_viewport_size(SIZES[size])
    page.goto(monitor["url"])
    section = page.locator("section:has(h2[title=recent_checks])")
    rows = section.locator("tbody tr")
    count = section.locator(".table-foot span")
    # THEN 25 of the 200 rows show, and say so; all 200 are in the page
    assert rows.count() == 200 and section.locator("tbody tr:visible").count() == 25
    assert count.inner_text() == "Showing 25 of 200 rows"
    section.locator(".table-wrap").scroll_into_view_if_needed()
    screenshot(tab, f"checks-table-{size}")
    # WHEN "Show 25 more" is pressed THEN 50 show; "Show all" shows every row
    section.get_by_role("button", name="Show 25 more").click()
    assert section.locator("tbody tr:visible").count() == 50
    # AND the header row sticks to the top of the table's box while its rows scroll under it
    wrap = section.locator(".table-wrap")
    header_before = section.locator("thead th").first.bounding_box()
    wrap.evaluate("w => { w.scrollTop = 600; }")
    header_after = section.locator("thead th").first.bounding_box()
    wrap_box = wrap.bounding_box()
    assert abs(header_after["y"] - wrap_box["y"]) <= 2 and abs(header_after["y"] - header_before["y"]) <= 2
    assert wrap.evaluate("w => w.scrollTop") > 0
    wrap.evaluate("w => { w.scrollTop = 0; }")
    # WHEN the viewer filters THEN only matching rows count, paged again
    section.get_by_role("searchbox").fill("ap-southeast-2")
    matching = sum(1 for check in DEMO_DOCUMENT["recent_checks"] if check["region"] == "ap-southeast-2")
    assert count.inner_text() == f"Showing 25 of {matching} matching rows (200 in all)"
    assert all("ap-southeast-2" in text for text in section.locator("tbody tr:visible").all_inner_texts())
    # WHEN a numeric column is sorted THEN by value, both ways (the 10 s timeout sorts last, then first)
    section.get_by_role("button", name="Response (ms)").click()
    first = section.locator("tbody tr:visible td.num").first
    assert section.locator("thead th[aria-sort=ascending]").count() == 1
    values = [float(v) for v in section.locator("tbody tr:visible td.num:nth-child(4)").all_inner_texts()]
    assert values == sorted(values)
    section.get_by_role("button", name="Response (ms)").click()
    assert section.locator("tbody tr:visible td:nth-child(4)").first.inner_text() == "10,000.0"
    assert first.is_visible()
    # WHEN the CSV is downloaded THEN it holds the matching rows in that order, raw values, a header
    with page.expect_download() as download_info:
        section.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "recent_checks.csv"
    text = open(download.path(), encoding="utf-8-sig").read()
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Checked at (UTC)", "Region", "Status", "Response (ms)", "HTTP"]
    assert len(table) == matching + 1 and table[1][3] == "10000.0" and table[1][0].endswith("Z")
    assert {row[1] for row in table[1:]} == {"ap-southeast-2"}
    # AND the status column is pills all the way down, and nothing scrolls the page sideways
    section.get_by_role("button", name="Show all").click()
    statuses = section.locator("tbody tr:visible td:nth-child(3)")
    assert statuses.count() == matching
    assert section.locator("tbody tr:visible td:nth-child(3) .pill").count() == matching
    assert not page_scrolls_sideways(tab)
    assert broken_tokens(tab) == []
    assert tab.policy_violations() == []


NESTED = {
    "service": "checkout",
    "config": {
        "name": "checkout-api",
        "tags": ["payments", "tier-1", "pci"],
        "database": {
            "engine": "postgres",
            "host": "db-primary.internal.example",
            "pool": {
                "min": 2, "max": 20,
                "timeouts": {"connect_ms": 500, "idle_seconds": 30, "retry": {"attempts": 3, "backoff": "exponential"}},
            },
            "replicas": [{"host": "db-replica-1.internal.example", "lag_ms": 12},
                         {"host": "db-replica-2.internal.example", "lag_ms": 30}],
            "password": "hunter2-do-not-show",
        },
        "owner": "payments-team",
    },
    "release": "2026.11.3",
}


@pytest.mark.parametrize("size", SIZES)
def test_a_deeply_nested_config_reads_level_by_level(owner: Owner, tab: Tab, size: str) -> None:  # noqa: F811
    owner.put("config", NESTED, redact=["password"])
    link = owner.share("config")
    page = tab.page
    page.set_viewport_size(SIZES[size])
    page.goto(link["url"])
    # THEN each level lists its own values before its sub-sections: the config's Owner and Tags sit with
    # its Name, above Database, not piled up at the end
    config = page.locator("section:has(> h2[title=config])")
    config_text = config.inner_text()
    assert config_text.index("Owner") < config_text.index("Database")
    assert config_text.index("Tags") < config_text.index("Database")
    assert page.locator(".doc > dl.fields").inner_text().index("Release") >= 0
    # AND deep levels are folded, each showing where it is
    pool = page.locator("details:has(> summary h4[title='config.database.pool'])")
    assert pool.locator("> summary .path").inner_text() == "Config › Database ›"
    assert not pool.locator("dd").first.is_visible()
    pool.locator("> summary").click()
    assert pool.get_by_text("Max", exact=True).is_visible()
    timeouts = pool.locator("details:has(> summary h5[title='config.database.pool.timeouts'])")
    timeouts.locator("> summary").click()
    assert timeouts.locator("> summary .path").inner_text() == "Config › Database › Pool ›"
    # AND the secret is masked, nothing scrolls sideways, no token broken
    assert "hunter2" not in page.content()
    assert not page_scrolls_sideways(tab)
    assert broken_tokens(tab) == []
    screenshot(tab, f"nested-config-{size}")


def test_a_branded_tenant_page_and_hostile_branding(owner: Owner, tab: Tab, http_stack: Any) -> None:  # noqa: F811
    logo = data_uri("png", png(32, 32, (15, 118, 110)))
    # GIVEN hostile branding values: refused, the page untouched
    for hostile in ({"accent_color": "#fff;}body{display:none"}, {"logo": "https://evil.example/x.png"},
                    {"logo": data_uri("svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>")}):
        reply = requests.patch(f"{owner.api}/v1/tenant", json=hostile, headers=owner.auth, timeout=10)
        assert reply.status_code == 422, reply.text
    # AND a display name made of markup, a dark accent colour and a PNG logo
    name = "Acme <img src=x onerror=alert(1)> Status"
    reply = requests.patch(f"{owner.api}/v1/tenant", json={"display_name": name, "accent_color": "#0f766e",
                                                           "logo": logo}, headers=owner.auth, timeout=10)
    assert reply.status_code == 200, reply.text
    link = owner.share(label="Branded")
    page = tab.page
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(link["url"])
        # THEN the header shows the name as text and the logo, decoded; the accent colours the page
        assert page.locator(".brand strong").inner_text() == name
        logo_box = page.locator(".brand img.logo")
        assert logo_box.evaluate("img => img.complete && img.naturalWidth") == 32
        assert page.evaluate("getComputedStyle(document.querySelector('.kind')).color") == "rgb(15, 118, 110)"
        assert page.locator("link[rel=icon]").get_attribute("href") == logo
        assert tab.dialogs == [] and page.locator("#share img").count() == 1
        assert tab.policy_violations() == [] and tab.foreign_requests() == []
        screenshot(tab, f"branded-{size}")
    # WHEN the link is revoked THEN the open page turns into the neutral not-found state
    owner.revoke(link["id"])
    page.get_by_role("heading", name=NOT_FOUND).wait_for(timeout=10_000)
    assert "Acme" not in page.locator("body").inner_text()
    response = page.goto(link["url"])
    assert response is not None and response.status == 404
    assert page.locator("img").count() == 0 and "Acme" not in page.content()
    assert page.locator("link[rel=icon]").get_attribute("href").startswith("data:image/svg+xml")


def test_an_open_page_polls_less_while_nothing_changes_and_catches_up_after_a_change(
        owner: Owner, tab: Tab) -> None:  # noqa: F811
    # GIVEN an open page (the test stack polls every second instead of every 10)
    link = owner.share(label="Polling")
    polls: List[float] = []
    tab.page.on("request", lambda request: polls.append(time.monotonic()) if request.url.endswith("/data") else None)
    tab.page.goto(link["url"])
    # WHEN nothing changes for 9 seconds
    tab.page.wait_for_timeout(9_000)
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    # THEN the polls come further and further apart (1, 1.5, 2.25, 3.4 s ...), never closer than the interval
    assert 3 <= len(polls) <= 5, gaps
    assert all(gap >= 0.9 for gap in gaps) and gaps[-1] > gaps[0] * 1.8, gaps
    # WHEN the document changes (the viewer has the chart's table open) THEN the page shows it, with the
    # chart redrawn from the new values, and goes back to polling every second
    tab.page.get_by_text("Show the values as a table").first.click()
    latest = [dict(row) for row in DEMO_DOCUMENT["response_time_ms"]]
    latest[-1]["p50_ms"] = 345
    owner.put("checkout-api", {**DEMO_DOCUMENT, "summary": "Degraded in one region.", "response_time_ms": latest},
              display=DEMO_DISPLAY)
    tab.page.get_by_text("Degraded in one region.").wait_for(timeout=10_000)
    chart = tab.page.locator("section:has(h2[title=response_time_ms])")
    assert chart.locator(".legend li.s0 .latest").inner_text() == "345 ms"
    assert chart.locator("details.data").get_attribute("open") is not None  # still open after the swap
    chart.locator(".plot").focus()
    tab.page.keyboard.press("End")
    assert "Median: 345 ms" in chart.locator(".tip").inner_text()  # the new markup is live too
    changed_at = len(polls)
    tab.page.wait_for_timeout(2_600)
    after = polls[changed_at - 1:]
    # (the gap after the change is one interval plus the page's own refresh request)
    assert len(after) >= 2 and after[1] - after[0] < min(2.5, gaps[-1]), [b - a for a, b in zip(after, after[1:])]
