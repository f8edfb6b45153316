"""Origin links in headless Chromium against the real local stack and a real origin: the demo
origin's page through Keyhole, and the isolation of proxied content (its scripts cannot read
Keyhole's cookies or pages, or another link's page or storage)."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterator
from urllib.parse import quote

import pytest
import requests

from chalicelib.tenancy import tenants
from chalicelib.runtime import content_origin
from tests.browser.conftest import Tab, screenshot
from tests.origin.kit import start_origin

pytestmark = [pytest.mark.browser, pytest.mark.http]


@pytest.fixture(scope="module")
def origin() -> Iterator[Any]:
    server = start_origin()
    yield server
    server.shutdown()


class Owner:
    def __init__(self, stack: Any, origin: Any) -> None:
        self.api = stack.api_url
        self.origin = origin
        _, key = tenants.create_tenant(stack.svc, name="Demo Co", plan="team")
        self.auth = {"Authorization": f"Bearer {key}"}

    def origin_resource(self, resource_id: str, **origin: Any) -> None:
        body = {"type": "monitor", "name": "Checkout API (live)", "origin": {"url": self.origin.url, **origin}}
        reply = requests.put(f"{self.api}/v1/resources/{resource_id}", json=body, headers=self.auth, timeout=10)
        assert reply.status_code == 201, reply.text
        self.origin.secrets.append(reply.json()["origin_secret"])

    def link(self, resource_id: str, **fields: Any) -> Dict[str, Any]:
        reply = requests.post(f"{self.api}/v1/resources/{resource_id}/links", json=fields, headers=self.auth,
                              timeout=10)
        assert reply.status_code == 201, reply.text
        return reply.json()


def content_base(stack: Any, link: Dict[str, Any]) -> str:
    port = stack.api_url.rsplit(":", 1)[1]
    return f"http://{content_origin.label_for(link['id'])}.localhost:{port}"


def test_the_origin_link_shows_the_origins_live_page(http_stack: Any, origin: Any, tab: Tab) -> None:
    owner = Owner(http_stack, origin)
    owner.origin_resource("live", banner=True)
    link = owner.link("live", label="Live dashboard")
    tab.page.goto(link["url"])
    tab.page.wait_for_function("document.getElementById('status').textContent === 'up'")
    assert tab.page.url == f"{content_base(http_stack, link)}/share/{link['token']}/o/"
    assert "Shared through a private link by Demo Co" in tab.page.inner_text("#keyhole-share-banner")
    assert tab.page.inner_text("#latency").isdigit()
    tab.page.wait_for_function("document.querySelectorAll('#checks li').length === 5")
    assert all(entry["verified"] for entry in origin.received[-4:])  # page, script, style, API: all signed
    screenshot(tab, "origin-demo-page")


def test_proxied_scripts_cannot_reach_keyhole_or_another_link(http_stack: Any, origin: Any, tab: Tab) -> None:
    owner = Owner(http_stack, origin)
    owner.origin_resource("live")
    mine, other = owner.link("live", label="A"), owner.link("live", label="B")
    # GIVEN Keyhole's own unlock cookie in this browser (a password document link, unlocked)
    doc = requests.put(f"{owner.api}/v1/resources/doc", headers=owner.auth, timeout=10,
                       json={"type": "t", "name": "Doc", "document": {"secret_figure": 42}})
    assert doc.status_code == 201
    locked = owner.link("doc", password="correct horse battery")
    tab.page.goto(locked["url"])
    tab.page.fill("input[type=password]", "correct horse battery")
    tab.page.click("button[type=submit]")
    tab.page.wait_for_selector("text=42")
    assert any(c["name"] == "kh_unlock" and c["domain"] == "127.0.0.1" for c in tab.context.cookies())
    # AND the other link's proxied app, which keeps something in its storage
    tab.page.goto(other["url"])
    tab.page.wait_for_function("document.getElementById('status').textContent === 'up'")
    tab.page.evaluate("localStorage.setItem('b-secret', 'only for link B')")
    # WHEN a script in my link's proxied page tries to read them
    keyhole_data = f"{owner.api}/share/{locked['token']}/data"
    other_page = f"{content_base(http_stack, other)}/share/{other['token']}/o/api/status"
    probe = (f"{content_base(http_stack, mine)}/share/{mine['token']}/o/probe"
             f"?keyhole={quote(keyhole_data, safe='')}&other={quote(other_page, safe='')}")
    tab.page.goto(probe)
    tab.page.wait_for_function("document.getElementById('result').textContent !== 'running'")
    result = json.loads(tab.page.inner_text("#result"))
    # THEN it runs on its own origin and reaches none of them
    assert result["origin"] == content_base(http_stack, mine)
    assert "kh_unlock" not in result["cookies"] and result["cookies"] == ""
    assert "b-secret" not in result["storage"]
    assert result["keyhole"] == "blocked", result
    assert result["other"] == "blocked", result
    assert result["opened"] in ("blocked", "no window"), result
    # AND Keyhole's own host and the other link's origin still have what they hold
    tab.page.goto(other_page.replace("/api/status", "/"))
    assert tab.page.evaluate("localStorage.getItem('b-secret')") == "only for link B"
