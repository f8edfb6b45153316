"""POST /v1/introspect: RFC 7662-style answers for a tenant's own live tokens, `{"active": false}`
for everything else (indistinguishably), introspect-only keys, views, and gated links."""

from __future__ import annotations

from typing import Any

from tests.support import align_to_window, fresh_ip, make_link, make_tenant, new_key, random_token


def introspect(env: Any, key: str, body: Any) -> Any:
    return env.api.post("/v1/introspect", key=key, body=body)


def test_live_token_of_the_callers_tenant_is_active(env: Any, tenant: Any) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id, label="For Globex", expires_in="7d",
                     scope="summary")
    _, key = new_key(env.api, tenant.admin, role="introspect")
    reply = introspect(env, key, {"token": link["token"]})
    assert reply.status == 200, reply
    body = reply.json
    assert body["active"] is True and body["token_type"] == "share_link"
    assert body["link"]["id"] == link["id"] and body["link"]["label"] == "For Globex"
    assert body["resource"] == {"id": tenant.resource_id, "type": "monitor", "name": "Checkout", "kind": "document"}
    assert body["scope"] == "summary" and body["expires_at"] == link["expires_at"] and isinstance(body["exp"], int)
    assert link["token"].encode() not in reply.body


def test_everything_else_is_the_same_inactive_answer(env: Any, tenant: Any, other_tenant: Any) -> None:
    mine = make_link(env.api, tenant.operator, tenant.resource_id)
    theirs = make_link(env.api, other_tenant.operator, other_tenant.resource_id)
    revoked = make_link(env.api, tenant.operator, tenant.resource_id)
    assert env.api.delete(f"/v1/links/{revoked['id']}", key=tenant.operator).status == 204
    expiring = make_link(env.api, tenant.operator, tenant.resource_id, expires_in="1h")
    env.clock.advance(3601)
    answers = set()
    for token in (theirs["token"], revoked["token"], expiring["token"], random_token(), "not-a-token", "x" * 512):
        reply = introspect(env, tenant.operator, {"token": token})
        assert reply.status == 200, reply
        answers.add((reply.body, tuple(sorted(k for k in reply.headers if k not in ("x-request-id",)))))
    assert len(answers) == 1 and answers.pop()[0] == b"{\"active\":false}"
    assert introspect(env, tenant.operator, {"token": mine["token"]}).json["active"] is True
    # and the other tenant sees mine as inactive
    assert introspect(env, other_tenant.operator, {"token": mine["token"]}).json == {"active": False}


def test_introspect_keys_can_do_nothing_else_and_viewers_cannot_introspect(env: Any, tenant: Any) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    _, key = new_key(env.api, tenant.admin, role="introspect")
    for method, path in (("GET", "/v1/tenant"), ("GET", "/v1/resources"), ("GET", "/v1/links"),
                         ("POST", f"/v1/resources/{tenant.resource_id}/links")):
        assert env.api.call(method, path, key=key, body={}).status == 403, path
    assert introspect(env, tenant.viewer, {"token": link["token"]}).status == 403
    assert introspect(env, tenant.admin, {"token": link["token"]}).json["active"] is True
    assert introspect(env, key, {}).status == 422
    assert introspect(env, key, {"token": link["token"], "view": {"ip": "nope"}}).status == 422


def test_a_view_counts_like_a_viewer_request(env: Any, tenant: Any) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id, rate_limit_per_min=2)
    _, key = new_key(env.api, tenant.admin, role="introspect")
    ip = fresh_ip()
    view = {"ip": ip, "user_agent": "Dashboard/1.0"}
    assert introspect(env, key, {"token": link["token"], "view": view}).json["active"] is True
    assert introspect(env, key, {"token": link["token"], "view": view}).json["active"] is True
    limited = introspect(env, key, {"token": link["token"], "view": view})
    assert limited.status == 429 and limited.json["error"]["code"] == "rate_limited"
    logs = env.api.get(f"/v1/links/{link['id']}/access-logs", key=tenant.operator).json["items"]
    assert [(e["ip"], e["user_agent"], e["method"], e["path"]) for e in logs][-1] == (
        ip, "Dashboard/1.0", "INTROSPECT", "/introspect")
    assert len(logs) == 3
    # without `view` nothing is counted
    introspect(env, key, {"token": link["token"]})
    assert len(env.api.get(f"/v1/links/{link['id']}/access-logs", key=tenant.operator).json["items"]) == 3


def test_a_view_is_limited_by_the_callers_key_not_by_the_viewers_address(env: Any) -> None:
    # GIVEN a tenant allowing 2 viewer requests a minute per address and 4 API requests a minute per key
    t = make_tenant(env.svc, env.api, name="Dash", overrides={"viewer_requests_per_min_per_ip": 2,
                                                              "api_requests_per_min": 4})
    link = make_link(env.api, t.operator, t.resource_id)
    _, key = new_key(env.api, t.admin, role="introspect")
    align_to_window(env.clock)
    ip = fresh_ip()
    # AND a viewer whose address has used its window on the share URL
    statuses = [env.api.get(f"/share/{link['token']}/data", headers={"x-forwarded-for": ip}).status
                for _ in range(3)]
    assert statuses == [200, 200, 429]
    # WHEN the tenant's backend introspects views of that viewer
    view = {"token": link["token"], "view": {"ip": ip, "user_agent": "Dashboard/1.0"}}
    answers = [introspect(env, key, view) for _ in range(5)]
    # THEN the backend's key is what limits them (4 a minute), not the viewer's address
    assert [a.status for a in answers] == [200, 200, 200, 200, 429]
    assert all(a.json["active"] is True for a in answers[:4])
    # AND each one is a view of that viewer in the access log
    logs = env.api.get(f"/v1/links/{link['id']}/access-logs", key=t.operator).json["items"]
    assert sum(1 for e in logs if e["method"] == "INTROSPECT" and e["ip"] == ip) == 4


def test_gated_links_are_never_opened_by_introspection_alone(env: Any, tenant: Any) -> None:
    locked = make_link(env.api, tenant.operator, tenant.resource_id, password="hunter22!")
    assert introspect(env, tenant.operator, {"token": locked["token"]}).json == {"active": False,
                                                                                 "requires": "password"}
    wrong = introspect(env, tenant.operator, {"token": locked["token"], "password": "nope nope"})
    assert wrong.json == {"active": False, "requires": "password"}
    right = introspect(env, tenant.operator, {"token": locked["token"], "password": "hunter22!"})
    assert right.json["active"] is True
    limited = make_link(env.api, tenant.operator, tenant.resource_id, max_views=1)
    ip = fresh_ip()
    assert introspect(env, tenant.operator, {"token": limited["token"], "view": {"ip": ip}}).json == {
        "active": False, "requires": "view_confirmation"}
    used = introspect(env, tenant.operator, {"token": limited["token"], "view": {"ip": ip, "use_view": True}})
    assert used.json["active"] is True
    gone = introspect(env, tenant.operator, {"token": limited["token"], "view": {"ip": ip, "use_view": True}})
    assert gone.json == {"active": False}


def test_a_deleted_key_stops_at_once_even_where_it_is_cached(env: Any, tenant: Any) -> None:
    link = make_link(env.api, tenant.operator, tenant.resource_id)
    key_id, key = new_key(env.api, tenant.admin, role="introspect")
    # GIVEN the key was used (so this container holds it) 5 s before the end of a minute
    align_to_window(env.clock)
    env.clock.advance(55)
    assert introspect(env, key, {"token": link["token"]}).json["active"] is True
    # WHEN an admin deletes it
    assert env.api.delete(f"/v1/api-keys/{key_id}", key=tenant.admin).status == 204
    # THEN it answers 401 at once, and still in the next minute while the cache could hold it
    assert introspect(env, key, {"token": link["token"]}).status == 401
    env.clock.advance(6)
    assert introspect(env, key, {"token": link["token"]}).status == 401
    env.clock.advance(60)
    assert introspect(env, key, {"token": link["token"]}).status == 401


def test_a_key_of_a_tenant_without_an_api_limit_is_never_taken_from_the_cache(env: Any) -> None:
    # GIVEN a tenant whose keys have no per-minute limit (so no window is written to carry a deletion)
    t = make_tenant(env.svc, env.api, name="Unlimited", overrides={"api_requests_per_min": None})
    link = make_link(env.api, t.operator, t.resource_id)
    key_id, key = new_key(env.api, t.admin, role="introspect")
    assert introspect(env, key, {"token": link["token"]}).json["active"] is True
    # WHEN the key is deleted THEN the next introspection is 401 (the key was read again)
    assert env.api.delete(f"/v1/api-keys/{key_id}", key=t.admin).status == 204
    assert introspect(env, key, {"token": link["token"]}).status == 401
