"""What a console request costs beside the same admin request, and what the share dialog's first
load transfers (for `make bench`; docs/console.md).

Runs the app in process against moto with `infra/template.json` deployed, as `bench.bench` does,
and records every AWS call with its capacity units (`bench.capacity`). Each admin route the share
dialog calls is sent twice per round, once with an API key and once with a console session's token
(started by that key); the budget is that the session's request makes no more DynamoDB requests,
reads no more items and costs no more read or write units than the key's. The dialog's page is
measured as sent and gzipped (budget: 100 KB compressed; a session's exchange answers apart).

    python -m bench.console_bench          # prints the table
"""

from __future__ import annotations

import gzip
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.capacity import Measure, Recorder  # noqa: E402

DIALOG_BUDGET_BYTES = 100 * 1024
ROUNDS = 5


def _median(samples: list[Measure]) -> dict[str, float]:
    return {
        "dynamodb": statistics.median(m.requests("dynamodb") for m in samples),
        "items_read": statistics.median(sum(c.items_read for c in m.calls) for m in samples),
        "rru": statistics.median(m.rru for m in samples),
        "wru": statistics.median(m.wru for m in samples),
        "kms": statistics.median(m.requests("kms") for m in samples),
    }


def run(rounds: int = ROUNDS) -> dict[str, Any]:
    from bench.bench import ENV

    os.environ.update(ENV)
    import warnings

    warnings.filterwarnings("ignore")
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    import app as app_module
    from chalicelib.runtime.config import Settings
    from chalicelib.service import Keyhole
    from chalicelib.tenancy import tenants
    from devstack import infra

    recorder = Recorder()
    results: dict[str, Any] = {}
    with mock_aws(), recorder.installed():
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="bench")
        svc = Keyhole(
            Settings.from_env(
                {
                    **ENV,
                    "KEYHOLE_TABLE": outputs["TableName"],
                    "KEYHOLE_COUNTERS_TABLE": outputs["CountersTableName"],
                    "KEYHOLE_KMS_KEY_ID": outputs["KmsKeyAlias"],
                }
            )
        )
        app_module.use_service(svc)
        tenant, admin = tenants.create_tenant(
            svc, name="Bench console", plan="team", overrides={"links_per_resource": 1000}
        )
        client = Client(app_module.app, stage_name="local")

        def call(method: str, path: str, credential: str, body: Any = None) -> Any:
            headers = {"authorization": f"Bearer {credential}", "content-type": "application/json"}
            raw = client.http.request(
                method, path, headers=headers, body=json.dumps(body).encode() if body is not None else b""
            )
            if raw.status_code >= 400:
                raise RuntimeError(f"{method} {path} -> {raw.status_code} {raw.body[:200]!r}")
            return json.loads(raw.body) if raw.body else None

        call("PUT", "/v1/resources/bench", admin, {"type": "doc", "name": "Bench", "document": {"a": 1}})
        minted = call("POST", "/v1/console/sessions", admin, {"resource_id": "bench"})
        started = call("POST", "/v1/console/session", "", {"ticket": minted["url"].split("#ticket=", 1)[1]})
        token = started["token"]
        link_id = call("POST", "/v1/resources/bench/links", admin, {})["id"]

        paused = [False]

        def toggle() -> None:  # each call changes the link (a PATCH that changes nothing writes nothing)
            paused[0] = not paused[0]
            call("PATCH", f"/v1/links/{link_id}", credential_of[0], {"paused": paused[0]})

        credential_of = [admin]

        def requests_of(credential: str) -> dict[str, Any]:
            made: list[str] = []
            return {
                "list the resource's links": lambda: call(
                    "GET", "/v1/resources/bench/links?status=all&limit=25", credential
                ),
                "create a link": lambda: made.append(call("POST", "/v1/resources/bench/links", credential, {})["id"]),
                "pause or resume a link": toggle,
                "copy a link again": lambda: call("POST", f"/v1/links/{link_id}/reveal", credential),
                "access log": lambda: call("GET", f"/v1/links/{link_id}/access-logs?limit=20", credential),
                "revoke a link": lambda: call("DELETE", f"/v1/links/{made.pop()}", credential),
                "the tenant": lambda: call("GET", "/v1/tenant", credential),
            }

        for credential in (admin, token):  # warm both paths (imports, the first client)
            credential_of[0] = credential
            for action in requests_of(credential).values():
                action()
        rows: dict[str, Any] = {}
        by = {"key": requests_of(admin), "session": requests_of(token)}
        for name in by["key"]:
            samples: dict[str, list[Measure]] = {"key": [], "session": []}
            for _ in range(rounds):
                for who in ("key", "session"):
                    credential_of[0] = admin if who == "key" else token
                    with recorder.measure() as measured:
                        by[who][name]()
                    samples[who].append(measured)
            rows[name] = {who: _median(samples[who]) for who in samples}
        results["requests"] = rows
        page = client.http.request("GET", f"/console/{tenant.tenant_id}/share")
        results["dialog_page"] = {"bytes": len(page.body), "gzip_bytes": len(gzip.compress(page.body, 6))}
        exchange = json.dumps(started).encode()
        results["session_exchange"] = {"bytes": len(exchange), "gzip_bytes": len(gzip.compress(exchange, 6))}
        app_module.use_service(None)
    return results


def report(results: dict[str, Any]) -> list[str]:
    """Prints the table; returns the budgets missed."""
    failures: list[str] = []
    print("\nconsole requests beside the same admin request (medians): DynamoDB requests, items read, RRU, WRU")
    print(f"  {'request':<28}{'key':>24}{'session':>26}")
    for name, row in results["requests"].items():
        key, session = row["key"], row["session"]
        cells = [
            f"{row[who]['dynamodb']:g} req {row[who]['items_read']:g} items {row[who]['rru']:g}/{row[who]['wru']:g}"
            for who in ("key", "session")
        ]
        over = any(session[m] > key[m] for m in ("dynamodb", "items_read", "rru", "wru", "kms"))
        if over:
            failures.append(f"console.{name}")
        print(f"  {name:<28}{cells[0]:>24}{cells[1]:>26}{'  OVER' if over else ''}")
    page = results["dialog_page"]
    mark = ""
    if page["gzip_bytes"] > DIALOG_BUDGET_BYTES:
        failures.append("console.dialog_first_load")
        mark = "  OVER"
    exchange = results["session_exchange"]
    print(
        f"  share dialog first load: the page {page['bytes']:,} bytes ({page['gzip_bytes']:,} gzipped) + the ticket's "
        f"exchange {exchange['bytes']:,} ({exchange['gzip_bytes']:,} gzipped); budget {DIALOG_BUDGET_BYTES // 1024} KB "
        f"compressed{mark}"
    )
    return failures


if __name__ == "__main__":
    report(run())
