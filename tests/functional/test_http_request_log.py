"""The local request log (`chalice local` as `make run` serves it) over real HTTP: an API key or a
share token that a client puts into an admin path (by mistake, or to probe) is never written in
clear; and a trailing slash on an id names the same id, so it is neither a second resource nor a way
around a check.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator
from urllib.parse import quote

import pytest
import requests

from chalicelib.tenancy import tenants
from devstack.moto_server import free_port, stop_process, wait_for_port
from tests.stack import ROOT

pytestmark = pytest.mark.http


@pytest.fixture(scope="module")
def logged_server(http_stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    """A second `chalice local` over the session stack's moto whose request log goes to a file."""
    log = tmp_path_factory.mktemp("request-log") / "stderr.txt"
    port = free_port()
    with log.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "-m", "devstack.serve", "--port", str(port), "--stage", "local"],
                                  cwd=ROOT, env=http_stack.env, stdout=subprocess.DEVNULL, stderr=sink)
        try:
            wait_for_port(port, process=server)
            yield {"url": f"http://127.0.0.1:{port}", "log": log}
        finally:
            stop_process(server)


def test_keys_and_tokens_in_admin_paths_never_reach_the_request_log(http_stack: Any,
                                                                    logged_server: Dict[str, Any]) -> None:
    # GIVEN a tenant with a live link
    _, admin = tenants.create_tenant(http_stack.svc, name="Log Co", plan="team")
    api, auth = logged_server["url"], {"Authorization": f"Bearer {admin}"}
    requests.put(f"{api}/v1/resources/logged", json={"type": "t", "name": "n", "document": {"a": 1}},
                 headers=auth).raise_for_status()
    link = requests.post(f"{api}/v1/resources/logged/links", json={}, headers=auth).json()
    token = link["token"]
    # WHEN clients put the key and the token into admin paths, plain, percent-encoded and with a slash
    paths = [f"/v1/links/{token}", f"/v1/links/{token}/", f"/v1/resources/{token}/links",
             f"/v1/resources/{admin}", f"/v1/api-keys/{admin}", f"/v1/links/{quote(token, safe='')}x",
             f"/v1/resources/{token[:-1]}%{ord(token[-1]):02X}", f"/v1/nope/{admin}/{token}",
             f"/share/{token}/data", f"/v1/links/{link['id']}?token={token}"]
    for path in paths:
        for method in ("GET", "DELETE"):
            reply = requests.request(method, api + path, headers=auth)
            assert reply.status_code < 500, (path, reply.text)
    # THEN the request log has a line for each, and neither the key nor the token (nor its secret half)
    text = Path(logged_server["log"]).read_text()
    assert text.count("\n") >= len(paths) * 2, text
    for secret in (admin, admin.split("_")[-1], token, token[:43], quote(token, safe="")):
        assert secret not in text, (secret, text)
    # AND ordinary ids stay readable
    assert link["id"] in text and "/v1/resources/logged" in text


def test_a_trailing_slash_on_an_id_is_the_same_id(http_stack: Any, logged_server: Dict[str, Any]) -> None:
    _, admin = tenants.create_tenant(http_stack.svc, name="Slash Co", plan="team")
    api, auth = logged_server["url"], {"Authorization": f"Bearer {admin}"}
    # GIVEN a resource created with a trailing slash on its id
    created = requests.put(f"{api}/v1/resources/slashed/", json={"type": "t", "name": "n", "document": {"a": 1}},
                           headers=auth)
    assert created.status_code == 201 and created.json()["id"] == "slashed", created.text
    # THEN it is the resource without the slash, for reads, links and deletes alike
    assert requests.get(f"{api}/v1/resources/slashed", headers=auth).json()["id"] == "slashed"
    link = requests.post(f"{api}/v1/resources/slashed/links/", json={}, headers=auth)
    assert link.status_code == 201 and link.json()["resource_id"] == "slashed", link.text
    assert requests.get(f"{api}/v1/links/{link.json()['id']}/", headers=auth).json()["id"] == link.json()["id"]
    ids = [r["id"] for r in requests.get(f"{api}/v1/resources", headers=auth).json()["items"]]
    assert ids == ["slashed"]
    assert requests.delete(f"{api}/v1/resources/slashed/", headers=auth).status_code == 204
    assert requests.get(f"{api}/v1/resources/slashed", headers=auth).status_code == 404
    assert requests.get(f"{link.json()['url']}/data").status_code == 404
