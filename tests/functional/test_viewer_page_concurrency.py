"""View limits and password throttling under concurrency, against moto in serial server mode.

Serial mode is DynamoDB's own guarantee (each request atomic) and what these tests need: moto's
threaded server is not thread-safe. The flows run in threads against one service, as concurrent
Lambda invocations would, each thread a different viewer IP.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List, Tuple

import boto3
import pytest

from chalicelib import links, resources, tenants, viewer_page
from chalicelib.apikeys import authenticate
from chalicelib.clock import Clock
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.storage.models import Capability
from chalicelib.tokens import parse_share_token
from devstack import infra
from devstack.moto_server import moto_process
from tests.conftest import settings_for

pytestmark = pytest.mark.http

THREADS = 12


@pytest.fixture(scope="module")
def serial_moto() -> Iterator[Tuple[str, Dict[str, str]]]:
    with moto_process(serial=True) as endpoint:
        yield endpoint, infra.deploy(boto3.Session(region_name="us-east-1"), stage="test", endpoint_url=endpoint)


@pytest.fixture
def service(serial_moto: Tuple[str, Dict[str, str]]) -> Keyhole:
    endpoint, outputs = serial_moto
    clock = Clock()
    clock.advance(60 - clock.time() % 60 + 1)  # a fresh rate window: the test cannot straddle two
    return Keyhole(settings_for(outputs, aws_endpoint=endpoint), clock=clock)


def share(svc: Keyhole, **link: Any) -> str:
    tenant, admin_key = tenants.create_tenant(svc, name="Concurrent Co", plan="team")
    principal, _ = authenticate(svc, admin_key)
    req = RequestInfo(request_id="test", base_url="http://127.0.0.1")
    resources.put_resource(svc, principal, "r1", {"type": "doc", "name": "R1", "document": {"a": 1}}, None, req)
    _, (head,) = authenticate(svc, admin_key, [(resources.ResourceHead,
                                                resources.ResourceHead.key(tenant.tenant_id, "r1"))])
    return links.create_link(svc, principal, "r1", link, head, req)["token"]


def in_parallel(call: Any) -> List[Any]:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(call, range(THREADS)))


def viewer(index: int, method: str = "POST") -> RequestInfo:
    return RequestInfo(request_id=f"r{index}", ip=f"192.0.2.{index + 1}", method=method, path="/share/x",
                       base_url="http://127.0.0.1")


def test_concurrent_presses_never_exceed_the_view_limit(service: Keyhole) -> None:
    # GIVEN a link that may be viewed 4 times
    token = share(service, max_views=4)
    # WHEN 12 viewers press the button at the same moment
    replies = in_parallel(lambda i: viewer_page.use_view(service, token, viewer(i), {}))
    # THEN exactly 4 see the content, the others get the one not-found page
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [200] * 4 + [404] * 8
    cap = service.store.get(Capability, Capability.key(parse_share_token(token).hash))
    assert int(cap.views_used) == 4


def test_concurrent_password_guesses_never_exceed_the_window(service: Keyhole) -> None:
    # GIVEN a password link
    token = share(service, password="correct horse battery")
    # WHEN 12 wrong guesses arrive at the same moment
    replies = in_parallel(lambda i: viewer_page.unlock(service, token, viewer(i), {"content-type": "application/json"},
                                                       f'{{"password": "guess number {i}"}}'.encode()))
    # THEN at most 5 (the per-link limit) get a verdict; the rest are refused with 429
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [401] * 5 + [429] * 7
    # AND the right password is refused too until the window ends
    late = viewer_page.unlock(service, token, viewer(99), {"content-type": "application/json"},
                              b'{"password": "correct horse battery"}')
    assert late.status == 429
