"""A crowd behind one address (an office NAT, a school) opening one link at the same moment.

Over real HTTP: `chalice local` talks to DynamoDB through `tests.dynamo_conflicts.ConflictProxy`,
which cancels overlapping transactions the way DynamoDB does (moto never would), in front of a
moto server that serves one request at a time (DynamoDB's per-item atomicity). On DynamoDB,
viewers sharing a per-address window inside transactions cancel each other and, after retries,
get 503; the view path puts no shared item in a transaction, so a crowd gets 200s, or 429s once
its address's window is full, and never a 503.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, Iterator, List

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from chalicelib.tenancy import tenants
from chalicelib.runtime.config import Settings
from chalicelib.ops.cli import stage_environment
from chalicelib.service import Keyhole
from chalicelib.storage.store import bind
from devstack import infra
from devstack.moto_server import free_port, moto_process, stop_process, wait_for_port
from tests.dynamo_conflicts import ConflictProxy

pytestmark = pytest.mark.http
ROOT = Path(__file__).resolve().parents[2]
CROWD = 100
NAT = "203.0.113.77"


class Crowd:
    def __init__(self, api_url: str, proxy: ConflictProxy, svc: Keyhole) -> None:
        self.api_url, self.proxy, self._svc = api_url, proxy, svc

    @property
    def svc(self) -> Keyhole:
        bind(self._svc.settings)
        return self._svc


@pytest.fixture(scope="module")
def crowd_stack() -> Iterator[Crowd]:
    with moto_process(serial=True) as moto:
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="local", endpoint_url=moto)
        proxy = ConflictProxy(moto, hold_seconds=0.01)
        with proxy.running():
            env = {
                **os.environ,
                **stage_environment("local"),
                "KEYHOLE_AWS_ENDPOINT": proxy.url,
                "KEYHOLE_STAGE": "test",
                "KEYHOLE_TRUST_FORWARDED_FOR": "1",
                "PYTHONUNBUFFERED": "1",
                "KEYHOLE_AWS_READ_TIMEOUT": "120",
                "KEYHOLE_STREAM_ARN": outputs["TableStreamArn"],
            }
            svc = Keyhole(Settings.from_env({**env, "KEYHOLE_AWS_ENDPOINT": moto}))
            port = free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "devstack.serve", "--port", str(port), "--stage", "local"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for_port(port, process=server)
                yield Crowd(f"http://127.0.0.1:{port}", proxy, svc)
            finally:
                stop_process(server)


def share(stack: Crowd, **overrides: Any) -> str:
    _, admin = tenants.create_tenant(stack.svc, name="Crowded Co", plan="team", overrides=overrides or None)
    auth = {"Authorization": f"Bearer {admin}"}
    reply = requests.put(
        f"{stack.api_url}/v1/resources/r1",
        json={"type": "doc", "name": "R1", "document": {"a": 1}},
        headers=auth,
        timeout=120,
    )
    assert reply.status_code == 201, reply.text
    created = requests.post(f"{stack.api_url}/v1/resources/r1/links", json={}, headers=auth, timeout=120)
    assert created.status_code == 201, created.text
    return created.json()["url"]


def at_once(url: str, n: int = CROWD) -> List[int]:
    """`n` viewers from one address, released together; their statuses."""
    barrier = threading.Barrier(n)

    def view(_: int) -> int:
        barrier.wait()
        return requests.get(url, headers={"X-Forwarded-For": NAT}, timeout=300).status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(view, range(n)))


def start_of_a_window() -> None:
    """Wait for a fresh minute when the crowd could straddle two rate-limit windows."""
    left = 60 - time.time() % 60
    if left < 40:
        time.sleep(left + 0.2)


def test_the_proxy_cancels_overlapping_transactions_like_dynamodb(crowd_stack: Crowd) -> None:
    # GIVEN a client of the proxy, and a transaction on an item that stays in flight for a while
    proxy = crowd_stack.proxy
    client = boto3.client(
        "dynamodb", region_name="us-east-1", endpoint_url=proxy.url, config=Config(retries={"max_attempts": 1})
    )
    table = crowd_stack.svc.settings.counters_table_name
    update = {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": "shared-item"}},
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    other = {"Update": {**update["Update"], "Key": {"pk": {"S": "other-item"}}}}
    proxy.hold_seconds = 0.5
    first = threading.Thread(target=lambda: client.transact_write_items(TransactItems=[update]))
    try:
        first.start()
        time.sleep(0.2)
        # WHEN another transaction, and a plain write, touch the same item meanwhile
        with pytest.raises(ClientError) as cancelled:
            client.transact_write_items(TransactItems=[other, update])
        with pytest.raises(ClientError) as refused:
            client.update_item(**update["Update"])
    finally:
        first.join()
        proxy.hold_seconds = 0.01
    # THEN as on DynamoDB: the transaction is cancelled for a conflict on that item only, the write refused
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in cancelled.value.response["CancellationReasons"]] == ["None", "TransactionConflict"]
    assert refused.value.response["Error"]["Code"] == "TransactionConflictException"
    # AND neither wrote anything: the item was counted once, by the first transaction
    item = client.get_item(TableName=table, Key={"pk": {"S": "shared-item"}}, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": "1"}
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "other-item"}}, ConsistentRead=True)


@pytest.mark.parametrize("path", ["/data", ""], ids=["data", "page"])
def test_a_hundred_viewers_behind_one_address_all_get_the_link(crowd_stack: Crowd, path: str) -> None:
    # GIVEN a link on a plan whose per-address window allows 600 requests a minute
    url = share(crowd_stack) + path
    start_of_a_window()
    crowd_stack.proxy.reset()
    # WHEN 100 viewers behind one address open it at the same moment
    statuses = at_once(url)
    # THEN every one of them gets it
    assert statuses == [200] * CROWD, sorted(statuses)
    # AND no item was in a transaction, so DynamoDB had nothing to cancel
    assert crowd_stack.proxy.operations["TransactWriteItems"] == 0
    assert not crowd_stack.proxy.conflicts


def test_past_the_address_window_a_crowd_gets_429_never_503(crowd_stack: Crowd) -> None:
    # GIVEN a link whose tenant allows 60 viewer requests a minute per address
    url = share(crowd_stack, viewer_requests_per_min_per_ip=60) + "/data"
    start_of_a_window()
    crowd_stack.proxy.reset()
    # WHEN 100 viewers behind one address open it at the same moment
    statuses = at_once(url)
    # THEN exactly 60 get it and the rest are told to slow down; none is told the service failed
    assert sorted(statuses) == [200] * 60 + [429] * 40
    assert crowd_stack.proxy.operations["TransactWriteItems"] == 0
    assert not crowd_stack.proxy.conflicts
