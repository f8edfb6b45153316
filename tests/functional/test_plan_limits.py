"""SPEC.md's plan limits and rate limits: each one reached exactly at its value, answered with
409 `limit_reached` naming it (or 429 with Retry-After), freed the way SPEC says, and never
half-writing anything on the way.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

import pytest

import app as app_module
from chalicelib.tenancy import tenants
from chalicelib.service import Keyhole
from tests.conftest import Reply, settings_for
from tests.functional.conftest import Env
from tests.support import (TenantKeys, align_to_window, assert_error, fresh_ip, make_link, make_tenant,
                           put_resource, random_token, refused)


def _limited(env: Env, plan: str = "team", **overrides: Optional[int]) -> TenantKeys:
    return make_tenant(env.svc, env.api, name=f"{plan} tenant", plan=plan, overrides=overrides or None)


def _create(env: Env, t: TenantKeys, resource_id: Optional[str] = None, **body: Any) -> Reply:
    return env.api.post(f"/v1/resources/{resource_id or t.resource_id}/links", key=t.operator, body=body)


def _limit_error(env: Env, send: Any, limit: str, value: int) -> Dict[str, Any]:
    error = refused(env.svc, send, 409, "limit_reached")
    assert error["limit"] == limit and error["limit_value"] == value and limit in error["message"]
    return error


@pytest.mark.parametrize("plan,limit", [("free", 1), ("team", 10)])
def test_links_per_resource_is_enforced_at_the_plan_value(env: Env, plan: str, limit: int) -> None:
    # GIVEN a tenant on `plan` WHEN it creates `limit` links on one resource THEN all succeed
    t = _limited(env, plan)
    links = [make_link(env.api, t.operator, t.resource_id) for _ in range(limit)]
    # AND the next one is 409 limit_reached naming links_per_resource, and writes nothing
    _limit_error(env, lambda: _create(env, t), "links_per_resource", limit)
    # WHEN one is revoked THEN its slot is free at once
    env.api.delete(f"/v1/links/{links[0]['id']}", key=t.operator)
    assert _create(env, t).status == 201


def test_an_expired_link_frees_its_slot_from_its_expiry_on(env: Env) -> None:
    # GIVEN a free tenant whose only slot on the resource holds a link expiring in an hour
    t = _limited(env, "free")
    make_link(env.api, t.operator, t.resource_id, expires_in="1h")
    _limit_error(env, lambda: _create(env, t), "links_per_resource", 1)
    # WHEN the hour has passed (TTL has not removed anything)
    env.clock.advance(3601)
    # THEN a new link can be created, and usage shows one active link
    assert _create(env, t).status == 201
    assert env.api.get("/v1/tenant", key=t.viewer).json["usage"]["active_links"] == 1


def test_an_exhausted_link_frees_its_slot(env: Env) -> None:
    # GIVEN a free tenant whose only slot holds a one-view link that has been viewed
    t = _limited(env, "free")
    token = make_link(env.api, t.operator, t.resource_id, max_views=1)["token"]
    assert env.api.post(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200
    # WHEN another link is created THEN the exhausted one's slot is reclaimed for it
    assert _create(env, t).status == 201
    statuses = {link["status"] for link in env.api.get("/v1/links?status=all", key=t.viewer).json["items"]}
    assert statuses == {"active", "exhausted"}


def test_shared_resources_is_enforced_and_freed_by_deleting_a_resource(env: Env) -> None:
    # GIVEN a free tenant (2 shared resources) with links on two resources
    t = _limited(env, "free")
    put_resource(env.api, t.operator, "second")
    put_resource(env.api, t.operator, "third")
    make_link(env.api, t.operator, t.resource_id)
    make_link(env.api, t.operator, "second")
    # WHEN a third resource gets a link THEN 409 naming shared_resources, nothing written
    _limit_error(env, lambda: _create(env, t, "third"), "shared_resources", 2)
    assert env.api.get("/v1/tenant", key=t.viewer).json["usage"] == {"active_links": 2, "shared_resources": 2}
    # WHEN one shared resource is deleted THEN the third can be shared
    assert env.api.delete("/v1/resources/second", key=t.operator).status == 204
    assert _create(env, t, "third").status == 201


def test_ops_overrides_change_a_tenants_limits(env: Env) -> None:
    # GIVEN a free tenant with links_per_resource overridden to 3 by ops
    t = _limited(env, "free", links_per_resource=3)
    assert env.api.get("/v1/tenant", key=t.viewer).json["limits"]["links_per_resource"] == 3
    for _ in range(3):
        make_link(env.api, t.operator, t.resource_id)
    _limit_error(env, lambda: _create(env, t), "links_per_resource", 3)
    # WHEN ops lifts the limit THEN more links can be created
    tenants.set_override(env.svc, t.tenant_id, "links_per_resource", None)
    assert _create(env, t).status == 201


def test_api_requests_per_min_is_per_key_with_retry_after(env: Env) -> None:
    # GIVEN a tenant allowed 5 API requests per minute per key, at the start of a window
    t = _limited(env, api_requests_per_min=5)
    align_to_window(env.clock)
    # WHEN one key sends 5 requests THEN they pass; the 6th is 429 with Retry-After
    assert [env.api.get("/v1/tenant", key=t.viewer).status for _ in range(5)] == [200] * 5
    reply = env.api.get("/v1/tenant", key=t.viewer)
    error = assert_error(reply, 429, "rate_limited")
    assert 1 <= int(reply.headers["retry-after"]) <= 60 and error["retry_after"] == int(reply.headers["retry-after"])
    # AND refused requests write nothing
    refused(env.svc, lambda: env.api.post("/v1/api-keys", key=t.viewer, body={"name": "x", "role": "admin"}),
            429, "rate_limited")
    # AND another key of the same tenant is unaffected
    assert env.api.get("/v1/tenant", key=t.operator).status == 200
    # AND the next window the key works again
    env.clock.advance(60)
    assert env.api.get("/v1/tenant", key=t.viewer).status == 200


def test_viewer_requests_per_min_per_ip(env: Env) -> None:
    # GIVEN a tenant allowing 3 viewer requests per minute per IP
    t = _limited(env, viewer_requests_per_min_per_ip=3)
    token = make_link(env.api, t.operator, t.resource_id)["token"]
    align_to_window(env.clock)
    ip = fresh_ip()
    # WHEN one IP makes 4 requests THEN the 4th is 429; another IP still gets through
    statuses = [env.api.get(f"/share/{token}/data", headers={"x-forwarded-for": ip}).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert env.api.get(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip()}).status == 200


def test_failed_resolves_use_the_tenants_limit_for_its_dead_links(env: Env) -> None:
    # GIVEN an enterprise tenant (60 failed resolves per IP) and one of its expired links
    t = _limited(env, "enterprise")
    link = make_link(env.api, t.operator, t.resource_id, expires_in="1m")
    env.clock.advance(61)
    align_to_window(env.clock)
    ip = fresh_ip()
    # WHEN one IP keeps asking for it THEN 60 answers are 404, then 429
    statuses = [env.api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status
                for _ in range(61)]
    assert statuses == [404] * 60 + [429]


def test_a_links_own_rate_limit_ignores_304_polls(env: Env, tenant: TenantKeys) -> None:
    # GIVEN a link limited to 2 requests a minute, fetched once
    token = make_link(env.api, tenant.operator, tenant.resource_id, rate_limit_per_min=2)["token"]
    align_to_window(env.clock)
    first = env.api.get(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip()})
    # WHEN an open page polls with If-None-Match many times THEN every poll is a 304, never 429
    polls = {env.api.get(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip(),
                                                           "if-none-match": first.headers["etag"]}).status
             for _ in range(5)}
    assert polls == {304}
    # AND full fetches are limited: the second passes, the third is 429
    assert [env.api.get(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip()}).status
            for _ in range(2)] == [200, 429]


def test_limits_hold_for_unknown_tokens_from_an_ip_before_any_tenant_is_known(env: Env) -> None:
    # GIVEN the default guard (30 per IP per minute for tokens naming no tenant)
    align_to_window(env.clock)
    ip = fresh_ip()
    statuses = [env.api.get(f"/share/{random_token()}/info", headers={"x-forwarded-for": ip}).status
                for _ in range(31)]
    assert statuses == [404] * 30 + [429]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_x_forwarded_for_cannot_dodge_per_ip_limits_on_a_deployed_stage(env: Env, module_aws: dict,
                                                                       stage: str) -> None:
    # GIVEN a deployed stage (even with the trust flag set by mistake) and a 3-per-minute IP limit
    t = _limited(env, viewer_requests_per_min_per_ip=3)
    token = make_link(env.api, t.operator, t.resource_id)["token"]
    deployed = Keyhole(settings_for(module_aws, stage=stage, trust_forwarded_for=True), clock=env.clock)
    align_to_window(env.clock)
    app_module.use_service(deployed)
    try:
        # WHEN one client rotates X-Forwarded-For on every request THEN it is still one IP: 429 on the 4th
        statuses = [env.api.get(f"/share/{token}/data", headers={"x-forwarded-for": fresh_ip()}).status
                    for _ in range(4)]
    finally:
        app_module.use_service(env.svc)
    assert statuses == [200, 200, 200, 429]

