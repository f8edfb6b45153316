"""An uptime checker that publishes its results through Keyhole: it checks a few URLs, keeps the
last checks of each, and pushes a snapshot to one resource with PATCH (JSON Merge Patch), so a
share link of that resource always shows the current status (the viewer's page draws the history
as a status strip and the latencies as a chart).

    export KEYHOLE_API_URL=http://127.0.0.1:8000 KEYHOLE_API_KEY=kh_...
    python examples/uptime_checker/checker.py --resource status:public \\
        --target api=http://127.0.0.1:8000/robots.txt --interval 30
"""

from __future__ import annotations

import argparse
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

import httpx
from keyhole_client import Keyhole, NotFound

HISTORY = 20


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def check(url: str, timeout: float = 5.0) -> dict[str, Any]:
    started = time.monotonic()
    try:
        status = httpx.get(url, timeout=timeout).status_code
    except httpx.HTTPError:
        status = None
    up = status is not None and status < 500
    return {"at": now(), "up": up, "http_status": status, "latency_ms": round((time.monotonic() - started) * 1000)}


class Checker:
    def __init__(self, kh: Keyhole, resource_id: str, targets: dict[str, str]) -> None:
        self.kh = kh
        self.resource_id = resource_id
        self.targets = targets
        self.history: dict[str, deque[dict[str, Any]]] = {name: deque(maxlen=HISTORY) for name in targets}

    def snapshot(self) -> dict[str, Any]:
        services = {}
        for name, url in self.targets.items():
            result = check(url)
            self.history[name].append(result)
            services[name] = {
                "status": "up" if result["up"] else "down",
                "http_status": result["http_status"],
                "latency_ms": result["latency_ms"],
                "checks": list(self.history[name]),
            }
        return {"checked_at": now(), "services": services}

    def push(self) -> dict[str, Any]:
        """One round: check, then PATCH the document (creating the resource the first time)."""
        snapshot = self.snapshot()
        try:
            self.kh.resources.patch(self.resource_id, document=snapshot)
        except NotFound:
            self.kh.resources.put(self.resource_id, type="status", name="Service status", document=snapshot)
        return snapshot

    def share_url(self) -> str:
        """A link to the status (one is made the first time)."""
        for link in self.kh.links.list(self.resource_id):
            return self.kh.links.reveal(link.id).url
        return self.kh.links.create(self.resource_id, label="Public status", expires_in="never").url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--resource", default="status:public")
    parser.add_argument("--target", action="append", required=True, help="name=url")
    parser.add_argument("--interval", type=float, default=30)
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args(argv)
    targets = dict(t.split("=", 1) for t in args.target)
    with Keyhole.from_env() as kh:
        checker = Checker(kh, args.resource, targets)
        checker.push()
        print("status page:", checker.share_url(), flush=True)
        while not args.once:
            time.sleep(args.interval)
            checker.push()


if __name__ == "__main__":
    main()
