from chalicelib.tenancy import tenants


def test_walkthrough(svc, app_client):
    tenant, admin = tenants.create_tenant(svc, name="Acme", plan="team")
    api = app_client
    r = api.get("/v1/tenant", key=admin)
    assert r.status == 200, r
    r = api.post("/v1/api-keys", key=admin, body={"name": "ci", "role": "operator"})
    assert r.status == 201, r
    op = r.json["key"]
    r = api.put("/v1/resources/mon-1", key=op, body={"type": "monitor", "name": "API", "document": {"url": "https://x", "auth": {"bearer_token": "s3cret"}}, "redact": ["bearer_token"]})
    assert r.status == 201, r
    r = api.post("/v1/resources/mon-1/links", key=op, body={"label": "Slack"})
    assert r.status == 201, r
    token = r.json["token"]
    link_id = r.json["id"]
    r = api.get(f"/share/{token}/data")
    assert r.status == 200, r
    assert r.json["document"]["auth"]["bearer_token"] == "***"
    r = api.post(f"/v1/links/{link_id}/reveal", key=op)
    assert r.status == 200 and r.json["token"] == token, r
    r = api.get("/v1/links", key=op)
    assert r.status == 200 and len(r.json["items"]) == 1, r
    r = api.delete(f"/v1/links/{link_id}", key=op)
    assert r.status == 204, r
    r = api.get(f"/share/{token}/data")
    assert r.status == 404, r
    r = api.get("/v1/audit", key=admin)
    assert r.status == 200, r
    print([e["action"] for e in r.json["items"]])
