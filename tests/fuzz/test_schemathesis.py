"""Contract fuzzing: Schemathesis against the running local stack (moto server one request at a
time, `chalice local`), driven by the OpenAPI document the stack serves at /v1/openapi.json (its
proxied surface, kept out of `paths` for client generators, put back in).

Every operation gets its examples, generated valid and invalid inputs (coverage and fuzzing
phases), and stateful sequences built from the document's links (resource -> link -> view ->
revoke; key create -> use -> delete; read -> conditional update with the ETag; webhook create ->
deliveries -> delete). Every response must be free of 5xx and conform to the document: only
documented statuses, documented content types and headers, bodies that match their schemas; after
a DELETE the object is gone (a revoked link's URL is dead, its record says so), after a create it
is there, a deleted key is refused, and a request without its key is refused. Settings are in
`tests/fuzz/schemathesis.toml`, hooks and Keyhole's own checks in `tests/fuzz/hooks.py`. The run
prints how many requests it sent and every failure Schemathesis found, and fails on any.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from chalicelib.platform import keys
from chalicelib.tenancy import tenants
from tests.stack import ROOT, HttpStack, start_stack

pytestmark = pytest.mark.http

MIN_REQUESTS = 5000
SEED = 20261130
MIN_STATEFUL_SECONDS = 30
MAX_STATEFUL_ROUNDS = 4
CONFIG = Path(__file__).with_name("schemathesis.toml")
# What the stateful phase starts from besides what it creates (it cannot create a resource itself:
# PUT is not where Schemathesis starts a sequence): resources with redaction rules, a scope and a
# link, enough of them that the fuzzing phase deleting a few leaves the lists something to lead to
# (list -> resource -> link -> view -> revoke).
SEED_RESOURCES = 12
SEED_DOCUMENT = {
    "status": "up",
    "api_key": "sk_live_1",
    "password": "hunter22",
    "checks": [{"at": "2026-11-20T09:00:00Z", "ms": 41}, {"at": "2026-11-20T09:01:00Z", "ms": 38}],
}
# The plan's 10 links per resource would turn most of the run's link creates into 409s; the limit
# itself is the functional tests' work (tests/functional/test_plan_limits.py).
FUZZ_OVERRIDES = {"api_requests_per_min": None, "links_per_resource": 1000}
SEED_TENANTS = 3  # tenants of the fuzz run's platform key, for the platform routes' lists and reads


def seed(stack: HttpStack, key: str) -> None:
    auth = {"Authorization": f"Bearer {key}"}
    # Imported tokens are accepted (docs/platform.md), so `import_token` and POST /v1/links/import
    # reach their collision rules rather than stopping at the setting.
    reply = requests.patch(f"{stack.api_url}/v1/tenant", json={"allow_imported_tokens": True}, headers=auth, timeout=60)
    assert reply.status_code == 200, reply.text
    for n in range(SEED_RESOURCES):
        body = {
            "type": "monitor",
            "name": f"Service {n}",
            "document": SEED_DOCUMENT,
            "redact": ["api_key"],
            "scopes": {"summary": ["status"]},
        }
        reply = requests.put(f"{stack.api_url}/v1/resources/seed-{n}", json=body, headers=auth, timeout=60)
        assert reply.status_code == 201, reply.text
        reply = requests.post(
            f"{stack.api_url}/v1/resources/seed-{n}/links", json={"label": f"seed {n}"}, headers=auth, timeout=60
        )
        assert reply.status_code == 201, reply.text


@dataclass
class Round:
    """One Schemathesis run against the stack: what it printed and what the hooks counted."""

    phases: str
    returncode: int
    output: str
    seconds: float
    counts: dict[str, Any]

    @property
    def requests(self) -> int:
        return int(self.counts.get("requests", 0))

    @property
    def failures(self) -> str:
        if "=== FAILURES" not in self.output:
            return "" if self.returncode == 0 else self.output[-6000:]
        return self.output[self.output.find("=== FAILURES") : self.output.find("=== SUMMARY")]

    @property
    def summary(self) -> str:
        return self.output[self.output.rfind("=== SUMMARY") - 40 :] if "SUMMARY" in self.output else self.output[-3000:]


def seed_platform(stack: HttpStack) -> str:
    """A platform key (as ops make one) and a few tenants of its namespace, for the platform routes."""
    _, key = keys.create_key(stack.svc, name="fuzz backend", namespace="fuzz")
    for n in range(SEED_TENANTS):
        reply = requests.put(
            f"{stack.api_url}/v1/tenants/org-{n}",
            json={"name": f"Org {n}", "plan": "team"},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        assert reply.status_code == 201, reply.text
    return key


def run_schemathesis(stack: HttpStack, key: str, workdir: Path, name: str, *options: str, platform_key: str) -> Round:
    counts = workdir / f"{name}.counts.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
        "KEYHOLE_FUZZ_KEY": key,
        "KEYHOLE_FUZZ_PLATFORM_KEY": platform_key,
        "KEYHOLE_FUZZ_API": stack.api_url,
        "KEYHOLE_FUZZ_COUNTS": str(counts),
        "NO_COLOR": "1",
    }
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(CONFIG),
        "run",
        str(fuzzed_document(stack, workdir)),
        "--url",
        stack.api_url,
        "--no-color",
        *options,
    ]
    started = time.monotonic()
    # From a scratch directory: Schemathesis keeps a cache of past crashes where it runs.
    run = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=840)
    output = run.stdout + run.stderr
    (workdir / f"{name}.out").write_text(output)
    sent = json.loads(counts.read_text()) if counts.exists() else {}
    return Round(" ".join(options), run.returncode, output, time.monotonic() - started, sent)


def fuzzed_document(stack: HttpStack, workdir: Path) -> Path:
    """The document the stack serves, with the proxied surface of origin links (described under
    `x-keyhole-proxied`, out of the `paths` client generators read) put back among the paths: the
    fuzzer sends it requests like any other route."""
    document = requests.get(f"{stack.api_url}/v1/openapi.json", timeout=60).json()
    document["paths"].update(document.pop("x-keyhole-proxied")["paths"])
    target = workdir / "openapi.json"
    target.write_text(json.dumps(document))
    return target


def sent_so_far(rounds: list[Round]) -> int:
    return sum(r.requests for r in rounds)


@pytest.mark.timeout(900)
def test_the_running_stack_conforms_to_its_openapi_document(tmp_path: Path, record_property: Any) -> None:
    for stack in start_stack(serial=True):
        _, admin = tenants.create_tenant(stack.svc, name="Fuzz Co", plan="team", overrides=FUZZ_OVERRIDES)
        seed(stack, admin)
        platform_key = seed_platform(stack)
        # Every operation's examples, the coverage phase's boundary and invalid values, and the
        # fuzzing phase: a fixed amount of work (seeded, so the same requests every run).
        rounds = [
            run_schemathesis(
                stack, admin, tmp_path, "single", "--phases", "examples,coverage,fuzzing", platform_key=platform_key
            )
        ]
        # Then sequences through the document's links until the run has sent MIN_REQUESTS. Stateful
        # rounds are given time, not scenarios (how many scenarios Hypothesis plays for a given
        # count varies tenfold): as long as the rest needs at the rate the first run measured.
        while len(rounds) == 1 or (sent_so_far(rounds) < MIN_REQUESTS and len(rounds) < 1 + MAX_STATEFUL_ROUNDS):
            rate = rounds[0].requests / max(rounds[0].seconds, 1)
            seconds = max(MIN_STATEFUL_SECONDS, math.ceil((MIN_REQUESTS - sent_so_far(rounds)) / rate * 1.25))
            rounds.append(
                run_schemathesis(
                    stack,
                    admin,
                    tmp_path,
                    f"stateful-{len(rounds)}",
                    "--phases",
                    "stateful",
                    "--max-time",
                    str(seconds),
                    "--seed",
                    str(SEED + len(rounds)),
                    platform_key=platform_key,
                )
            )
        sent = sent_so_far(rounds)
        elapsed = sum(r.seconds for r in rounds)
        statuses: Counter[str] = Counter()
        for r in rounds:
            statuses.update(r.counts.get("statuses", {}))
        print(
            f"\nSchemathesis: {sent} requests in {elapsed:.0f} s ({sent / max(elapsed, 1):.0f}/s) "
            f"over {len(rounds)} runs "
            f"({', '.join(f'{r.phases}: {r.requests} in {r.seconds:.0f} s' for r in rounds)}); "
            f"statuses {dict(sorted(statuses.items()))}; emulator memory {stack.moto.rss_bytes() / 2**20:.0f} MB"
        )
        for r in rounds:
            print(r.summary)
        failures = [r.failures for r in rounds if r.failures]
        record_property(
            "summary",
            f"Schemathesis sent {sent} requests in {elapsed:.0f} s ({len(rounds)} runs), "
            f"{len(failures)} with failures, 5xx: {sum(n for s, n in statuses.items() if s.startswith('5'))}",
        )
        assert not failures, "Schemathesis found failures:\n" + "\n".join(failures)
        assert not [status for status in statuses if status.startswith("5")], statuses
        assert sent >= MIN_REQUESTS, f"only {sent} requests were sent"
