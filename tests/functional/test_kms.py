"""Envelope encryption as the service uses it: KMS calls are amortised, reveals use the decrypted
data-key cache, viewer requests make no KMS call at all, a KMS outage is a clean 503, and a sealed
token moved to another link (by someone with write access to the table) never opens there.

KMS calls are counted with a botocore `before-call.kms` hook on the service's own KMS client.
"""
from __future__ import annotations

from typing import Any, Iterator, List

import pytest

import app as app_module
from chalicelib.service import Keyhole
from chalicelib.storage.models import LinkRecord
from tests.conftest import settings_for
from tests.functional.conftest import Env
from tests.support import TenantKeys, Unchanged, assert_error, fresh_ip, make_link, make_tenant, random_token


class KmsCalls:
    """Operation names of every call the service's KMS client makes while installed."""

    def __init__(self, svc: Keyhole) -> None:
        self.events = svc.sealer.kms.meta.events
        self.calls: List[str] = []
        self.events.register("before-call.kms", self._record, unique_id=f"kms-calls-{id(self)}")

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def remove(self) -> None:
        self.events.unregister("before-call.kms", unique_id=f"kms-calls-{id(self)}")


@pytest.fixture
def kms_calls(env: Env) -> Iterator[KmsCalls]:
    calls = KmsCalls(env.svc)
    yield calls
    calls.remove()


@pytest.fixture
def cold_service(env: Env, module_aws: dict) -> Iterator[Keyhole]:
    """A second service over the same tables, as a new Lambda container would be: no data key, no cache."""
    cold = Keyhole(settings_for(module_aws), clock=env.clock)
    app_module.use_service(cold)
    yield cold
    app_module.use_service(env.svc)


def _view_everything(env: Env, token: str) -> None:
    ip = {"x-forwarded-for": fresh_ip()}
    first = env.api.get(f"/share/{token}/data", headers=ip)
    assert first.status == 200
    assert env.api.get(f"/share/{token}/data", headers={**ip, "if-none-match": first.headers["etag"]}).status == 304
    assert env.api.get(f"/share/{token}/info", headers=ip).status == 200
    assert env.api.get(f"/share/{random_token()}/data", headers=ip).status == 404


def test_creating_many_links_uses_one_data_key(env: Env, tenant: TenantKeys, cold_service: Keyhole) -> None:
    # GIVEN a cold process WHEN an operator creates 10 links
    calls = KmsCalls(cold_service)
    try:
        for _ in range(10):
            make_link(env.api, tenant.operator, tenant.resource_id)
        # THEN KMS generated one data key for all of them, and decrypted nothing
        assert calls.calls == ["GenerateDataKey"]
    finally:
        calls.remove()


def test_viewer_requests_make_no_kms_call(env: Env, tenant: TenantKeys, kms_calls: KmsCalls) -> None:
    # GIVEN links of every kind
    plain = make_link(env.api, tenant.operator, tenant.resource_id)
    limited = make_link(env.api, tenant.operator, tenant.resource_id, max_views=5)
    locked = make_link(env.api, tenant.operator, tenant.resource_id, password="open sesame")
    kms_calls.calls.clear()
    # WHEN viewers fetch, revalidate, use views, hit password and dead links
    _view_everything(env, plain["token"])
    assert env.api.post(f"/share/{limited['token']}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200
    assert env.api.get(f"/share/{locked['token']}/data", headers={"x-forwarded-for": fresh_ip()}).status == 401
    # THEN KMS was never called
    assert kms_calls.calls == []


def test_viewer_requests_make_no_kms_call_in_a_cold_process(env: Env, tenant: TenantKeys,
                                                            cold_service: Keyhole) -> None:
    token = make_link(env.api, tenant.operator, tenant.resource_id)["token"]
    calls = KmsCalls(cold_service)
    try:
        _view_everything(env, token)
        assert calls.calls == []
    finally:
        calls.remove()


def test_reveal_in_a_warm_process_uses_the_cached_data_key(env: Env, tenant: TenantKeys,
                                                           kms_calls: KmsCalls) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    kms_calls.calls.clear()
    for _ in range(3):
        assert env.api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator).json["token"] == link["token"]
    assert kms_calls.calls == []


def test_reveal_in_a_cold_process_decrypts_the_data_key_once(env: Env, tenant: TenantKeys,
                                                             cold_service: Keyhole) -> None:
    # GIVEN links sealed by one process WHEN a cold process reveals them all
    app_module.use_service(env.svc)
    links = [make_link(env.api, tenant.operator, tenant.resource_id) for _ in range(3)]
    app_module.use_service(cold_service)
    calls = KmsCalls(cold_service)
    try:
        revealed = [env.api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator).json["token"]
                    for link in links]
        # THEN every token comes back and KMS decrypted the data key once
        assert revealed == [link["token"] for link in links]
        assert calls.calls == ["Decrypt"]
    finally:
        calls.remove()


def test_a_kms_outage_is_a_503_that_writes_nothing(env: Env, tenant: TenantKeys, module_aws: dict) -> None:
    # GIVEN a live link, and a cold process whose KMS endpoint cannot be reached
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    down = Keyhole(settings_for(module_aws), clock=env.clock,
                   kms_client_factory=_unreachable_kms)
    app_module.use_service(down)
    try:
        # WHEN a link is created or revealed THEN 503 unavailable, and nothing was written
        for send in (lambda: env.api.post(f"/v1/resources/{tenant.resource_id}/links", key=tenant.operator, body={}),
                     lambda: env.api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator)):
            with Unchanged(env.svc):
                reply = send()
            assert_error(reply, 503, "unavailable")
        # AND viewers are not affected: their path never touches KMS
        assert env.api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200
    finally:
        app_module.use_service(env.svc)


def _unreachable_kms() -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("kms", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=1))


def test_a_sealed_token_moved_to_another_link_never_opens_there(env: Env, tenant: TenantKeys) -> None:
    # GIVEN two links of one tenant and a link of another tenant
    a = make_link(env.api, tenant.operator, tenant.resource_id)
    b = make_link(env.api, tenant.operator, tenant.resource_id)
    other = make_tenant(env.svc, env.api, name="Other")
    c = make_link(env.api, other.operator, other.resource_id)
    sealed_a = env.svc.store.get(LinkRecord, LinkRecord.key(a["id"])).sealed_token
    # WHEN someone with write access to the table copies A's sealed token onto B and onto C
    for link_id in (b["id"], c["id"]):
        LinkRecord(pk=LinkRecord.key(link_id)[0], sk="LINK").update(actions=[LinkRecord.sealed_token.set(sealed_a)])
    # THEN revealing B or C is a 409 conflict, never A's token
    for link, key in ((b, tenant.operator), (c, other.operator)):
        reply = env.api.post(f"/v1/links/{link['id']}/reveal", key=key)
        assert_error(reply, 409, "conflict")
        assert a["token"].encode() not in reply.body
    # AND A itself still reveals its own token
    assert env.api.post(f"/v1/links/{a['id']}/reveal", key=tenant.operator).json["token"] == a["token"]


def test_a_corrupted_sealed_token_is_a_409_not_a_500(env: Env, tenant: TenantKeys) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    record = env.svc.store.get(LinkRecord, LinkRecord.key(link["id"]))
    corrupted = bytearray(record.sealed_token)
    corrupted[-1] ^= 0xFF
    LinkRecord(pk=record.pk, sk=record.sk).update(actions=[LinkRecord.sealed_token.set(bytes(corrupted))])
    assert_error(env.api.post(f"/v1/links/{link['id']}/reveal", key=tenant.operator), 409, "conflict")
