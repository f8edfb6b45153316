"""What the README promises about request ids, checked: every response the app answers carries
`X-Request-Id`; admin error bodies carry it as `request_id` too; viewer error bodies never do (a
dead link's 404 is the same bytes for every dead link)."""
from __future__ import annotations

from tests.conftest import Api
from tests.support import fresh_ip, make_link, make_tenant, random_token


def test_every_response_carries_its_request_id_and_only_admin_errors_name_it_in_the_body(svc, app_client: Api):
    t = make_tenant(svc, app_client, name="Request Id Co")
    token = make_link(app_client, t.operator, t.resource_id)["url"].rsplit("/", 1)[1]
    ip = {"x-forwarded-for": fresh_ip()}
    answers = {
        "admin 200": app_client.get("/v1/tenant", key=t.viewer),
        "admin 404": app_client.get("/v1/links/lnk_000000000000000000000000", key=t.viewer),
        "admin 401": app_client.get("/v1/tenant", key="kh_nobody"),
        "page 200": app_client.get(f"/share/{token}", headers=ip),
        "data 200": app_client.get(f"/share/{token}/data", headers=ip),
        "info 200": app_client.get(f"/share/{token}/info", headers=ip),
        "dead data 404": app_client.get(f"/share/{random_token()}/data", headers=ip),
        "dead page 404": app_client.get(f"/share/{random_token()}", headers=ip),
        "robots": app_client.get("/robots.txt"),
        "openapi": app_client.get("/v1/openapi.json"),
    }
    ids = {name: reply.headers.get("x-request-id") for name, reply in answers.items()}
    assert all(ids.values()), ids
    assert len(set(ids.values())) == len(ids)  # one per request
    for name in ("admin 404", "admin 401"):
        assert answers[name].json["error"]["request_id"] == ids[name]
    dead = [answers["dead data 404"], app_client.get(f"/share/{random_token()}/data", headers=ip)]
    assert "request_id" not in dead[0].json["error"] and dead[0].body == dead[1].body
    assert ids["dead page 404"].encode() not in answers["dead page 404"].body
