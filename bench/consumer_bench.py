"""What the stream consumer costs: AWS requests per 100 access events (for `make bench`).

Runs in process against moto with `infra/template.json` deployed (as tests/conftest.py does):
100 viewer requests through the real viewer code path write 100 access events; their real stream
records (read with GetRecords) are handed to the consumer in one Lambda-shaped batch, as the
event source mapping would with batch size 100. Requests are counted per AWS API call by a
`before-call` hook every botocore client gets (retries are not counted twice).

The consumer runs on a fresh service, as in a new Lambda container, so its KMS count includes the
one Decrypt that opens a webhook secret's data key (then cached for the container's life).

    python -m bench.consumer_bench          # prints JSON
    from bench.consumer_bench import run    # returns the dict
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "KEYHOLE_STAGE": "test",
    "KEYHOLE_TABLE": "keyhole-bench",
    "KEYHOLE_COUNTERS_TABLE": "keyhole-bench-counters",
    "KEYHOLE_KMS_KEY_ID": "alias/keyhole-bench",
    "KEYHOLE_STREAM_ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/keyhole-bench/stream/placeholder",
}


class RequestCounter:
    """Counts AWS API calls of every botocore client created after `install()`."""

    def __init__(self) -> None:
        self.calls: Counter = Counter()
        self.active = False
        self._lock = threading.Lock()

    def __call__(self, model: Any = None, **_: Any) -> None:
        if self.active and model is not None:
            with self._lock:
                self.calls[(model.service_model.service_name, model.name)] += 1

    def install(self) -> None:
        import botocore.handlers

        if ("before-call", self) not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(("before-call", self))

    @contextmanager
    def counting(self) -> Iterator[Counter]:
        self.calls = Counter()
        self.active = True
        try:
            yield self.calls
        finally:
            self.active = False

    @staticmethod
    def per_service(calls: Counter) -> dict[str, int]:
        totals: Counter = Counter()
        for (service, _), n in calls.items():
            totals[service] += n
        return {"dynamodb": totals.get("dynamodb", 0), "kms": totals.get("kms", 0)}

    @staticmethod
    def operations(calls: Counter) -> dict[str, int]:
        return {f"{service}:{op}": n for (service, op), n in sorted(calls.items())}


def _receiver() -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/hook"


def _measure(counter: RequestCounter, events: int, *, webhook: bool) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from chalicelib import webhooks
    from chalicelib.access import consumer
    from chalicelib.credentials.tokens import present_token
    from chalicelib.links import links, viewcounts
    from chalicelib.resources import resources
    from chalicelib.runtime.config import Settings
    from chalicelib.service import Keyhole, RequestInfo
    from chalicelib.tenancy import tenants
    from chalicelib.tenancy.apikeys import authenticate
    from chalicelib.viewer import json_surface as viewer
    from devstack import infra
    from devstack.pump import StreamReader, lambda_event

    with mock_aws():
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="bench")
        settings = Settings(
            table_name=outputs["TableName"],
            counters_table_name=outputs["CountersTableName"],
            kms_key_id=outputs["KmsKeyAlias"],
            stage="test",
            stream_arn=outputs["TableStreamArn"],
            trust_forwarded_for=True,
            scrypt_n=2**12,
        )
        svc = Keyhole(settings)
        tenant, admin = tenants.create_tenant(svc, name="Bench", plan="enterprise")
        principal, _ = authenticate(svc, admin)
        req = RequestInfo(request_id="bench", base_url="http://bench")
        resources.put_resource(svc, principal, "r1", {"type": "doc", "name": "R", "document": {"a": 1}}, None, req)
        _, (head,) = authenticate(
            svc, admin, [(resources.ResourceHead, resources.ResourceHead.key(tenant.tenant_id, "r1"))]
        )
        link = links.create_link(svc, principal, "r1", {}, head, req)
        server = None
        if webhook:
            server, url = _receiver()
            webhooks.create_endpoint(svc, principal, {"url": url, "events": ["share.accessed"]}, req)
        reader = StreamReader(boto3.client("dynamodbstreams", region_name="us-east-1"), outputs["TableStreamArn"])
        reader.read_all()  # set-up records are not part of the measurement

        with counter.counting() as viewer_calls:
            for n in range(events):
                request = RequestInfo(
                    request_id=f"v{n}",
                    ip=f"198.51.100.{n % 50}",
                    user_agent="bench/1",
                    method="GET",
                    path="/share/x/data",
                )
                if viewer.data(svc, present_token(link["token"]), request, {}).status != 200:
                    raise RuntimeError("a bench view was refused")
        records = reader.read_all()
        batch = lambda_event(records, outputs["TableStreamArn"])
        cold = Keyhole(settings)  # a new Lambda container
        with counter.counting() as consumer_calls:
            response = consumer.handle(cold, batch)
        if response != {"batchItemFailures": []}:
            raise RuntimeError(f"the consumer failed records: {response}")
        counted = viewcounts.read(cold.store, [link["id"]])[link["id"]].view_count
        if counted != events:
            raise RuntimeError(f"the consumer counted {counted} views of {events}")
        if server is not None:
            server.shutdown()
            server.server_close()
        return {
            "viewer": RequestCounter.per_service(viewer_calls),
            "consumer": {
                **RequestCounter.per_service(consumer_calls),
                "records": len(records),
                "operations": RequestCounter.operations(consumer_calls),
            },
        }


SLOW_RECEIVER_SECONDS = 2.5  # a receiver that answers 2xx, after this long


def _slow_receiver() -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            time.sleep(SLOW_RECEIVER_SECONDS)
            try:
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:  # the consumer stopped waiting
                pass

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/hook"


def slow_receiver_batches(per_tenant: int = 50, batches: int = 3) -> dict[str, Any]:
    """The consumer's billed duration for batches of `2 * per_tenant` views, half of them of a
    tenant whose `share.accessed` receiver answers 2xx after 2.5 s, half of another tenant's, in
    one Lambda container: the first batch meets the slow receiver, the next ones find it
    sidelined. Lambda bills wall time (waiting on a receiver included): the invocation's wall time,
    less the time inside the emulator's AWS calls, plus the DynamoDB latency model (bench.pricing)."""
    import boto3
    from moto import mock_aws

    from bench.capacity import Recorder
    from chalicelib import webhooks
    from chalicelib.access import consumer
    from chalicelib.credentials.tokens import PresentedToken, present_token
    from chalicelib.links import links, viewcounts
    from chalicelib.resources import resources
    from chalicelib.runtime.config import Settings
    from chalicelib.service import Keyhole, RequestInfo
    from chalicelib.tenancy import tenants
    from chalicelib.tenancy.apikeys import authenticate
    from chalicelib.viewer import json_surface as viewer
    from devstack import infra
    from devstack.pump import StreamReader, lambda_event

    with mock_aws():
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="bench")
        settings = Settings(
            table_name=outputs["TableName"],
            counters_table_name=outputs["CountersTableName"],
            kms_key_id=outputs["KmsKeyAlias"],
            stage="test",
            stream_arn=outputs["TableStreamArn"],
            trust_forwarded_for=True,
            scrypt_n=2**12,
        )
        svc = Keyhole(settings)
        server, url = _slow_receiver()
        tokens: list[PresentedToken] = []
        link_ids: list[str] = []
        for name, hooked in (("Slow receiver", True), ("Bystander", False)):
            tenant, admin = tenants.create_tenant(svc, name=name, plan="enterprise")
            principal, _ = authenticate(svc, admin)
            req = RequestInfo(request_id="bench", base_url="http://bench")
            resources.put_resource(svc, principal, "r1", {"type": "doc", "name": "R", "document": {"a": 1}}, None, req)
            _, (head,) = authenticate(
                svc, admin, [(resources.ResourceHead, resources.ResourceHead.key(tenant.tenant_id, "r1"))]
            )
            link = links.create_link(svc, principal, "r1", {}, head, req)
            tokens.append(present_token(link["token"]))  # as the viewer routes hand it on
            link_ids.append(link["id"])
            if hooked:
                webhooks.create_endpoint(svc, principal, {"url": url, "events": ["share.accessed"]}, req)
        reader = StreamReader(boto3.client("dynamodbstreams", region_name="us-east-1"), outputs["TableStreamArn"])
        reader.read_all()
        container = Keyhole(settings)  # one Lambda container for every batch
        seconds: list[float] = []
        recorder = Recorder()
        for batch in range(batches):
            for n in range(per_tenant):
                for token in tokens:
                    request = RequestInfo(
                        request_id=f"s{batch}-{n}", ip=f"198.51.100.{n % 50}", method="GET", path="/share/x/data"
                    )
                    if viewer.data(svc, token, request, {}).status != 200:
                        raise RuntimeError("a bench view was refused")
            event = lambda_event(_read_and_forget(reader, outputs["TableName"]), outputs["TableStreamArn"])
            with recorder.installed(), recorder.measure() as measured:
                started = time.monotonic()
                response = consumer.handle(container, event)
                wall = time.monotonic() - started
            seconds.append(wall - measured.aws_seconds + measured.model_ms / 1000)
            if response != {"batchItemFailures": []}:
                raise RuntimeError(f"the consumer failed records: {response}")
            _read_and_forget(reader, outputs["TableName"])  # the delivery items it wrote: filtered out
        counted = viewcounts.read(container.store, link_ids)
        if any(counted[link_id].view_count != per_tenant * batches for link_id in link_ids):
            raise RuntimeError(f"the consumer miscounted: {counted}")
        server.shutdown()
        server.server_close()
    return {
        "records_per_batch": 2 * per_tenant,
        "receiver_seconds": SLOW_RECEIVER_SECONDS,
        "first_batch_seconds": round(seconds[0], 3),
        "next_batches_seconds": [round(s, 3) for s in seconds[1:]],
    }


def _read_and_forget(reader: Any, table_name: str) -> list[dict[str, Any]]:
    """New stream records; then moto forgets them (it copies the whole stream on every transaction,
    which would make later batches slower for the emulator's sake: bench/viewcost.py does the same)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    records: list[dict[str, Any]] = reader.read_all()
    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[table_name].stream_shard
    if shard is not None:
        shard.starting_sequence_number += len(shard.items)
        shard.items = []
    return records


def run(events: int = 100) -> dict[str, Any]:
    """`{"consumer_per_100_access_events": {"dynamodb": n, "kms": n}, ...}` (see module docstring)."""
    for name, value in ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    counter = RequestCounter()
    counter.install()
    plain = _measure(counter, events, webhook=False)
    hooked = _measure(counter, events, webhook=True)
    scale = 100 / events
    result: dict[str, Any] = {
        "viewer_per_view": {k: v / events for k, v in plain["viewer"].items()},
        "consumer_per_100_access_events": {k: round(plain["consumer"][k] * scale, 1) for k in ("dynamodb", "kms")},
        "consumer_per_100_access_events_with_one_webhook_endpoint": {
            k: round(hooked["consumer"][k] * scale, 1) for k in ("dynamodb", "kms")
        },
        "consumer_operations": plain["consumer"]["operations"],
        "consumer_operations_with_one_webhook_endpoint": hooked["consumer"]["operations"],
        "stream_records_per_batch": plain["consumer"]["records"],
        "slow_receiver_batch": slow_receiver_batches(),
    }
    return result


def main(argv: list[str]) -> int:
    print(json.dumps(run(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
