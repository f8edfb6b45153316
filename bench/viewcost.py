"""What a viewer request costs on AWS, in dollars per million, beside the serverless floor.

The app runs in process against moto with `infra/template.json` deployed (the real routes, storage
and envelope encryption); every AWS call is recorded with its DynamoDB capacity (`bench.capacity`).
For 2 KB, 20 KB and 200 KB documents it measures page views, `/data`, 304 polls and `/info`
(medians over repeats after a warm-up), then the stream consumer's share of each view: the real
stream records those views wrote are handed to `app.stream_consumer` in Lambda-sized batches,
then the records the consumer's own writes caused, until the stream is quiet, and finally the
REMOVE records that TTL writes when the access events expire. Dead tokens of every kind are
measured side by side.

Lambda is billed for Keyhole's own time (CPU time minus the time inside the emulator's AWS calls,
scaled to the CPU share the configured memory buys) plus the DynamoDB latency model of
`bench.pricing`, at the memory `.chalice/config.json` gives the stage's functions.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import pricing
from .capacity import Measure, Recorder

ROOT = Path(__file__).resolve().parent.parent
STAGE = "prod"
SIZES = {"2KB": 2 * 1024, "20KB": 20 * 1024, "200KB": 200 * 1024}
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
CONSUMER_BATCH = 1000  # the event source mapping's batch size (app.STREAM_BATCH_SIZE, read at run time)


# --- configuration the bill depends on -------------------------------------------------------


def function_memory(function: str, stage: str = STAGE) -> int:
    """Memory (MB) that `.chalice/config.json` gives `function` on `stage` (Chalice's lookup order)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    stage_config = config.get("stages", {}).get(stage, {})
    for source in (
        stage_config.get("lambda_functions", {}).get(function, {}),
        stage_config,
        config.get("lambda_functions", {}).get(function, {}),
        config,
    ):
        if "lambda_memory_size" in source:
            return int(source["lambda_memory_size"])
    return 128  # Chalice's default


def expect(condition: object, *why: object) -> None:
    """A benchmark that measured something else than it meant to must stop (asserts vanish under -O)."""
    if not condition:
        raise RuntimeError(f"bench: unexpected result {why!r}")


def progress(text: str) -> None:
    import sys

    print(f"  bench: {text}", file=sys.stderr, flush=True)


def cpu_scale(memory_mb: int) -> float:
    return max(1.0, pricing.LAMBDA_FULL_VCPU_MB / memory_mb)


# --- documents -------------------------------------------------------------------------------


def document_of_size(target: int, seed: int = 7) -> dict[str, Any]:
    """A monitor-like document (summary, checks, a time series of samples) of about `target`
    bytes as compact JSON: the kind of document tenants share, with realistic entropy."""
    rng = random.Random(seed)
    regions = ["eu-west-1", "us-east-1", "ap-southeast-2", "sa-east-1", "eu-central-1"]
    doc: dict[str, Any] = {
        "summary": "Checkout API: all systems operational.",
        "status": "operational",
        "uptime_30d_percent": 99.982,
        "check": {"url": "https://api.example.com/health", "interval_seconds": 60, "api_key": "sk_live_x"},
        "samples": [],
    }
    start = 1_763_000_000
    while len(json.dumps(doc, separators=(",", ":"))) < target:
        n = len(doc["samples"])
        doc["samples"].append(
            {
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 60 * n)),
                "region": rng.choice(regions),
                "latency_ms": rng.randint(18, 480),
                "status": rng.choice(["up"] * 12 + ["degraded"]),
                "trace": secrets.token_hex(4) if rng.random() < 0.3 else None,
            }
        )
    while len(json.dumps(doc, separators=(",", ":"))) > target and doc["samples"]:
        doc["samples"].pop()
    return doc


def json_bytes(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


# --- one priced operation --------------------------------------------------------------------


@dataclass
class Priced:
    name: str
    dynamodb_requests: float
    kms_requests: float
    rru: float
    wru: float
    retries: float
    own_ms: float  # Keyhole's own time on this machine (median)
    lambda_ms: float  # billed: own time x CPU scale + DynamoDB latency model
    memory_mb: int
    response_bytes: float = 0.0
    gzip_bytes: float = 0.0

    @property
    def dynamodb_per_million(self) -> float:
        return (pricing.rru_price(self.rru) + pricing.wru_price(self.wru)) * 1e6

    @property
    def lambda_per_million(self) -> float:
        return pricing.LAMBDA_REQUEST_PER_MILLION + pricing.lambda_duration_price(self.lambda_ms, self.memory_mb) * 1e6

    @property
    def per_million(self) -> float:
        return pricing.API_GATEWAY_REST_PER_MILLION + self.lambda_per_million + self.dynamodb_per_million

    def as_dict(self) -> dict[str, Any]:
        return {
            "dynamodb_requests": self.dynamodb_requests,
            "kms_requests": self.kms_requests,
            "rru": round(self.rru, 3),
            "wru": round(self.wru, 3),
            "retries": self.retries,
            "own_ms": round(self.own_ms, 2),
            "lambda_billed_ms": round(self.lambda_ms, 1),
            "lambda_memory_mb": self.memory_mb,
            "response_bytes": round(self.response_bytes),
            "gzip_bytes": round(self.gzip_bytes),
            "usd_per_million": round(self.per_million, 3),
        }


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def price(name: str, samples: list[tuple[Measure, float, bytes]], memory_mb: int) -> Priced:
    """Medians of repeated measurements: (calls, own CPU ms, response body)."""
    scale = cpu_scale(memory_mb)
    own = [own_ms for _, own_ms, _ in samples]
    billed = [o * scale + m.model_ms for (m, _, _), o in zip(samples, own, strict=True)]
    return Priced(
        name=name,
        dynamodb_requests=_median([m.requests("dynamodb") for m, _, _ in samples]),
        kms_requests=_median([m.requests("kms") for m, _, _ in samples]),
        rru=_median([m.rru for m, _, _ in samples]),
        wru=_median([m.wru for m, _, _ in samples]),
        retries=_median([m.retries for m, _, _ in samples]),
        own_ms=_median(own),
        lambda_ms=_median(billed),
        memory_mb=memory_mb,
        response_bytes=_median([len(body) for _, _, body in samples]),
        gzip_bytes=_median([len(gzip.compress(body, 6)) if len(body) > 1024 else len(body) for _, _, body in samples]),
    )


# --- the in-process deployment ---------------------------------------------------------------

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


class TimedApp:
    """The Chalice app as Lambda calls it (`app(event, context)`), timed: the test client's own work
    (building the event, patching the environment, converting the response) is not Keyhole's."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cpu_seconds = 0.0

    def __call__(self, event: Any, context: Any) -> Any:
        started = time.thread_time()
        try:
            return self.app(event, context)
        finally:
            self.cpu_seconds = time.thread_time() - started

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)


class Deployment:
    """moto in process, the infra template deployed, the app on Chalice's test client."""

    def __init__(self, recorder: Recorder) -> None:
        os.environ.update(ENV)
        warnings.filterwarnings("ignore")
        import boto3
        from chalice.test import Client
        from moto import mock_aws

        import app as app_module
        from chalicelib.runtime.clock import Clock
        from chalicelib.runtime.config import Settings
        from chalicelib.service import Keyhole
        from chalicelib.tenancy import tenants
        from devstack import infra

        self.recorder = recorder
        self._mock = mock_aws()
        self._mock.start()
        self.outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="bench")
        self.clock = Clock()
        self.svc = Keyhole(
            Settings.from_env(
                {
                    **ENV,
                    "KEYHOLE_TABLE": self.outputs["TableName"],
                    "KEYHOLE_COUNTERS_TABLE": self.outputs["CountersTableName"],
                    "KEYHOLE_KMS_KEY_ID": self.outputs["KmsKeyAlias"],
                    "KEYHOLE_STREAM_ARN": self.outputs["TableStreamArn"],
                    "KEYHOLE_FILES_BUCKET": self.outputs["FilesBucketName"],
                    "KEYHOLE_SCRYPT_N": "4096",
                }
            ),
            clock=self.clock,
        )
        self.app = app_module
        app_module.use_service(self.svc)
        self.client = Client(app_module.app, stage_name="local")
        self.timed = TimedApp(app_module.app)
        gateway: Any = self.client.http._local_gateway  # Chalice's private gateway: it calls the app object
        gateway._app_object = self.timed
        # Enterprise limits: the bench's viewers never meet a window (a refusal would be measured instead).
        _, self.admin = tenants.create_tenant(
            self.svc,
            name="Bench",
            plan="enterprise",
            overrides={"links_per_resource": None, "api_requests_per_min": None},
        )
        self.auth = {"authorization": f"Bearer {self.admin}", "content-type": "application/json"}
        from devstack.pump import StreamReader

        self.stream = StreamReader(
            boto3.client("dynamodbstreams", region_name="us-east-1"), self.outputs["TableStreamArn"]
        )
        self._ip = 0

    def read_stream(self) -> list[dict[str, Any]]:
        """New stream records; then moto forgets them. moto keeps every record of a stream in
        memory and deep-copies the table (stream included) on each transaction, so a long run
        would slow down and grow without bound; sequence numbers keep increasing."""
        records = self.stream.read_all()
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[self.outputs["TableName"]]
        shard = table.stream_shard
        if shard is not None:
            shard.starting_sequence_number += len(shard.items)
            shard.items = []
        dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].shard_iterators.clear()
        return records

    def close(self) -> None:
        self.app.use_service(None)
        self._mock.stop()

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        sent = {**self.auth, **(headers or {})}
        raw = self.client.http.request(method, path, headers=sent, body=json.dumps(body).encode() if body else b"")
        if raw.status_code >= 500:
            raise RuntimeError(f"{method} {path} -> {raw.status_code} {raw.body[:300]!r}")
        return raw

    def viewer(self, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[Measure, float, Any]:
        """One viewer request from a new address, measured: the calls it made, and Keyhole's own
        CPU time in milliseconds (this thread's CPU time inside the app's handler minus the time
        inside AWS calls, which moto spends in process; CPU time rather than wall time, so other
        processes on the machine do not inflate it)."""
        self._ip += 1
        sent = {
            "x-forwarded-for": f"198.18.{self._ip // 250 % 250}.{self._ip % 250 + 1}",
            "user-agent": BROWSER,
            **(headers or {}),
        }
        with self.recorder.measure() as measured:
            raw = self.client.http.request(method, path, headers=sent, body=b"")
            own_ms = max(0.0, self.timed.cpu_seconds - measured.aws_cpu_seconds) * 1000
        if raw.status_code >= 500:
            raise RuntimeError(f"{method} {path} -> {raw.status_code} {raw.body[:300]!r}")
        return measured, own_ms, raw

    def share(self, resource_id: str, document: dict[str, Any], **link: Any) -> dict[str, Any]:
        reply = self.call(
            "PUT",
            f"/v1/resources/{resource_id}",
            {"type": "monitor", "name": f"Monitor {resource_id}", "document": document, "redact": ["api_key"]},
        )
        expect(reply.status_code in (200, 201), reply.body[:300])
        return self.link(resource_id, **link)

    def link(self, resource_id: str, **body: Any) -> dict[str, Any]:
        reply = self.call("POST", f"/v1/resources/{resource_id}/links", body or {"label": "bench"})
        expect(reply.status_code == 201, reply.body[:300])
        return json.loads(reply.body)


# --- viewer operations -----------------------------------------------------------------------


def measure_views(recorder: Recorder, repeat: int, memory_mb: int) -> dict[str, dict[str, Any]]:
    """Each document size in a deployment of its own (moto copies whole tables on every
    transaction, so one long-lived deployment would slow down as it fills)."""
    results: dict[str, dict[str, Any]] = {}
    for label, size in SIZES.items():
        with deployment(recorder) as dep:
            progress(f"viewer requests, {label} document")
            results[label] = _measure_size(dep, label, size, repeat, memory_mb)
    return results


def _measure_size(dep: Deployment, label: str, size: int, repeat: int, memory_mb: int) -> dict[str, Any]:
    document = document_of_size(size)
    doc_bytes = json_bytes(document)
    link = dep.share(f"bench-{label}", document)
    token = link["token"]

    def run(method: str, path: str, headers: dict[str, str] | None = None, *, status: int = 200) -> list:
        dep.viewer(method, path, headers)  # warm-up (caches, first-use work)
        samples = []
        for _ in range(repeat):
            measured, own_ms, raw = dep.viewer(method, path, headers)
            expect(raw.status_code == status, (path, raw.status_code, raw.body[:200]))
            body = raw.body if isinstance(raw.body, bytes) else str(raw.body).encode()
            samples.append((measured, own_ms, body))
        return samples

    etag = {k.lower(): v for k, v in dep.viewer("GET", f"/share/{token}/data")[2].headers.items()}["etag"]
    floor = pricing.Floor(doc_bytes)
    entry: dict[str, Any] = {"document_bytes": doc_bytes, "floor_usd_per_million": round(floor.per_million, 3)}
    for name, samples in (
        ("page", run("GET", f"/share/{token}")),
        ("data", run("GET", f"/share/{token}/data")),
        ("poll_304", run("GET", f"/share/{token}/data", {"if-none-match": etag}, status=304)),
        ("info", run("GET", f"/share/{token}/info")),
    ):
        priced = price(name, samples, memory_mb)
        entry[name] = priced.as_dict()
        # A document read: the request brought at least the document's bytes back from DynamoDB.
        entry[name]["document_read"] = max(m.bytes_read for m, _, _ in samples) >= doc_bytes
        entry[name]["ratio_to_floor"] = round(priced.per_million / floor.per_million, 3)
    if label == "2KB":
        entry.update(measure_origin(dep, repeat, memory_mb))
        entry.update(measure_download(dep, repeat, memory_mb))
        limited = dep.link(f"bench-{label}", rate_limit_per_min=1000)
        priced = price("data_rate_limited_link", run("GET", f"/share/{limited['token']}/data"), memory_mb)
        entry["data_rate_limited_link"] = priced.as_dict()
        entry["data_rate_limited_link"]["ratio_to_floor"] = round(priced.per_million / floor.per_million, 3)
        entry["data_rarely_viewed_link"] = measure_rarely_viewed(dep, document, repeat, memory_mb, floor)
        # An imported token (docs/platform.md) names nothing: its capability names the resource,
        # read in a second request. Priced as the same views of Keyhole's own token above.
        expect(dep.call("PATCH", "/v1/tenant", {"allow_imported_tokens": True}).status_code == 200)
        imported = dep.link(f"bench-{label}", import_token=secrets.token_hex(8))["token"]
        for name, path in (
            ("page_imported_token", f"/share/{imported}"),
            ("data_imported_token", f"/share/{imported}/data"),
        ):
            priced = price(name, run("GET", path), memory_mb)
            entry[name] = priced.as_dict()
            entry[name]["ratio_to_floor"] = round(priced.per_million / floor.per_million, 3)
    return entry


RARE_INTERVAL_SECONDS = 180  # "a link viewed once every few minutes"


def measure_rarely_viewed(
    dep: Deployment, document: dict[str, Any], repeat: int, memory_mb: int, floor: pricing.Floor
) -> dict[str, Any]:
    """A link viewed once every few minutes, of a tenant without webhook endpoints: each view is a
    batch of its own (the batching window closes on one record), the container's tenant and
    endpoint caches have expired by the next view (the clock moves 3 minutes between views), and
    the access event's TTL removal comes later. Priced with the consumer's share of each view: its
    invocation, time and writes, after the mapping's filters (a filtered record costs nothing)."""
    from chalicelib.tenancy import tenants

    progress("a rarely viewed link")
    _, admin = tenants.create_tenant(dep.svc, name="Bench rarely viewed", plan="enterprise")
    auth = {"authorization": f"Bearer {admin}", "content-type": "application/json"}
    body = {"type": "monitor", "name": "Quiet", "document": document, "redact": ["api_key"]}
    put = dep.client.http.request("PUT", "/v1/resources/quiet", headers=auth, body=json.dumps(body).encode())
    expect(put.status_code == 201, put.body[:300])
    minted = dep.client.http.request("POST", "/v1/resources/quiet/links", headers=auth, body=b"{}")
    expect(minted.status_code == 201, minted.body[:300])
    token = json.loads(minted.body)["token"]
    consumer_memory = function_memory("stream_consumer")
    consume = StreamConsumption(dep, consumer_memory)
    consume.counting = False
    consume.quiet()  # the set-up's records are not the views' cost
    samples: list[tuple[Measure, float, bytes]] = []
    access_keys: list[dict[str, Any]] = []
    for attempt in range(repeat + 1):
        dep.clock.advance(RARE_INTERVAL_SECONDS)
        measured, own_ms, raw = dep.viewer("GET", f"/share/{token}/data")
        expect(raw.status_code == 200, raw.status_code)
        body_bytes = raw.body if isinstance(raw.body, bytes) else str(raw.body).encode()
        consume.counting = attempt > 0  # the first view warms the consumer's container up
        seen = consume.quiet()
        if attempt:
            access_keys += seen
            samples.append((measured, own_ms, body_bytes))
    consume.counting = True
    for removal in _ttl_removals(dep, access_keys):  # each expires on its own, minutes apart
        consume.feed([removal])
    priced = price("data_rarely_viewed_link", samples, memory_mb)
    share = consume.per_view(repeat)
    out = priced.as_dict()
    out["consumer"] = share
    out["consumer_usd_per_million"] = share["usd_per_million_views"]
    out["ratio_to_floor"] = round(priced.per_million / floor.per_million, 3)
    out["ratio_to_floor_with_consumer"] = round(
        (priced.per_million + share["usd_per_million_views"]) / floor.per_million, 3
    )
    return out


class StreamConsumption:
    """Hands stream records to `app.stream_consumer` as the event source mapping would: after its
    filter criteria (a batch with nothing left is no invocation), and sums what each invocation
    costs (requests, Lambda time at `memory_mb`, read and write units)."""

    def __init__(self, dep: Deployment, memory_mb: int) -> None:
        from devstack.pump import StreamFilter

        self.dep = dep
        self.memory_mb = memory_mb
        self.keep = StreamFilter.deployed()
        self.counting = True
        self.total = {"invocations": 0, "records": 0, "filtered": 0, "rru": 0.0, "wru": 0.0, "billed_ms": 0.0}

    def feed(self, records: list[dict[str, Any]]) -> None:
        """Records as the stream has them: the filters first, then batches of up to CONSUMER_BATCH
        of what is left (Lambda batches the records that pass)."""
        from devstack.pump import lambda_event

        shaped = lambda_event(records, self.dep.outputs["TableStreamArn"])["Records"]
        kept = [r for r in shaped if self.keep.passes(r)]
        if self.counting:
            self.total["filtered"] += len(records) - len(kept)
        for start in range(0, len(kept), CONSUMER_BATCH):
            self._invoke(kept[start : start + CONSUMER_BATCH])

    def _invoke(self, lambda_records: list[dict[str, Any]]) -> None:
        from devstack.pump import LocalContext

        event = {"Records": lambda_records}
        with self.dep.recorder.measure() as measured:
            started = time.thread_time()
            response = self.dep.app.stream_consumer(event, LocalContext("keyhole-bench-stream_consumer"))
            own_seconds = max(0.0, time.thread_time() - started - measured.aws_cpu_seconds)
        expect(response == {"batchItemFailures": []}, response)
        if self.counting:
            self.total["invocations"] += 1
            self.total["records"] += len(lambda_records)
            self.total["rru"] += measured.rru
            self.total["wru"] += measured.wru
            self.total["billed_ms"] += own_seconds * 1000 * cpu_scale(self.memory_mb) + measured.model_ms

    def quiet(self) -> list[dict[str, Any]]:
        """Consume until the stream is quiet, in batches of up to CONSUMER_BATCH; returns the keys
        of the access events seen (for their TTL removals)."""
        access: list[dict[str, Any]] = []
        for _round in range(10):
            records = self.dep.read_stream()
            if not records:
                return access
            access += [
                r["dynamodb"]["Keys"]
                for r in records
                if r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["pk"]["S"].startswith("ACCESS#")
            ]
            self.feed(records)
        raise RuntimeError("the consumer keeps causing stream records")

    def per_view(self, views: int) -> dict[str, Any]:
        per = {k: v / views for k, v in self.total.items()}
        usd = (
            per["invocations"] * pricing.LAMBDA_REQUEST_PER_MILLION
            + pricing.lambda_duration_price(self.total["billed_ms"], self.memory_mb) * 1e6 / views
            + (pricing.rru_price(per["rru"]) + pricing.wru_price(per["wru"])) * 1e6
        )
        return {**{k: round(v, 4) for k, v in per.items()}, "usd_per_million_views": round(usd, 4)}


def measure_origin(dep: Deployment, repeat: int, memory_mb: int) -> dict[str, Any]:
    """A proxied request (GET of the origin's JSON API through an origin link, on the link's content
    origin) and an introspection counted as a view, priced like the views above; and Keyhole's own
    added time against calling the same local origin directly (a signed request, same work for the
    origin)."""
    from chalicelib.origin.forward import ProxyRequest, origin_headers, origin_target
    from chalicelib.outbound import transport
    from chalicelib.runtime import content_origin
    from devstack.moto_server import free_port, stop_process, wait_for_port

    progress("origin links: proxied requests and introspection")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    reply = dep.call("PUT", "/v1/resources/bench-origin", {"type": "monitor", "name": "Live", "origin": {"url": url}})
    expect(reply.status_code == 201, reply.body[:300])
    secret = json.loads(reply.body)["origin_secret"]
    # The origin runs in a process of its own, as a real one would: its work is not Keyhole's.
    origin = subprocess.Popen(
        [sys.executable, "-m", "devstack.origin", "--port", str(port)],
        env={**os.environ, "DEMO_ORIGIN_SECRETS": secret},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process=origin)
        link = dep.link("bench-origin")
        host = f"{content_origin.label_for(link['id'])}.localhost"
        # (Chalice's test client matches no greedy route: the origin's JSON API is reached through
        # the root route with the path in the request, as API Gateway's {proxy+} route passes it)
        path = f"/share/{link['token']}/o/"
        samples = []
        dep.viewer("GET", path, {"host": host})  # warm-up: opens the origin secret (the container's only KMS call)
        for _ in range(repeat):
            measured, own_ms, raw = dep.viewer("GET", path, {"host": host})
            # 200: the origin verified the signature (it answers 401 to anything unsigned)
            expect(raw.status_code == 200, (path, raw.status_code, raw.body[:200]))
            samples.append((measured, own_ms, raw.body if isinstance(raw.body, bytes) else str(raw.body).encode()))
        proxied = price("proxied", samples, memory_mb)
        # Wall time of the same signed request sent straight to the origin (its own time, the baseline).
        request = ProxyRequest("GET", "/", "", b"", {}, "198.18.0.1", link["id"], None, "/share/x/o")
        target, sent_path, _ = origin_target(url, "/", "")
        direct = []
        for _ in range(repeat):
            headers = origin_headers(request, [secret], sent_path=sent_path, now=int(time.time()))
            started = time.perf_counter()
            answer = transport.send("GET", target, headers=headers, timeout=5, public_only=False, max_body=1 << 20)
            direct.append((time.perf_counter() - started) * 1000)
            expect(answer.status == 200, answer.status)
        origin_ms = _median(direct)
        # Introspection as a real tenant pays for it: under its plan's per-key API limit (the bench's
        # own tenant has none, so that setting up never meets a window), with an introspect key.
        from chalicelib.tenancy import tenants

        _, admin = tenants.create_tenant(dep.svc, name="Bench introspection", plan="enterprise")
        admin_auth = {"authorization": f"Bearer {admin}", "content-type": "application/json"}
        created = dep.client.http.request(
            "POST", "/v1/api-keys", headers=admin_auth, body=json.dumps({"name": "dash", "role": "introspect"}).encode()
        )
        expect(created.status_code == 201, created.body[:300])
        key_auth = {"authorization": f"Bearer {json.loads(created.body)['key']}", "content-type": "application/json"}
        origin_body = {"type": "monitor", "name": "Live", "origin": {"url": url}}
        put = dep.client.http.request(
            "PUT", "/v1/resources/bench-introspect", headers=admin_auth, body=json.dumps(origin_body).encode()
        )
        expect(put.status_code == 201, put.body[:300])
        minted = dep.client.http.request("POST", "/v1/resources/bench-introspect/links", headers=admin_auth, body=b"{}")
        expect(minted.status_code == 201, minted.body[:300])
        introspections = []
        view = {"token": json.loads(minted.body)["token"], "view": {"ip": "198.18.9.9", "user_agent": BROWSER}}
        for attempt in range(repeat + 1):
            with dep.recorder.measure() as measured:
                raw = dep.client.http.request(
                    "POST", "/v1/introspect", headers=key_auth, body=json.dumps(view).encode()
                )
                own = max(0.0, dep.timed.cpu_seconds - measured.aws_cpu_seconds) * 1000
            expect(raw.status_code == 200 and b'"active":true' in raw.body, raw.body[:200])
            if attempt:
                introspections.append((measured, own, raw.body))
        introspection = price("introspection", introspections, memory_mb)
    finally:
        stop_process(origin)
    floor = pricing.Floor(1024)  # the head an origin link reads is under 1 KB: one read unit, as the floor's
    out: dict[str, Any] = {}
    for name, priced in (("proxied", proxied), ("introspection", introspection)):
        out[name] = priced.as_dict()
        out[name]["ratio_to_floor"] = round(priced.per_million / floor.per_million, 3)
        out[name]["floor_usd_per_million"] = round(floor.per_million, 3)
    out["proxied"]["origin_direct_ms"] = round(origin_ms, 2)
    out["proxied"]["added_ms"] = round(proxied.own_ms, 2)
    out["proxied"]["latency_ratio"] = round((proxied.own_ms + origin_ms) / origin_ms, 2) if origin_ms else None
    return out


DOWNLOAD_BYTES = 1024 * 1024


def measure_download(dep: Deployment, repeat: int, memory_mb: int) -> dict[str, Any]:
    """`GET /share/{token}/files/{id}` of a 1 MB file (checked and counted like a view, answered
    with a 302 to a presigned GET), priced with the one S3 GET the viewer's browser then makes;
    data transfer is priced per GB apart. The file is put into the bucket directly (the upload is
    not what is measured) and completed through the API, which checks it."""
    import hashlib

    import boto3

    progress("file downloads")
    data = random.Random(5).randbytes(DOWNLOAD_BYTES)
    sha = hashlib.sha256(data).hexdigest()
    reply = dep.call(
        "PUT", "/v1/resources/bench-files", {"type": "bundle", "name": "Bench files", "document": {"summary": "x"}}
    )
    expect(reply.status_code == 201, reply.body[:300])
    body = {"name": "reports/bench.pdf", "content_type": "application/pdf", "size": len(data), "sha256": sha}
    started = dep.call("POST", "/v1/resources/bench-files/files", body)
    expect(started.status_code == 201, started.body[:300])
    upload = json.loads(started.body)
    key = upload["upload"]["url"].split("amazonaws.com/", 1)[1].split("?", 1)[0]
    boto3.client("s3", region_name="us-east-1").put_object(
        Bucket=dep.outputs["FilesBucketName"],
        Key=key,
        Body=data,
        ContentType="application/pdf",
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=upload["upload"]["headers"]["x-amz-checksum-sha256"],
    )
    done = dep.call("POST", f"/v1/resources/bench-files/files/{upload['file_id']}/complete")
    expect(done.status_code == 200, done.body[:300])
    link = dep.link("bench-files")
    path = f"/share/{link['token']}/files/{upload['file_id']}"
    dep.viewer("GET", path)  # warm-up: the S3 client, the version's content in the container's cache
    samples = []
    for _ in range(repeat):
        measured, own_ms, raw = dep.viewer("GET", path)
        location = {k.lower(): v for k, v in raw.headers.items()}.get("location", "")
        expect(raw.status_code == 302 and "X-Amz-Expires=60" in location, raw.status_code)
        expect(measured.requests("s3") == 0 and measured.requests("kms") == 0, measured.operations())
        samples.append((measured, own_ms, b""))
    priced = price("download", samples, memory_mb)
    floor = pricing.DownloadFloor()
    row = priced.as_dict()
    row["s3_get_usd_per_million"] = pricing.S3_GET_PER_MILLION
    row["usd_per_million"] = round(priced.per_million + pricing.S3_GET_PER_MILLION, 3)
    row["floor_usd_per_million"] = round(floor.per_million, 3)
    row["ratio_to_floor"] = round((priced.per_million + pricing.S3_GET_PER_MILLION) / floor.per_million, 3)
    row["file_bytes"] = len(data)
    row["transfer_usd_per_gb"] = pricing.DATA_TRANSFER_OUT_PER_GB
    return {"download": row}


@contextmanager
def deployment(recorder: Recorder) -> Iterator[Deployment]:
    dep = Deployment(recorder)
    try:
        yield dep
    finally:
        dep.close()


# --- the stream consumer's share of a view ---------------------------------------------------


WORKLOADS = {
    # name: (links, views, how views pick their link)
    "hot": (5, 1000, "round-robin"),  # a few busy links: one batch, 200 views of each
    "zipf": (100, 2000, "zipf"),  # 100 links, popularity Zipf(s=1.2), random order: two batches
    "spread": (100, 100, "round-robin"),  # every view a different link: one view per link per batch
}
WORKLOAD_NOTES = {
    "hot": "5 links, 1000 views, one batch",
    "zipf": "100 links with Zipf(1.2) popularity, 2000 views in random order",
    "spread": "every view a different link (100 views of 100 links)",
}
REALISTIC = "zipf"


def workload(name: str) -> tuple[int, list[int]]:
    links, views, pick = WORKLOADS[name]
    if pick == "zipf":
        rng = random.Random(13)
        weights = [1 / (rank + 1) ** 1.2 for rank in range(links)]
        return links, rng.choices(range(links), weights=weights, k=views)
    return links, [n % links for n in range(views)]


def measure_consumer(dep: Deployment, memory_mb: int, name: str) -> dict[str, Any]:
    """A workload's views; everything the stream then carries is consumed in batches of
    CONSUMER_BATCH after the mapping's filters (views first, then what the consumer's writes
    caused, then TTL removals, which the filters discard)."""
    links, order = workload(name)
    views = len(order)
    document = document_of_size(2 * 1024)
    made = [dep.share(f"consumer-{name}", document)]
    while len(made) < links:
        made.append(dep.link(f"consumer-{name}"))
        if len(made) % 10 == 0:
            dep.read_stream()  # set-up records are not the views' cost (and moto copies them per transaction)
    dep.read_stream()
    for n in order:
        _, _, raw = dep.viewer("GET", f"/share/{made[n]['token']}/data")
        expect(raw.status_code == 200)
    consume = StreamConsumption(dep, memory_mb)
    access_keys: list[dict[str, Any]] = []
    records = dep.read_stream()
    caused_rounds = 0
    while records:
        access_keys += [
            r["dynamodb"]["Keys"]
            for r in records
            if r["eventName"] == "INSERT" and r["dynamodb"]["Keys"]["pk"]["S"].startswith("ACCESS#")
        ]
        consume.feed(records)
        records = dep.read_stream()
        caused_rounds += 1
        if caused_rounds > 10:
            raise RuntimeError("the consumer keeps causing stream records")
    # TTL removes every access event after its retention: one REMOVE record each, in bulk (filtered).
    consume.feed(_ttl_removals(dep, access_keys))
    dep.read_stream()
    share = consume.per_view(views)
    per_view = {k: share[k] for k in ("invocations", "records", "rru", "wru", "billed_ms", "filtered")}
    usd = share["usd_per_million_views"]
    batches = [order[i : i + CONSUMER_BATCH] for i in range(0, views, CONSUMER_BATCH)]
    return {
        "views": views,
        "links": links,
        "views_per_link_per_batch": round(statistics.mean(len(b) / len(set(b)) for b in batches), 2),
        "lambda_memory_mb": memory_mb,
        "stream_rounds": caused_rounds,
        "per_view": per_view,
        "usd_per_million_views": usd,
    }


def _ttl_removals(dep: Deployment, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Delete the access events and label their REMOVE records as TTL's (userIdentity), as the
    stream tests do: moto never expires items itself."""
    import boto3

    table = boto3.client("dynamodb", region_name="us-east-1")
    for start in range(0, len(keys), 25):
        table.batch_write_item(
            RequestItems={
                dep.outputs["TableName"]: [{"DeleteRequest": {"Key": key}} for key in keys[start : start + 25]]
            }
        )
    records = dep.read_stream()
    ttl = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    return [{**r, "userIdentity": ttl} for r in records if r["eventName"] == "REMOVE"]


# --- dead tokens -----------------------------------------------------------------------------


def dead_tokens(dep: Deployment) -> dict[str, str]:
    """One token of every dead kind (all naming the bench tenant where a token can name one)."""
    document = {"status": "up"}
    revoked = dep.share("dead-revoked", document)
    expect(dep.call("DELETE", f"/v1/links/{revoked['id']}").status_code == 204)
    expired = dep.share("dead-expired", document, expires_in="1m")
    exhausted = dep.share("dead-exhausted", document, max_views=1)
    form = {"content-type": "application/x-www-form-urlencoded"}
    expect(dep.viewer("POST", f"/share/{exhausted['token']}", form)[2].status_code == 200)
    deleted = dep.share("dead-deleted", document)
    expect(dep.call("DELETE", "/v1/resources/dead-deleted").status_code == 204)
    raw = base64.urlsafe_b64decode(revoked["token"] + "=" * (-len(revoked["token"]) % 4))
    unknown = base64.urlsafe_b64encode(secrets.token_bytes(32) + raw[32:]).decode().rstrip("=")
    dep.clock.advance(120)  # the 1-minute link has expired; TTL has not removed its capability
    return {
        "unknown": unknown,
        "malformed": "not-a-token",
        "revoked": revoked["token"],
        "expired": expired["token"],
        "exhausted": exhausted["token"],
        "resource_deleted": deleted["token"],
    }


def measure_dead(dep: Deployment, repeat: int, memory_mb: int) -> dict[str, Any]:
    tokens = dead_tokens(dep)
    out: dict[str, Any] = {}
    shapes: dict[str, list] = {}
    for kind, token in tokens.items():
        dep.viewer("GET", f"/share/{token}/data")
        samples = []
        for _ in range(repeat):
            measured, own_ms, raw = dep.viewer("GET", f"/share/{token}/data")
            expect(raw.status_code == 404, (kind, raw.status_code))
            samples.append((measured, own_ms, raw.body if isinstance(raw.body, bytes) else str(raw.body).encode()))
        out[kind] = price(kind, samples, memory_mb).as_dict()
        out[kind]["operations"] = samples[-1][0].operations()
        shapes[kind] = samples[-1][0].shapes()
    reference = next(iter(shapes.values()))
    out["_identical_requests"] = all(s == reference for s in shapes.values())
    return out


def run(repeat: int = 15) -> dict[str, Any]:
    global CONSUMER_BATCH
    os.environ.update(ENV)
    import app as app_module

    CONSUMER_BATCH = next(
        int(source.batch_size) for source in app_module.app.event_sources if hasattr(source, "batch_size")
    )
    recorder = Recorder()
    api_memory = function_memory("api_handler")
    consumer_memory = function_memory("stream_consumer")
    with recorder.installed():
        views = measure_views(recorder, repeat, api_memory)
        consumer = {}
        for name in WORKLOADS:
            with deployment(recorder) as dep:
                progress(f"stream consumer, workload {name!r}")
                consumer[name] = measure_consumer(dep, consumer_memory, name)
        with deployment(recorder) as dep:
            progress("dead tokens")
            dead = measure_dead(dep, repeat, api_memory)
    return {
        "views": views,
        "consumer": consumer,
        "dead_tokens": dead,
        "consumer_batch": CONSUMER_BATCH,
        "rarely_viewed_interval_seconds": RARE_INTERVAL_SECONDS,
        "memory_mb": {"api_handler": api_memory, "stream_consumer": consumer_memory},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
