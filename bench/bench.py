"""`make bench`: Keyhole's figures against the budgets in SPEC.md.

- AWS requests per operation (create, view, list page, reveal, revoke, ...), counted by hooking
  botocore's `BaseClient._make_api_call`, with the app running in process against moto (the real
  routes, auth, storage and envelope encryption). Steady state: the median over repeated runs
  after one warm-up, so a data key generated once and reused shows as 0 KMS calls.
- Cold import of `app` against `import boto3` plus one client creation, in fresh processes (a
  ratio of medians).
- The `chalice package` deployment zip size.

Prints a table and writes `bench/results.json`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "KEYHOLE_STAGE": "test",
    "KEYHOLE_TABLE": "keyhole-bench",
    "KEYHOLE_COUNTERS_TABLE": "keyhole-bench-counters",
    "KEYHOLE_KMS_KEY_ID": "alias/keyhole-bench",
    "KEYHOLE_TRUST_FORWARDED_FOR": "1",
    "KEYHOLE_STREAM_ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/keyhole-bench/stream/x",
}

BUDGETS = {
    "view": {"dynamodb": 2, "kms": 0},
    "view_rate_limited_link": {"dynamodb": 2, "kms": 0},
    "view_304": {"dynamodb": 2, "kms": 0},
    "create": {"dynamodb": 3},
    # the viewer's HTML page and its flows (docs/viewer.md)
    "page": {"dynamodb": 2, "kms": 0},
    "page_view_limited_button": {"dynamodb": 2, "kms": 0},
    "page_use_view": {"dynamodb": 2, "kms": 0},
    "unlock": {"dynamodb": 2, "kms": 0},
    "unlock_wrong_password": {"dynamodb": 2, "kms": 0},
}
IMPORT_RATIO_BUDGET = 1.3


class CallCounter:
    """Counts AWS API calls per service by wrapping botocore's single dispatch point."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.items: Counter = Counter()

    @contextmanager
    def installed(self) -> Iterator[CallCounter]:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        counter = self

        def counting(client: Any, operation: str, params: dict[str, Any]) -> Any:
            counter.counts[client.meta.service_model.service_name] += 1
            result = original(client, operation, params)
            if operation in ("Query", "BatchGetItem"):
                if operation == "Query":
                    counter.items["read"] += len(result.get("Items", []))
                else:
                    counter.items["read"] += sum(len(v) for v in result.get("Responses", {}).values())
            return result

        BaseClient._make_api_call = counting  # type: ignore[assignment]
        try:
            yield self
        finally:
            BaseClient._make_api_call = original  # type: ignore[assignment]

    def measure(self, action: Callable[[], Any]) -> dict[str, int]:
        self.counts.clear()
        self.items.clear()
        action()
        return {
            "dynamodb": self.counts.get("dynamodb", 0),
            "kms": self.counts.get("kms", 0),
            "items_read": self.items.get("read", 0),
        }


def _median(samples: list[dict[str, int]]) -> dict[str, int]:
    return {key: int(statistics.median(s[key] for s in samples)) for key in samples[0]}


def measure_operations(repeat: int = 5) -> dict[str, dict[str, Any]]:
    os.environ.update(ENV)
    import warnings

    warnings.filterwarnings("ignore")
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    import app as app_module
    from chalicelib import tenants
    from chalicelib.config import Settings
    from chalicelib.service import Keyhole
    from devstack import infra

    results: dict[str, dict[str, Any]] = {}
    with mock_aws():
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="bench")
        svc = Keyhole(
            Settings.from_env(
                {
                    **ENV,
                    "KEYHOLE_TABLE": outputs["TableName"],
                    "KEYHOLE_COUNTERS_TABLE": outputs["CountersTableName"],
                    "KEYHOLE_KMS_KEY_ID": outputs["KmsKeyAlias"],
                    "KEYHOLE_SCRYPT_N": "4096",
                }
            )
        )
        app_module.use_service(svc)
        _, admin = tenants.create_tenant(svc, name="Bench", plan="enterprise", overrides={"links_per_resource": 1000})
        client = Client(app_module.app, stage_name="local")
        auth = {"authorization": f"Bearer {admin}", "content-type": "application/json"}

        def call(method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
            sent = {**auth, **(headers or {})}
            raw = client.http.request(method, path, headers=sent, body=json.dumps(body).encode() if body else b"")
            if raw.status_code >= 500:
                raise RuntimeError(f"{method} {path} -> {raw.status_code} {raw.body[:200]!r}")
            return raw

        call(
            "PUT",
            "/v1/resources/bench",
            {"type": "doc", "name": "Bench", "document": {"a": 1, "secret": "x"}, "redact": ["secret"]},
        )
        counter = CallCounter()
        created: list[dict[str, Any]] = []

        def create() -> None:
            created.append(json.loads(call("POST", "/v1/resources/bench/links", {"label": "b"}).body))

        with counter.installed():
            results["create_first_in_process"] = counter.measure(create)  # includes the one GenerateDataKey
            results["create"] = _median([counter.measure(create) for _ in range(repeat)])
            token = created[-1]["token"]
            view_path = f"/share/{token}/data"
            call("GET", view_path)
            results["view"] = _median([counter.measure(lambda: call("GET", view_path)) for _ in range(repeat)])
            etag = {k.lower(): v for k, v in call("GET", view_path).headers.items()}["etag"]
            results["view_304"] = _median(
                [
                    counter.measure(lambda: call("GET", view_path, headers={"if-none-match": etag}))
                    for _ in range(repeat)
                ]
            )
            limited = json.loads(call("POST", "/v1/resources/bench/links", {"rate_limit_per_min": 1000}).body)["token"]
            results["view_rate_limited_link"] = _median(
                [counter.measure(lambda: call("GET", f"/share/{limited}/data")) for _ in range(repeat)]
            )
            results["info"] = _median(
                [counter.measure(lambda: call("GET", f"/share/{token}/info")) for _ in range(repeat)]
            )
            unknown = "A" * 64
            results["view_unknown_token"] = _median(
                [counter.measure(lambda: call("GET", f"/share/{unknown}/data")) for _ in range(repeat)]
            )
            page_results = measure_page_flows(counter, call, token, repeat)
            results.update(page_results)
            for _ in range(60):
                create()
            for size in (10, 50, 100):
                results[f"list_page_{size}"] = _median(
                    [counter.measure(lambda: call("GET", f"/v1/links?limit={size}&status=all")) for _ in range(repeat)]
                )
            results["list_page"] = results["list_page_50"]
            link_id = created[0]["id"]
            results["reveal"] = _median(
                [counter.measure(lambda: call("POST", f"/v1/links/{link_id}/reveal")) for _ in range(repeat)]
            )
            victims = [c["id"] for c in created[1 : 1 + repeat]]
            results["revoke"] = _median(
                [counter.measure(lambda v=v: call("DELETE", f"/v1/links/{v}")) for v in victims]
            )
        app_module.use_service(None)
    return results


def measure_page_flows(counter: CallCounter, call: Callable[..., Any], token: str, repeat: int) -> dict[str, Any]:
    """The viewer's HTML page, the view-limit button and the password unlock."""

    def link(body: dict[str, Any]) -> str:
        return json.loads(call("POST", "/v1/resources/bench/links", body).body)["token"]

    capped, locked, guessed = (
        link({"max_views": 1000}),
        link({"password": "bench password"}),
        link({"password": "bench password"}),
    )
    form = {"content-type": "application/x-www-form-urlencoded"}
    times = range(min(repeat, 5))  # at most 5 password attempts a minute per link
    return {
        "page": _median([counter.measure(lambda: call("GET", f"/share/{token}")) for _ in times]),
        "page_view_limited_button": _median([counter.measure(lambda: call("GET", f"/share/{capped}")) for _ in times]),
        "page_use_view": _median(
            [counter.measure(lambda: call("POST", f"/share/{capped}", headers=form)) for _ in times]
        ),
        "unlock": _median(
            [
                counter.measure(lambda: call("POST", f"/share/{locked}/unlock", {"password": "bench password"}))
                for _ in times
            ]
        ),
        "unlock_wrong_password": _median(
            [
                counter.measure(lambda: call("POST", f"/share/{guessed}/unlock", {"password": "wrong guess"}))
                for _ in times
            ]
        ),
    }


def measure_cold_import(runs: int = 9) -> dict[str, float]:
    env = {**os.environ, **ENV}
    app_code = "import time;t=time.perf_counter();import app;print(time.perf_counter()-t)"
    boto_code = (
        "import time;t=time.perf_counter();import boto3;"
        "boto3.client('dynamodb', region_name='us-east-1');print(time.perf_counter()-t)"
    )

    def sample(code: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        return float(out.stdout.strip().splitlines()[-1])

    sample(app_code), sample(boto_code)  # warm the OS file cache for both
    app_times, boto_times = [], []
    for _ in range(runs):
        app_times.append(sample(app_code))
        boto_times.append(sample(boto_code))
    app_s, boto_s = statistics.median(app_times), statistics.median(boto_times)
    return {"app_seconds": round(app_s, 4), "boto3_client_seconds": round(boto_s, 4), "ratio": round(app_s / boto_s, 3)}


def measure_package() -> int | None:
    chalice = Path(sys.executable).parent / "chalice"
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [str(chalice), "package", "--stage", "prod", out],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, **ENV},
        )
        if result.returncode != 0:
            print("chalice package failed:\n" + result.stderr[-2000:], file=sys.stderr)
            return None
        return (Path(out) / "deployment.zip").stat().st_size


def extra_measurements() -> dict[str, Any]:
    """Measurements other capabilities contribute (e.g. the stream consumer)."""
    found: dict[str, Any] = {}
    try:
        from bench import consumer_bench  # type: ignore[attr-defined]
    except ImportError:
        return found
    found.update(consumer_bench.run())
    from bench import render_bench  # the viewer page's server-side render time (docs/viewer.md)

    found.update(render_bench.run())
    return found


def main() -> int:
    started = time.time()
    operations = measure_operations()
    extra = extra_measurements()
    for name, counts in extra.items():
        if isinstance(counts, dict) and "dynamodb" in counts:
            operations[name] = counts
    cold = measure_cold_import()
    package_bytes = measure_package()
    results = {
        "operations": operations,
        "cold_import_ratio": cold["ratio"],
        "cold_import": cold,
        "package_bytes": package_bytes,
        "budgets": {"operations": BUDGETS, "cold_import_ratio": IMPORT_RATIO_BUDGET},
    }
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")

    failures = []
    print(f"\n{'operation':<52}{'dynamodb':>10}{'kms':>6}{'items':>7}   budget")
    for name, counts in operations.items():
        budget = BUDGETS.get(name, {})
        text = ", ".join(f"{k} <= {v}" for k, v in budget.items()) or "-"
        over = [k for k, v in budget.items() if counts.get(k, 0) > v]
        failures += [f"{name}.{k}" for k in over]
        mark = "  OVER" if over else ""
        print(
            f"{name:<52}{counts.get('dynamodb', 0):>10}{counts.get('kms', 0):>6}{counts.get('items_read', 0):>7}"
            f"   {text}{mark}"
        )
    print(
        f"\ncold import: app {cold['app_seconds'] * 1000:.0f} ms vs boto3+client {cold['boto3_client_seconds'] * 1000:.0f} ms"
        f" -> ratio {cold['ratio']} (budget <= {IMPORT_RATIO_BUDGET})"
    )
    if cold["ratio"] > IMPORT_RATIO_BUDGET:
        failures.append("cold_import_ratio")
    if package_bytes is not None:
        print(
            f"deployment package (chalice package --stage prod): {package_bytes / 1e6:.2f} MB ({package_bytes} bytes)"
        )
    print(f"\nwrote bench/results.json in {time.time() - started:.0f} s")
    if failures:
        print("OVER BUDGET: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
