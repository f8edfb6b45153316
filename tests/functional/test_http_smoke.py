import requests

from chalicelib.tenancy import tenants


def test_admin_and_viewer_over_real_http(http_stack):
    # GIVEN a tenant on the local stack served by chalice local
    _, admin = tenants.create_tenant(http_stack.svc, name="HTTP Co", plan="team")
    auth = {"Authorization": f"Bearer {admin}"}
    api = http_stack.api_url
    # WHEN a resource is shared and its link opened
    assert requests.put(f"{api}/v1/resources/r1", json={"type": "doc", "name": "R1", "document": {"a": 1}},
                        headers=auth).status_code == 201
    created = requests.post(f"{api}/v1/resources/r1/links", json={}, headers=auth).json()
    assert created["url"].startswith(api + "/share/")
    # THEN the viewer sees the document
    data = requests.get(created["url"] + "/data")
    assert data.status_code == 200 and data.json()["document"] == {"a": 1}
