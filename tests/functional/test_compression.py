"""Responses over 1 KB go out compressed (API Gateway's `minimum_compression_size`), and no
response that is compressed carries a secret next to text an attacker chose (BREACH).

BREACH recovers a secret from the compressed size of responses that also reflect text the
attacker controls, by making a victim's browser send many guesses with its credentials. The
tests check what that needs never meets: viewer pages and JSON reflect nothing of the request
(query, headers, cookies, validators), and the admin API is authenticated by a header a browser
never attaches by itself.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict

import pytest

from chalicelib.tenancy import tenants
from tests.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
MARK = "zq7attackerchosentextzq7"


def test_api_gateway_compresses_responses_over_1_kb_on_every_stage() -> None:
    import botocore.session
    from chalice.awsclient import TypedAWSClient
    from chalice.cli.factory import CLIFactory
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.package import PackageOptions, SAMTemplateGenerator

    for stage in ("dev", "prod"):
        # GIVEN the template `chalice package` generates for the stage (in process, no zip)
        config = CLIFactory(str(ROOT), environ=dict(os.environ)).create_config_obj(chalice_stage_name=stage)
        resources = DependencyBuilder().build_dependencies(ApplicationGraphBuilder().build(config, stage))
        generator = SAMTemplateGenerator(config, PackageOptions(TypedAWSClient(botocore.session.get_session())))
        generated = generator.generate([r for r in resources if isinstance(r, (models.RestAPI, models.LambdaFunction))])
        # THEN the REST API compresses any response of 1 KB or more (for clients that accept it)
        api = generated["Resources"]["RestAPI"]["Properties"]
        assert api["MinimumCompressionSize"] == 1024, stage
    # AND `chalice deploy` reads the same setting (its validation accepts it)
    from chalice.deploy.validate import validate_minimum_compression_size

    validate_minimum_compression_size(config)


@pytest.fixture
def links(svc: Any, app_client: Api) -> Dict[str, Any]:
    _, admin = tenants.create_tenant(svc, name="Breach Co", plan="team")
    reply = app_client.put("/v1/resources/r", key=admin, body={
        "type": "monitor", "name": "R", "document": {"status": "up", "rows": [{"n": n} for n in range(80)]}})
    assert reply.status == 201, reply
    made = {}
    for name, body in (("plain", {}), ("password", {"password": "correct horse battery"}), ("capped", {"max_views": 3})):
        created = app_client.post("/v1/resources/r/links", key=admin, body=body)
        assert created.status == 201, created
        made[name] = created.json
    return made


@pytest.mark.parametrize("route", ["page", "data", "info", "password page", "button page", "poll", "dead"])
def test_viewer_responses_reflect_nothing_an_attacker_sends(app_client: Api, links: Dict[str, Any], route: str) -> None:
    # GIVEN a request whose every attacker-controllable part carries chosen text
    token = {"password page": links["password"], "button page": links["capped"]}.get(route, links["plain"])["token"]
    if route == "dead":
        token = "A" * 64
    path = {"data": "/data", "poll": "/data", "info": "/info"}.get(route, "")
    headers = {
        "x-forwarded-for": "198.51.100.99",
        "user-agent": MARK,
        "referer": f"https://{MARK}.example/",
        "cookie": f"kh_unlock={MARK}; other={MARK}",
        "x-keyhole-refresh": f'"1.{MARK}"',
        "accept-language": MARK,
        "if-none-match": f'"{MARK}"' if route == "poll" else "",
    }
    # WHEN it is sent
    reply = app_client.get(f"/share/{token}{path}?q={MARK}&{MARK}=1", headers={k: v for k, v in headers.items() if v})
    # THEN none of it comes back in the body or the headers, so no compressed response mixes an
    # attacker's guesses with what the page holds (its nonce, the document, the token in a form)
    assert reply.status in (200, 404), reply
    assert MARK not in reply.body.decode("utf-8", "replace")
    assert MARK not in json.dumps(reply.headers)


def test_the_admin_api_is_not_authenticated_by_anything_a_browser_sends_by_itself(
        app_client: Api, links: Dict[str, Any]) -> None:
    # GIVEN what a cross-site page can make a browser send: cookies and a query string, no API key
    reply = app_client.get(f"/v1/links?q={MARK}", headers={"cookie": f"session={MARK}"})
    # THEN the admin API answers 401 and reflects nothing: responses with keys and tokens are only
    # ever made for a client that holds a key, never for a victim's browser
    assert reply.status == 401
    assert MARK not in reply.body.decode()
