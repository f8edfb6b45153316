"""Shared fixtures: moto (in process) with `infra/template.json` deployed through CloudFormation,
a Keyhole service bound to it, and Chalice's test client for HTTP-shaped tests.

Environment variables are set before `app` is imported, as the Chalice CLI would.
"""
from __future__ import annotations

import json
import os
import warnings
from typing import Any, Dict, Iterator, Optional

import pytest

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "KEYHOLE_STAGE": "test", "KEYHOLE_TABLE": "keyhole-test", "KEYHOLE_COUNTERS_TABLE": "keyhole-test-counters",
    "KEYHOLE_KMS_KEY_ID": "alias/keyhole-test", "KEYHOLE_TRUST_FORWARDED_FOR": "1",
    "KEYHOLE_STREAM_ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/keyhole-test/stream/placeholder",
})
warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation.*")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from chalicelib.runtime.clock import Clock  # noqa: E402
from chalicelib.runtime.config import Settings  # noqa: E402
from chalicelib.service import Keyhole  # noqa: E402
from devstack import infra  # noqa: E402
from tests import contract  # noqa: E402


def settings_for(outputs: Dict[str, str], **overrides: Any) -> Settings:
    base = Settings(table_name=outputs["TableName"], counters_table_name=outputs["CountersTableName"],
                    kms_key_id=outputs["KmsKeyAlias"], region="us-east-1", stage="test",
                    stream_arn=outputs["TableStreamArn"], trust_forwarded_for=True, scrypt_n=2**12,
                    files_bucket=outputs.get("FilesBucketName"))
    return base.with_overrides(**overrides) if overrides else base


@pytest.fixture
def aws() -> Iterator[Dict[str, str]]:
    """moto with the infra template deployed; yields the stack outputs."""
    with mock_aws():
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="test")
        yield outputs


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def svc(aws: Dict[str, str], clock: Clock) -> Keyhole:
    return Keyhole(settings_for(aws), clock=clock)


@pytest.fixture
def app_client(svc: Keyhole) -> Iterator["Api"]:
    import app as app_module
    from chalice.test import Client

    app_module.use_service(svc)
    with Client(app_module.app, stage_name="local") as client:
        yield Api(client)
    app_module.use_service(None)


class Reply:
    def __init__(self, raw: Any) -> None:
        self.status = raw.status_code
        self.headers = {k.lower(): v for k, v in raw.headers.items()}
        self.body = raw.body
        try:
            self.json = json.loads(raw.body) if raw.body else None
        except ValueError:
            self.json = None

    def __repr__(self) -> str:
        return f"<Reply {self.status} {self.body[:300]!r}>"


class Api:
    """A thin JSON helper over Chalice's test client. Every response is checked against the OpenAPI
    document (`tests/contract.py`): a status, header or body it does not describe fails the test."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, *, key: Optional[str] = None, body: Any = None,
             headers: Optional[Dict[str, str]] = None, raw: Optional[bytes] = None) -> Reply:
        sent = {"content-type": "application/json"}
        if key:
            sent["authorization"] = f"Bearer {key}"
        sent.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        reply = Reply(self.client.http.request(method, path, headers=sent, body=data))
        contract.check(method, path, reply.status, reply.headers, reply.body)  # every response meets the OpenAPI document
        return reply

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Reply:
        return self.call("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Reply:
        return self.call("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Reply:
        return self.call("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)


@pytest.fixture(scope="session")
def http_stack() -> Iterator[Any]:
    """moto server + `chalice local` over real HTTP (session-wide; tenants isolate tests)."""
    from tests.stack import start_stack

    yield from start_stack()


@pytest.fixture(scope="session")
def serial_stack() -> Iterator[Any]:
    """Like http_stack, but moto serves one request at a time: DynamoDB's per-request atomicity.

    Concurrency tests need this; moto's threaded server is not thread-safe and can show double
    winners that real DynamoDB never would.
    """
    from tests.stack import start_stack

    yield from start_stack(serial=True)


# --- running in parallel (pytest-xdist, `make test` uses two workers) -------------------------
# Each test module runs whole on one worker (its module-scoped stacks start once), the deploy
# tests together (they share build/ and the dependency cache), and the longest modules first so
# that neither worker is left with a long tail.
SERIAL_GROUPS = {"tests.deploy": "deploy"}
LONG_FIRST = ("tests.fuzz", "tests.deploy", "tests.functional.test_soak", "tests.browser", "tests.ops")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def module_of(item: pytest.Item) -> str:
        return getattr(item.module, "__name__", item.nodeid.split("::")[0]) if hasattr(item, "module") else item.nodeid

    for item in items:
        module = module_of(item)
        group = next((name for prefix, name in SERIAL_GROUPS.items() if module.startswith(prefix)), module)
        item.add_marker(pytest.mark.xdist_group(group))

    def rank(item: pytest.Item) -> int:
        module = module_of(item)
        return next((i for i, prefix in enumerate(LONG_FIRST) if module.startswith(prefix)), len(LONG_FIRST))

    items.sort(key=rank)  # stable: the order within a module is kept


# Tests that measure something (the contract fuzzer's request count, the soak's figures) hand a
# one-line summary to `record_property("summary", ...)`; it is printed at the end of the run, also
# when the test ran in a worker process and passed (its own output is not shown then).
_SUMMARIES: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _SUMMARIES.extend(f"{report.nodeid}: {value}" for name, value in report.user_properties if name == "summary")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SUMMARIES:
        terminalreporter.section("measured")
        for line in _SUMMARIES:
            terminalreporter.write_line(line)
