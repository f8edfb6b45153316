"""Contract fuzzing: Schemathesis against the running local stack (moto server one request at a
time, `chalice local`), driven by the OpenAPI document the stack serves at /v1/openapi.json.

Every operation gets its examples, generated valid and invalid inputs (coverage and fuzzing
phases), and stateful sequences built from the document's links (resource -> link -> view ->
revoke; key create -> use -> delete; webhook create -> deliveries -> delete). Every response must
be free of 5xx and conform to the document: only documented statuses, documented content types
and headers, bodies that match their schemas; after a DELETE the object is gone, after a create it
is there, and a request without its key is refused. The run prints how many requests it sent and
every failure Schemathesis found, and fails on any.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chalicelib import tenants
from tests.stack import ROOT, start_stack

pytestmark = pytest.mark.http

MIN_REQUESTS = 5000
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance", "response_headers_conformance",
          "response_schema_conformance", "use_after_free", "ensure_resource_availability", "ignored_auth")
# Examples per operation in the fuzzing phase; with the coverage and stateful phases this sends
# a little over MIN_REQUESTS requests.
MAX_EXAMPLES = 100
SEED = 20261130


@pytest.mark.timeout(900)
def test_the_running_stack_conforms_to_its_openapi_document(tmp_path: Path) -> None:
    for stack in start_stack(serial=True):
        _, admin = tenants.create_tenant(stack.svc, name="Fuzz Co", plan="team",
                                         overrides={"api_requests_per_min": None})
        counts = tmp_path / "counts.json"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
               "KEYHOLE_FUZZ_KEY": admin, "KEYHOLE_FUZZ_COUNTS": str(counts), "NO_COLOR": "1"}
        command = [sys.executable, "-m", "schemathesis.cli", "run", f"{stack.api_url}/v1/openapi.json",
                   "--checks", ",".join(CHECKS), "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
                   "--workers", "1",  # Schemathesis' coverage phase is not thread-safe on CPython 3.11
                   "--no-shrink", "--generation-with-security-parameters", "false",
                   "--generation-database", "none", "--request-timeout", "60", "--no-color"]
        started = time.monotonic()
        # From a scratch directory: Schemathesis keeps a cache of past crashes where it runs.
        run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=840)
        elapsed = time.monotonic() - started
        sent = json.loads(counts.read_text()) if counts.exists() else {"requests": 0, "statuses": {}}
        summary = run.stdout[run.stdout.rfind("=== SUMMARY") - 40:] if "SUMMARY" in run.stdout else run.stdout[-3000:]
        print(f"\nSchemathesis: {sent['requests']} requests in {elapsed:.0f} s "
              f"({sent['requests'] / max(elapsed, 1):.0f}/s), statuses {dict(sorted(sent['statuses'].items()))}, "
              f"emulator memory {stack.moto.rss_bytes() / 2**20:.0f} MB")
        print(summary)
        failures = run.stdout[run.stdout.find("=== FAILURES"):run.stdout.find("=== WARNINGS")] \
            if "FAILURES" in run.stdout else ""
        assert run.returncode == 0, f"Schemathesis found failures:\n{failures or run.stdout[-6000:]}\n{run.stderr[-3000:]}"
        assert not [status for status in sent["statuses"] if status.startswith("5")], sent["statuses"]
        assert sent["requests"] >= MIN_REQUESTS, f"only {sent['requests']} requests were sent"
