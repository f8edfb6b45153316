"""Lists whose items are spread over several partitions (a link's access log, an endpoint's
delivery log) still read newest first, page by page, each entry once; their cursors belong to
one list of one owner."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest

from chalicelib.tenancy import tenants
from tests.conftest import Api
from tests.support import b64_cursor


@pytest.fixture
def opened(svc: Any, app_client: Api, clock: Any) -> Dict[str, Any]:
    _, admin = tenants.create_tenant(svc, name="Busy Co", plan="team")
    assert app_client.put("/v1/resources/r", key=admin, body={"type": "t", "name": "n", "document": {"a": 1}}).status == 201
    links = [app_client.post("/v1/resources/r/links", key=admin, body={}).json for _ in range(2)]
    for n in range(23):
        clock.advance(0.002)  # distinct milliseconds: the expected order is the order of the requests
        reply = app_client.get(f"/share/{links[0]['token']}/data", headers={"x-forwarded-for": f"198.51.100.{n + 1}"})
        assert reply.status == 200
    return {"admin": admin, "links": links}


def walk(api: Api, path: str, key: str, limit: int) -> List[List[Dict[str, Any]]]:
    pages, cursor = [], None
    while True:
        reply = api.get(f"{path}?limit={limit}" + (f"&cursor={cursor}" if cursor else ""), key=key)
        assert reply.status == 200, reply
        pages.append(reply.json["items"])
        cursor = reply.json["next_cursor"]
        if not cursor:
            return pages


def test_the_access_log_pages_newest_first_across_its_partitions(app_client: Api, opened: Dict[str, Any]) -> None:
    link = opened["links"][0]
    # WHEN its access log is read 7 entries at a time
    pages = walk(app_client, f"/v1/links/{link['id']}/access-logs", opened["admin"], 7)
    entries = [e for page in pages for e in page]
    # THEN every request is listed once, newest first, in full pages but the last
    assert [len(page) for page in pages] == [7, 7, 7, 2]
    assert [e["ip"] for e in entries] == [f"198.51.100.{n}" for n in range(23, 0, -1)]
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)


def test_an_access_log_cursor_opens_no_other_list(app_client: Api, opened: Dict[str, Any]) -> None:
    first, other = opened["links"]
    cursor = app_client.get(f"/v1/links/{first['id']}/access-logs?limit=3", key=opened["admin"]).json["next_cursor"]
    # WHEN the cursor is sent to another link's log, or edited
    foreign = app_client.get(f"/v1/links/{other['id']}/access-logs?cursor={cursor}", key=opened["admin"])
    forged = app_client.get(f"/v1/links/{first['id']}/access-logs?cursor=" + b64_cursor(
        {"list": "access-logs", "owner": first["id"], "before": "9999"}), key=opened["admin"])
    # THEN both are 422 on `cursor`
    for reply in (foreign, forged):
        assert reply.status == 422 and reply.json["error"]["details"][0]["field"] == "cursor", reply
