"""Server-side render time of the viewer's page (`make bench`, through bench.py's extra measurements).

For documents of 2 KB, 20 KB and 256 KiB shaped like what tenants share (a status summary, a
latency series, check results over time, an order table, a nested config), it times
`pages.content_page` (the whole page: document, charts, tables, shell) and `json.dumps` of the same
document, medians of many runs, and reports their ratio and the page's size.

To set the time against the viewer budget (docs/capacity.md) it also estimates what rendering adds to a page
view's bill: a Lambda function at 256 MB gets about 256/1769 of a vCPU, so a CPU-bound render takes
about 6.9x its single-core time there (`LAMBDA_256MB_SLOWDOWN`, an estimate, not a measurement),
billed at the x86 GB-second price; the floor is the serverless floor (one REST request, one Lambda request and
10 ms at 256 MB, a strongly consistent read of the document, a 1 KB write) at us-east-1 list prices.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.resources import display  # noqa: E402
from chalicelib.viewer import pages  # noqa: E402

SIZES = {"2KB": 2_000, "20KB": 20_000, "256KiB": 256 * 1024}
RUNS = {"2KB": 301, "20KB": 101, "256KiB": 21}
# us-east-1 on-demand list prices (USD).
API_GATEWAY_REST_PER_REQUEST = 3.50 / 1e6
LAMBDA_PER_REQUEST = 0.20 / 1e6
LAMBDA_PER_GB_SECOND = 0.0000166667
DYNAMODB_PER_READ_UNIT = 0.125 / 1e6
DYNAMODB_PER_WRITE_UNIT = 0.625 / 1e6
LAMBDA_256MB_SLOWDOWN = 1769 / 256
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def document_of_size(target: int) -> dict[str, Any]:
    """A monitor-and-orders document whose compact JSON is at most `target` bytes (and close to it)."""

    def build(rows: int) -> dict[str, Any]:
        start = NOW - timedelta(minutes=2 * rows)
        return {
            "summary": "Checkout API: all systems operational.",
            "status": "operational",
            "uptime_30d_percent": 99.982,
            "latency_ms": [80 + (i * 37) % 60 for i in range(min(96, max(6, rows)))],
            "checks": [
                {
                    "at": (start + timedelta(minutes=2 * i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "region": ("eu-west-1", "us-east-1", "ap-southeast-2")[i % 3],
                    "ms": round(40 + (i * 53) % 170 + 0.5, 1),
                    "status": "down" if i % 97 == 0 else "up",
                }
                for i in range(rows)
            ],
            "orders": [
                {
                    "sku": f"SKU-{i:05d}",
                    "customer": f"Customer {i % 40}",
                    "total": round(9.99 + i * 1.37, 2),
                    "status": ("paid", "pending", "shipped")[i % 3],
                }
                for i in range(rows // 2)
            ],
            "config": {
                "region": "eu-west-1",
                "database": {
                    "engine": "postgres",
                    "pool": {"min": 2, "max": 20, "timeouts": {"connect_ms": 500, "retry": {"attempts": 3}}},
                },
            },
        }

    low, high = 1, 4096
    while low < high:
        middle = (low + high + 1) // 2
        if _size(build(middle)) <= target:
            low = middle
        else:
            high = middle - 1
    return build(low)


def _size(document: dict[str, Any]) -> int:
    return len(json.dumps(document, separators=(",", ":")).encode())


def _median_seconds(action: Callable[[], Any], runs: int) -> float:
    action()  # warm caches (regexes, the asset files)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def floor_cost(document_bytes: int) -> float:
    """The serverless floor (docs/capacity.md) for a viewer request on a document of this size (USD)."""
    read_units = math.ceil(document_bytes / 4096)
    return (
        API_GATEWAY_REST_PER_REQUEST
        + LAMBDA_PER_REQUEST
        + 0.010 * 0.25 * LAMBDA_PER_GB_SECOND
        + read_units * DYNAMODB_PER_READ_UNIT
        + DYNAMODB_PER_WRITE_UNIT
    )


def run() -> dict[str, Any]:
    share = pages.Share(
        tenant_name="Bench Co",
        resource_type="monitor",
        resource_name="Checkout API",
        label="For Globex",
        description="Live status",
        expires_at="2026-12-20T10:00:00Z",
        updated_at="2026-11-20T09:55:00Z",
    )
    hints = display.parse({"fields": {"latency_ms": {"as": "area", "unit": "ms"}}})
    results: dict[str, Any] = {}
    print(
        f"\n{'page render (server side)':<28}{'doc bytes':>10}{'render ms':>11}{'json ms':>9}{'ratio':>8}"
        f"{'page KB':>9}{'~ms @256MB':>12}{'% of floor':>12}"
    )
    for name, target in SIZES.items():
        document = document_of_size(target)
        size = _size(document)

        def render(document: dict[str, Any] = document) -> str:
            return pages.content_page(
                share, document, now=NOW, nonce="bench", poll_seconds=10, etag='"1.x"', hints=hints
            )

        render_s = _median_seconds(render, RUNS[name])

        def encode(document: dict[str, Any] = document) -> str:
            return json.dumps(document)

        json_s = _median_seconds(encode, RUNS[name])
        lambda_s = render_s * LAMBDA_256MB_SLOWDOWN
        added = lambda_s * 0.25 * LAMBDA_PER_GB_SECOND
        row = {
            "document_bytes": size,
            "render_ms": round(render_s * 1000, 3),
            "json_dumps_ms": round(json_s * 1000, 4),
            "ratio_to_json_dumps": round(render_s / json_s, 1),
            "page_bytes": len(render().encode()),
            "runs": RUNS[name],
            "estimated_lambda_ms_at_256mb": round(lambda_s * 1000, 1),
            "render_cost_share_of_floor": round(added / floor_cost(size), 4),
        }
        results[f"page_render_{name}"] = row
        print(
            f"{name:<28}{size:>10}{row['render_ms']:>11.2f}{row['json_dumps_ms']:>9.3f}"
            f"{row['ratio_to_json_dumps']:>8.1f}{row['page_bytes'] / 1000:>9.1f}"
            f"{row['estimated_lambda_ms_at_256mb']:>12.1f}{100 * row['render_cost_share_of_floor']:>11.2f}%"
        )
    print(
        "(render and json.dumps: medians on this machine; '~ms @256MB' and '% of floor' estimate the Lambda "
        "time and cost rendering adds to a page view, against the serverless floor for that document, docs/capacity.md)"
    )
    return results


if __name__ == "__main__":
    run()
