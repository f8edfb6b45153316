"""The share page in headless Chromium, against the real local stack (moto server + chalice local).

The stack's pages poll every second (KEYHOLE_PAGE_POLL_SECONDS=1, honoured on test stages only),
so live updates show up within a few seconds.
"""
from __future__ import annotations

from typing import Any, Dict, Tuple
from urllib.parse import urlsplit

import pytest
import requests

from chalicelib.access import accesslog
from chalicelib.tenancy import tenants
from chalicelib.storage.models import AccessEvent
from devstack.local import DEMO_DISPLAY, DEMO_DOCUMENT
from tests.browser.conftest import DESKTOP, PHONE, Tab, open_tab, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.http]

PASSWORD = "correct horse battery"
LIVE_TIMEOUT_MS = 10_000
NOT_FOUND = "Share link not found or has been revoked"


class Owner:
    """The tenant's side: the admin API over real HTTP."""

    def __init__(self, stack: Any) -> None:
        self.api = stack.api_url
        _, key = tenants.create_tenant(stack.svc, name="Demo Co", plan="team")
        self.auth = {"Authorization": f"Bearer {key}"}

    def put(self, resource_id: str, document: Dict[str, Any], **fields: Any) -> None:
        body = {"type": "monitor", "name": "Checkout API", "document": document,
                "redact": ["bearer_token", "Authorization"], **fields}
        reply = requests.put(f"{self.api}/v1/resources/{resource_id}", json=body, headers=self.auth, timeout=10)
        assert reply.status_code in (200, 201), reply.text

    def share(self, resource_id: str = "checkout-api", **link: Any) -> Dict[str, Any]:
        reply = requests.post(f"{self.api}/v1/resources/{resource_id}/links", json=link, headers=self.auth, timeout=10)
        assert reply.status_code == 201, reply.text
        return reply.json()

    def revoke(self, link_id: str) -> None:
        assert requests.delete(f"{self.api}/v1/links/{link_id}", headers=self.auth, timeout=10).status_code == 204


@pytest.fixture
def owner(http_stack: Any) -> Owner:
    """A tenant with the demo resource. (Reading `http_stack.svc` binds the models to the stack.)"""
    made = Owner(http_stack)
    made.put("checkout-api", DEMO_DOCUMENT, display=DEMO_DISPLAY)
    return made


def paths(tab: Tab) -> set:
    return {urlsplit(url).path for url in tab.requests if not url.startswith("data:")}


def test_viewer_sees_the_page_live_updates_and_the_not_found_state(owner: Owner, tab: Tab) -> None:
    # GIVEN the demo resource shared with a label, a description and a 30-day expiry
    link = owner.share(label="Status for Globex", description="Live status of our Checkout API, shared with "
                       "the Globex integration team.", expires_in="30d")
    page = tab.page
    # WHEN a viewer opens the share URL
    page.goto(link["url"])
    # THEN they see the resource, the label, the expiry in words and the read-only notice
    assert page.locator("h1").inner_text() == "Checkout API"
    assert page.locator(".label").inner_text() == "Status for Globex"
    assert page.get_by_text("This link expires in 30 days").is_visible()
    assert page.get_by_text("Read-only", exact=True).is_visible()
    # AND the document, readable: sections, a table of regions, formatted values
    assert page.get_by_role("heading", name="Regions").is_visible()
    assert page.locator("section:has(h2[title=regions]) tbody tr").count() == 3
    assert page.get_by_text("20 Nov 2026, 09:58 UTC").is_visible()
    # AND redacted values show *** and the secret is nowhere in the page
    masks = page.locator(".redacted")
    assert masks.count() == 2 and set(masks.all_inner_texts()) == {"***"}
    assert "sk_live_do_not_show" not in page.content()
    # AND the inline CSS and JS run under the page's policy (styled, live), with no violation
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") in ("rgb(244, 245, 248)",
                                                                             "rgb(14, 17, 23)")
    page.locator(".live").wait_for(state="visible")
    assert tab.policy_violations() == []
    # AND screenshots at phone and desktop widths are kept with the test run's artifacts
    page.set_viewport_size(PHONE)
    assert page.locator("section:has(h2[title=regions]) td.num").first.is_visible()
    screenshot(tab, "viewer-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(tab, "viewer-desktop")

    # WHEN the owner pushes a new document while the page is open
    page.evaluate("window.__sameDocument = true")
    changed = {**DEMO_DOCUMENT, "summary": "Checkout API: partial outage in ap-southeast-2.", "status": "degraded"}
    owner.put("checkout-api", changed)
    # THEN the page shows it without a reload
    page.get_by_text("Checkout API: partial outage in ap-southeast-2.").wait_for(timeout=LIVE_TIMEOUT_MS)
    assert page.locator(".pill", has_text="degraded").first.is_visible()
    assert page.evaluate("window.__sameDocument") is True
    # AND the poll that found the new version and the re-render were logged as refreshes, not views
    events = sorted(accesslog.events(link["id"]), key=lambda e: e.sk)
    assert [event.outcome for event in events] == ["viewed", "refreshed", "refreshed"]

    # WHEN the owner revokes the link
    owner.revoke(link["id"])
    # THEN the open page turns into the not-found state, still without a reload
    page.get_by_role("heading", name=NOT_FOUND).wait_for(timeout=LIVE_TIMEOUT_MS)
    assert page.get_by_text("Checkout API: partial outage").count() == 0
    assert page.evaluate("window.__sameDocument") is True
    # AND no request left the test's own host, and the page asked only for itself and its data
    assert tab.foreign_requests() == []
    token_path = urlsplit(link["url"]).path
    assert paths(tab) == {token_path, token_path + "/data"}
    assert tab.policy_violations() == []


def test_page_reads_without_javascript(owner: Owner, browser: Any) -> None:
    # GIVEN a browser with JavaScript turned off
    tab = open_tab(browser, java_script_enabled=False)
    try:
        link = owner.share(label="No JS")
        # WHEN the share URL is opened
        tab.page.goto(link["url"])
        # THEN the whole document is there and styled; only the live badge (a JS feature) is hidden
        assert tab.page.get_by_text("Checkout API: all systems operational.").is_visible()
        # AND every one of the 200 checks is in the table (paging is a JavaScript feature), charts drawn
        checks = tab.page.locator("section:has(h2[title=recent_checks]) tbody tr")
        assert checks.count() == 200 and checks.nth(199).is_visible()
        assert tab.page.locator("figure.chart svg path.line").count() == 2
        assert tab.page.locator(".table-tools").count() == 0  # no buttons that could not work
        assert not tab.page.locator(".live").is_visible()
        assert tab.foreign_requests() == []
    finally:
        tab.context.close()


def test_password_flow(owner: Owner, tab: Tab) -> None:
    # GIVEN a password-protected link
    link = owner.share(label="Protected status", password=PASSWORD)
    page = tab.page
    # WHEN it is opened
    page.goto(link["url"])
    # THEN a password form is shown, and none of the document
    password = page.get_by_label("Password")
    assert password.is_visible()
    assert page.get_by_text("operational").count() == 0
    screenshot(tab, "viewer-password-desktop")
    # WHEN a wrong password is entered
    password.fill("not the password")
    page.get_by_role("button", name="Unlock").click()
    # THEN the form comes back with an error
    page.get_by_role("alert").wait_for()
    assert "isn't right" in page.get_by_role("alert").inner_text()
    # WHEN the right password is entered
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    # THEN the page opens, at the share URL, with its content
    page.get_by_text("Checkout API: all systems operational.").wait_for()
    assert page.url == link["url"]
    # AND the unlock cookie is HttpOnly, SameSite=Strict and scoped to this link's path
    (cookie,) = tab.context.cookies()
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["path"] == urlsplit(link["url"]).path and cookie["secure"] is False
    # AND the page keeps polling with the cookie without being sent back to the form
    page.locator(".live").wait_for(state="visible")
    page.wait_for_timeout(2_500)
    assert page.get_by_label("Password").count() == 0 and page.locator("#paused").is_hidden()
    assert tab.foreign_requests() == [] and tab.policy_violations() == []


def test_view_limit_flow(owner: Owner, tab: Tab) -> None:
    # GIVEN a link that may be viewed once
    link = owner.share(label="One look", max_views=1)
    page = tab.page
    # WHEN it is opened, and opened again (as a preview or prefetch would)
    page.goto(link["url"])
    page.reload()
    # THEN no view is used: the button still offers the one view
    assert page.get_by_text("1 view left").is_visible()
    assert page.get_by_text("operational").count() == 0
    screenshot(tab, "viewer-view-limit-desktop")
    # WHEN the viewer presses the button
    page.get_by_role("button", name="Show the content").click()
    # THEN the content is shown, marked as view 1 of 1
    page.get_by_text("Checkout API: all systems operational.").wait_for()
    assert page.get_by_text("View 1 of 1").is_visible()
    # AND the link is used up: opening it again shows the not-found page
    response = page.goto(link["url"])
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name=NOT_FOUND).is_visible()
    screenshot(tab, "viewer-not-found-desktop")
    assert tab.foreign_requests() == [] and tab.policy_violations() == []


def test_hostile_document_stays_text_in_the_browser(owner: Owner, tab: Tab) -> None:
    # GIVEN a document full of markup, script and URL tricks
    hostile = {
        "<script>window.__pwned = 1</script>": "<img src=/pwned onerror=\"window.__pwned = 2\">",
        "note": "\"><svg onload=\"window.__pwned=3\"></svg>",
        "link": "javascript:window.__pwned=4",
        "rows": [{"<b>col</b>": "<iframe src=/pwned></iframe>", "rtl": "abc\u202edcba"}],
        "deep": nested(12, {"leaf": "<script>window.__pwned=5</script>"}),
    }
    owner.put("evil", hostile, name="<script>window.__pwned=6</script>")
    link = owner.share("evil", label="<b>label</b>")
    page = tab.page
    # WHEN it is opened
    page.goto(link["url"])
    page.locator(".live").wait_for(state="visible")
    # THEN nothing in it ran, nothing was loaded, and it reads as text
    assert page.evaluate("window.__pwned") is None
    assert tab.dialogs == []
    assert page.locator("h1").inner_text() == "<script>window.__pwned=6</script>"
    assert page.get_by_text("<img src=/pwned onerror=\"window.__pwned = 2\">").is_visible()
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("#share img, #share iframe, #share script, #share b").count() == 0
    assert tab.foreign_requests() == []
    assert paths(tab) <= {urlsplit(link["url"]).path, urlsplit(link["url"]).path + "/data"}


def nested(levels: int, leaf: Dict[str, Any]) -> Dict[str, Any]:
    for level in range(levels):
        leaf = {f"level_{level}": leaf}
    return leaf


def visible_width(tab: Tab) -> Tuple[int, int]:
    return tab.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_page_fits_a_phone_without_sideways_scrolling(owner: Owner, tab: Tab) -> None:
    # GIVEN a document with a very long unbroken value and a wide table
    wide = {**DEMO_DOCUMENT, "trace": "x" * 5000,
            "matrix": [{f"column_{i}": f"value number {i}" for i in range(12)} for _ in range(3)]}
    owner.put("wide", wide)
    link = owner.share("wide")
    # WHEN it is opened on a phone-sized screen
    tab.page.set_viewport_size(PHONE)
    tab.page.goto(link["url"])
    # THEN the page is no wider than the screen
    scroll_width, inner_width = visible_width(tab)
    assert scroll_width <= inner_width
