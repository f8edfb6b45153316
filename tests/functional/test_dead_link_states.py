"""Dead links that only a broken or racing write leaves behind, and the exact instant of expiry:
each answers the one 404 (and introspection the one `{"active": false}`), byte for byte what an
unknown token gets. These catch changes to the dead-reason checks that every other test let
through (issue 19, "tests that let a change through")."""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, List, Tuple

import pytest

from chalicelib.runtime.caches import TENANT_TTL_SECONDS
from chalicelib.runtime.clock import parse_rfc3339
from chalicelib.storage.models import Capability, Tenant, ViewerHead
from chalicelib.credentials.tokens import parse_share_token
from tests.support import fresh_ip, make_link, make_tenant, new_key, random_token

VARYING = {"x-request-id"}
SURFACES: List[Tuple[str, str, Dict[str, str]]] = [
    ("GET", "/data", {}),
    ("GET", "/info", {}),
    ("GET", "", {"accept": "text/html"}),
    ("POST", "/data", {}),
]


def _answer(env: Any, token: str, method: str, suffix: str, headers: Dict[str, str]) -> Tuple[int, Any, Dict[str, str]]:
    reply = env.api.call(method, f"/share/{token}{suffix}", raw=b"",
                         headers={"x-forwarded-for": fresh_ip(), **headers})
    return reply.status, reply.body, {k: v for k, v in reply.headers.items() if k not in VARYING}


def assert_the_one_404(env: Any, token: str, introspect_key: str) -> None:
    reference = random_token()
    for method, suffix, headers in SURFACES:
        seen = _answer(env, token, method, suffix, headers)
        assert seen[0] == 404, (method, suffix, seen)
        assert seen == _answer(env, reference, method, suffix, headers), (method, suffix)
    answer = env.api.post("/v1/introspect", key=introspect_key, body={"token": token})
    assert answer.status == 200 and answer.body == b'{"active":false}'


def _heads(token: str) -> List[Tuple[str, str]]:
    parsed = parse_share_token(token)
    assert parsed is not None
    return [ViewerHead.key(parsed.locator, replica) for replica in range(ViewerHead.REPLICAS)]


def _cap_key(token: str) -> Tuple[str, str]:
    parsed = parse_share_token(token)
    assert parsed is not None
    return Capability.key(parsed.hash)


def _update_heads(env: Any, token: str, **values: Any) -> None:
    for key in _heads(token):
        head = env.svc.store.get(ViewerHead, key)
        for name, value in values.items():
            setattr(head, name, value)
        head.save()


def _update_cap(env: Any, token: str, **values: Any) -> None:
    cap = env.svc.store.get(Capability, _cap_key(token))
    for name, value in values.items():
        setattr(cap, name, value)
    cap.save()


def _delete_heads(env: Any, token: str) -> None:
    for key in _heads(token):
        env.svc.store.get(ViewerHead, key).delete()


HALF_DELETED: Dict[str, Callable[[Any, str, Any], None]] = {
    "viewer heads deleted": lambda env, token, other: _delete_heads(env, token),
    "head of another resource": lambda env, token, other: _update_cap(env, token, resource_id="another-resource"),
    "head of another tenant": lambda env, token, other: _update_heads(env, token, tenant_id=other.tenant_id),
    "capability and head of another tenant": lambda env, token, other: (
        _update_cap(env, token, tenant_id=other.tenant_id), _update_heads(env, token, tenant_id=other.tenant_id)),
}


@pytest.mark.parametrize("state", list(HALF_DELETED))
def test_a_capability_whose_resource_is_half_deleted_is_the_one_404(env: Any, tenant: Any, other_tenant: Any,
                                                                    state: str) -> None:
    # GIVEN a live link, opened once
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    _, key = new_key(env.api, tenant.admin, role="introspect")
    assert env.api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200
    # WHEN its capability is still there but its resource's viewer head is gone or names another
    # resource or tenant (what an interrupted or racing write could leave)
    HALF_DELETED[state](env, link["token"], other_tenant)
    # THEN every viewer surface answers the one 404 of an unknown token, and introspection the one
    # inactive answer
    assert_the_one_404(env, link["token"], key)


def test_a_capability_whose_tenant_item_is_gone_is_the_one_404(env: Any) -> None:
    # GIVEN a live link of a tenant whose item disappears (the container's cached copy ages out)
    t = make_tenant(env.svc, env.api, name="Vanishing")
    witness = make_tenant(env.svc, env.api, name="Witness")
    link = make_link(env.api, t.operator, t.resource_id)
    _, key = new_key(env.api, witness.admin, role="introspect")
    env.svc.store.get(Tenant, Tenant.key(t.tenant_id)).delete()
    env.clock.advance(TENANT_TTL_SECONDS + 1)
    # THEN it is the one 404
    reference = random_token()
    for method, suffix, headers in SURFACES:
        seen = _answer(env, link["token"], method, suffix, headers)
        assert seen[0] == 404 and seen == _answer(env, reference, method, suffix, headers), (method, suffix)


def _at(env: Any, moment: float) -> None:
    """Set the service's clock to `moment` (epoch seconds) now."""
    env.clock.offset_seconds = moment - time.time()


def test_a_link_is_dead_from_the_exact_instant_of_its_expiry(env: Any, tenant: Any) -> None:
    # GIVEN a link that expires in an hour
    link = make_link(env.api, tenant.operator, tenant.resource_id, expires_in="1h")
    _, key = new_key(env.api, tenant.admin, role="introspect")
    expires = parse_rfc3339(link["expires_at"]).timestamp()
    # WHEN the clock reads one second before its expiry THEN it is live
    _at(env, expires - 1 + 0.05)
    assert env.api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200
    _at(env, expires - 1 + 0.05)
    assert env.api.post("/v1/introspect", key=key, body={"token": link["token"]}).json["active"] is True
    # AND at the very second of its expiry it is the one 404 everywhere
    for method, suffix, headers in SURFACES:
        _at(env, expires + 0.05)
        seen = _answer(env, link["token"], method, suffix, headers)
        _at(env, expires + 0.05)
        assert seen == _answer(env, random_token(), method, suffix, headers), (method, suffix, seen[0])
    _at(env, expires + 0.05)
    assert env.api.post("/v1/introspect", key=key, body={"token": link["token"]}).body == b'{"active":false}'
    _at(env, expires + 0.05)
    assert env.api.get(f"/v1/links/{link['id']}", key=tenant.operator).json["status"] == "expired"
