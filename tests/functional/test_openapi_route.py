"""`GET /v1/openapi.json`: the OpenAPI document, public, naming the deployment it came from."""
from __future__ import annotations

from chalicelib.runtime import apidoc


def test_the_document_is_served_without_a_key_with_this_deployments_url(app_client):
    reply = app_client.get("/v1/openapi.json", headers={"Host": "keyhole.test:8000"})
    assert reply.status == 200 and reply.headers["content-type"] == "application/json"
    assert reply.json["servers"] == [{"url": "http://keyhole.test:8000", "description": "this deployment"}]
    assert reply.json["paths"] == apidoc.document()["paths"]
    assert reply.headers["cache-control"] == f"public, max-age={apidoc.MAX_AGE_SECONDS}"


def test_a_key_changes_nothing_and_a_write_method_is_405(app_client):
    assert app_client.get("/v1/openapi.json", key="kh_not_a_key").status == 200
    assert app_client.post("/v1/openapi.json", body={}).status == 405
