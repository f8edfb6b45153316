"""A soak of the local stack as `make run` serves it: moto one request at a time (with
devstack/moto_patches.py), `chalice local`, and the stream pump, under 8 concurrent clients sending
5,000+ mixed admin and viewer requests.

It asserts what a user trying a burst must see: no 5xx at all, every response as the OpenAPI
document describes it, plan limits held exactly, usage counters equal to a recount, and the
emulator's memory bounded (it once grew from 200 MB to 9 GB in a few thousand requests).
"""
from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests

from chalicelib.links import limits
from chalicelib.tenancy import tenants
from tests import contract
from tests.stack import ROOT, HttpStack, start_stack
from tests.support import random_token

pytestmark = pytest.mark.http

REQUESTS = 5000
WORKERS = 8
MEMORY_LIMIT = int(1.5 * 2**30)
TEAM_RESOURCES = 4
TEAM_LINK_LIMIT = 3
FREE_RESOURCES = 4  # the free plan shares 2 resources with 1 link each: most creates must be refused
DOCUMENT = {"status": "up", "api_key": "sk_live_soak", "checks": [{"at": f"2026-11-20T09:{m:02d}:00Z", "ms": 40 + m}
                                                                    for m in range(30)]}


@pytest.fixture(scope="module")
def stack() -> Iterator[HttpStack]:
    yield from start_stack(serial=True)


@pytest.fixture(scope="module")
def pump(stack: HttpStack) -> Iterator[subprocess.Popen]:
    """The stream pump, as `make run` starts it (counters and webhooks keep moving during the soak)."""
    process = subprocess.Popen([sys.executable, "-m", "devstack.pump", "--stage", "local", "--poll-seconds", "0.5"],
                               cwd=ROOT, env=stack.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield process
    process.terminate()
    process.wait(timeout=10)


class Soak:
    """Shared state of the run: live links by tenant, the outcome of every request."""

    def __init__(self, stack: HttpStack, team: str, free: str) -> None:
        self.stack = stack
        self.keys = {"team": team, "free": free}
        self.lock = threading.Lock()
        self.live: Dict[str, List[Dict[str, str]]] = {"team": [], "free": []}
        self.dead_tokens: List[str] = []
        self.statuses: Counter = Counter()
        self.by_action: Counter = Counter()
        self.sent = 0
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def call(self, action: str, method: str, path: str, *, tenant: Optional[str] = None, body: Any = None,
             headers: Optional[Dict[str, str]] = None) -> requests.Response:
        sent = dict(headers or {})
        if tenant:
            sent["Authorization"] = f"Bearer {self.keys[tenant]}"
        reply = self.session().request(method, self.stack.api_url + path, json=body, headers=sent, timeout=120)
        contract.check(method, path, reply.status_code, reply.headers, reply.content)
        with self.lock:
            self.sent += 1
            self.statuses[reply.status_code] += 1
            self.by_action[f"{action} {reply.status_code}"] += 1
        return reply

    def pick(self, tenant: str, rng: random.Random) -> Optional[Dict[str, str]]:
        with self.lock:
            return rng.choice(self.live[tenant]) if self.live[tenant] else None

    def step(self, rng: random.Random) -> None:
        roll = rng.random()
        if roll < 0.12:  # team: create a link (up to 3 per resource)
            rid = f"team-{rng.randrange(TEAM_RESOURCES)}"
            reply = self.call("create", "POST", f"/v1/resources/{rid}/links", tenant="team", body={"label": "soak"})
            if reply.status_code == 201:
                with self.lock:
                    self.live["team"].append({"id": reply.json()["id"], "token": reply.json()["token"]})
        elif roll < 0.20:  # team: revoke a link
            link = self.pick("team", rng)
            if link is None:
                return
            with self.lock:
                if link not in self.live["team"]:
                    return
                self.live["team"].remove(link)
            self.call("revoke", "DELETE", f"/v1/links/{link['id']}", tenant="team")
            with self.lock:
                self.dead_tokens.append(link["token"])
        elif roll < 0.25:  # free: create, mostly refused by the plan's limits
            rid = f"free-{rng.randrange(FREE_RESOURCES)}"
            reply = self.call("create-free", "POST", f"/v1/resources/{rid}/links", tenant="free", body={})
            if reply.status_code == 201:
                with self.lock:
                    self.live["free"].append({"id": reply.json()["id"], "token": reply.json()["token"]})
        elif roll < 0.32:  # team: push an update
            rid = f"team-{rng.randrange(TEAM_RESOURCES)}"
            self.call("patch", "PATCH", f"/v1/resources/{rid}", tenant="team",
                      body={"document": {"status": rng.choice(["up", "degraded"]), "n": rng.randrange(10**6)}},
                      headers={"Content-Type": "application/merge-patch+json"})
        elif roll < 0.40:  # admin reads
            path = rng.choice(["/v1/tenant", "/v1/links?limit=20", f"/v1/resources/team-{rng.randrange(TEAM_RESOURCES)}",
                               "/v1/resources", "/v1/audit?limit=10"])
            self.call("read", "GET", path, tenant="team")
        elif roll < 0.93:  # viewers of live links: the page, the JSON, a poll, the info
            link = self.pick(rng.choice(["team", "team", "free"]), rng)
            if link is None:
                return
            kind = rng.random()
            if kind < 0.45:
                self.call("data", "GET", f"/share/{link['token']}/data")
            elif kind < 0.75:
                first = self.call("poll", "GET", f"/share/{link['token']}/data")
                etag = first.headers.get("ETag")
                if etag:
                    self.call("poll", "GET", f"/share/{link['token']}/data", headers={"If-None-Match": etag})
            elif kind < 0.9:
                self.call("page", "GET", f"/share/{link['token']}")
            else:
                self.call("info", "GET", f"/share/{link['token']}/info")
        else:  # dead links: revoked ones and unknown tokens
            with self.lock:
                token = rng.choice(self.dead_tokens) if self.dead_tokens and rng.random() < 0.5 else random_token()
            self.call("dead", "GET", f"/share/{token}/data")


@pytest.mark.timeout(600)
def test_the_local_stack_holds_under_a_soak(stack, pump, record_property):
    svc = stack.svc
    unlimited = {"api_requests_per_min": None, "viewer_requests_per_min_per_ip": None,
                 "failed_resolves_per_min_per_ip": None}
    team, team_key = tenants.create_tenant(svc, name="Soak team", plan="team",
                                           overrides={**unlimited, "links_per_resource": TEAM_LINK_LIMIT})
    free, free_key = tenants.create_tenant(svc, name="Soak free", plan="free", overrides=unlimited)
    soak = Soak(stack, team_key, free_key)
    body = {"type": "monitor", "name": "Checkout", "document": DOCUMENT, "redact": ["api_key"]}
    for n in range(TEAM_RESOURCES):
        assert soak.call("setup", "PUT", f"/v1/resources/team-{n}", tenant="team", body=body).status_code == 201
    for n in range(FREE_RESOURCES):
        assert soak.call("setup", "PUT", f"/v1/resources/free-{n}", tenant="free", body=body).status_code == 201
    peak = [stack.moto.rss_bytes()]
    started = time.monotonic()

    def worker(index: int) -> None:
        rng = random.Random(index)
        while True:
            with soak.lock:
                if soak.sent >= REQUESTS:
                    return
            soak.step(rng)
            if index == 0 and soak.sent % 250 < 2:
                peak.append(stack.moto.rss_bytes())

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(worker, range(WORKERS)))
    elapsed = time.monotonic() - started
    peak.append(stack.moto.rss_bytes())
    print(f"\nsoak: {soak.sent} requests by {WORKERS} clients in {elapsed:.0f} s ({soak.sent / elapsed:.0f}/s); "
          f"statuses {dict(sorted(soak.statuses.items()))}; moto memory peak {max(peak) / 2**20:.0f} MB")
    print("soak by action:", dict(sorted(soak.by_action.items())))
    record_property("summary", f"{soak.sent} requests by {WORKERS} clients in {elapsed:.0f} s, "
                               f"5xx: {sum(n for s, n in soak.statuses.items() if s >= 500)}, "
                               f"moto memory peak {max(peak) / 2**20:.0f} MB")

    assert soak.sent >= REQUESTS
    assert not [s for s in soak.statuses if s >= 500], soak.by_action
    # plan limits held exactly: the free tenant filled its 2 shared resources with 1 link each, and no more
    free_links = [link for link in tenants_links(soak, "free")]
    assert len(free_links) == 2 and len({link["resource_id"] for link in free_links}) == 2, free_links
    per_resource = Counter(link["resource_id"] for link in tenants_links(soak, "team"))
    assert per_resource and max(per_resource.values()) <= TEAM_LINK_LIMIT, per_resource
    assert soak.by_action["create-free 409"] > 0
    # counters equal a recount, for both tenants
    for tenant in (team, free):
        report = limits.recount(svc, tenant.tenant_id)
        assert not report.drifted, report.to_json()
    assert max(peak) < MEMORY_LIMIT, f"moto grew to {max(peak) / 2**20:.0f} MB"
    assert pump.poll() is None, "the stream pump died during the soak"


def tenants_links(soak: Soak, tenant: str) -> List[Dict[str, Any]]:
    reply = soak.call("check", "GET", "/v1/links?status=active&limit=100", tenant=tenant)
    assert reply.status_code == 200
    return reply.json()["items"]
