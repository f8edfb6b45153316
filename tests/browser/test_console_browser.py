"""The share dialog and the console in headless Chromium (Debian's), against the real local stack,
embedded the way a product embeds them: the demo product (devstack/product.py) on its own origin,
`http://product.localhost:<port>`, another site than Keyhole's `http://127.0.0.1:<port>`, with
third-party cookies blocked. axe-core and jsQR (tests/browser/vendor, a test dependency with a lock
file, never served by Keyhole) are run in the pages through DevTools, outside their policies.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import quote, urlsplit

import pytest
import requests

from chalicelib.tenancy import tenants
from devstack.local import DEMO_DISPLAY, DEMO_DOCUMENT
from devstack.moto_server import free_port
from devstack.product import ProductServer
from tests.browser.conftest import CHROMIUM_ARGS, DESKTOP, PHONE, Tab, chromium_path, open_tab, screenshot
from tests.clients.kit import npm_ci

pytestmark = [pytest.mark.browser, pytest.mark.http]

VENDOR = Path(__file__).resolve().parent / "vendor"
# Chromium's switch that blocks third-party cookies as browsers now do (the test checks it works).
NO_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NOT_FOUND = {"error": {"code": "not_found", "message": "Share link not found or has been revoked"}}


@pytest.fixture(scope="module")
def tools() -> Dict[str, str]:
    modules = npm_ci(VENDOR)
    return {
        "axe": (modules / "axe-core" / "axe.min.js").read_text(),
        "jsqr": (modules / "jsqr" / "dist" / "jsQR.js").read_text(),
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=[*CHROMIUM_ARGS, NO_THIRD_PARTY_COOKIES],
                                              headless=True)
        try:
            yield launched
        finally:
            launched.close()


class Demo:
    """A tenant with the demo resource, the demo product embedding its dialog, an admin key."""

    def __init__(self, stack: Any, plan: str = "team", overrides: Dict[str, Any] | None = None) -> None:
        self.stack = stack
        self.api = stack.api_url
        tenant, self.admin = tenants.create_tenant(stack.svc, name="Demo Co", plan=plan, overrides=overrides)
        self.tenant_id = tenant.tenant_id
        self.auth = {"Authorization": f"Bearer {self.admin}"}
        body = {"type": "monitor", "name": "Checkout API", "document": DEMO_DOCUMENT, "display": DEMO_DISPLAY,
                "redact": ["bearer_token", "Authorization"]}
        assert requests.put(f"{self.api}/v1/resources/checkout-api", json=body, headers=self.auth, timeout=30).status_code == 201
        self.product = ProductServer(free_port(), api_url=self.api, api_key=self.admin, resource_id="checkout-api")
        self.product.start()
        reply = requests.patch(f"{self.api}/v1/tenant", json={"embed_origins": [self.product.url]}, headers=self.auth, timeout=30)
        assert reply.status_code == 200, reply.text

    def call(self, method: str, path: str, body: Any = None, key: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {key or self.admin}"}
        return requests.request(method, self.api + path, json=body, headers=headers, timeout=30)

    def mint(self, **body: Any) -> str:
        reply = self.call("POST", "/v1/console/sessions", body)
        assert reply.status_code == 201, reply.text
        return str(reply.json()["url"])

    def close(self) -> None:
        self.product.shutdown()
        self.product.server_close()


@pytest.fixture
def demo(http_stack: Any) -> Iterator[Demo]:
    made = Demo(http_stack)
    try:
        yield made
    finally:
        made.close()


def product_tab(browser: Any, demo: Demo, viewport: Dict[str, int] = DESKTOP, **options: Any) -> Tab:
    tab = open_tab(browser, **options)
    tab.page.set_viewport_size(viewport)
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.product.url)
    tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo.api)
    return tab


def open_dialog(tab: Tab, demo: Demo) -> Any:
    """The product page, its Share button, the dialog in the iframe (the Frame)."""
    tab.page.goto(demo.product.url + "/")
    tab.page.get_by_role("button", name="Share").click()
    frame = tab.page.frame_locator("#dialog")
    frame.get_by_role("heading", name="Share \u201cCheckout API\u201d").wait_for()
    return next(f for f in tab.page.frames if f.url.startswith(demo.api))


def events(tab: Tab) -> List[str]:
    return [line.split(" ", 1)[0] for line in tab.page.locator("#events li").all_inner_texts()]


def decode_qr(frame: Any, tools: Dict[str, str]) -> str:
    """What the drawn QR code says, read by jsQR from the SVG rendered to a canvas."""
    frame.evaluate(tools["jsqr"] + "\n;window.__jsQR = jsQR; 0")  # (a function as the last value would be called)
    return str(frame.evaluate("""async () => {
        const svg = document.querySelector('.qr svg');
        const data = 'data:image/svg+xml;base64,' + btoa(new XMLSerializer().serializeToString(svg));
        const image = new Image();
        await new Promise((done, failed) => { image.onload = done; image.onerror = failed; image.src = data; });
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = 400;
        const context = canvas.getContext('2d');
        context.drawImage(image, 0, 0, 400, 400);
        const pixels = context.getImageData(0, 0, 400, 400);
        const found = window.__jsQR(pixels.data, 400, 400);
        return found ? found.data : '';
    }"""))


def axe(frame: Any, tools: Dict[str, str]) -> List[Dict[str, Any]]:
    frame.evaluate(tools["axe"] + "\n;0")
    result = frame.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]


def foreign(tab: Tab, demo: Demo) -> List[str]:
    hosts = {"127.0.0.1", "product.localhost"}
    return [url for url in tab.requests if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname not in hosts]


# --- the whole flow ----------------------------------------------------------------------------


def test_the_dialog_in_a_product_page_creates_copies_and_revokes_with_third_party_cookies_blocked(
    browser: Any, demo: Demo, tools: Dict[str, str]
) -> None:
    tab = product_tab(browser, demo)
    frame = open_dialog(tab, demo)
    # GIVEN third-party cookies are blocked: the dialog's own frame cannot keep one
    assert frame.evaluate("() => { document.cookie = 'probe=1; SameSite=None; Secure; path=/'; return document.cookie; }") == ""
    # AND the ticket is gone from the frame's URL, nothing is in storage, no cookie was needed
    assert "#" not in frame.url and "ticket" not in frame.url
    stored = frame.evaluate("() => { try { return [localStorage.length, sessionStorage.length]; } catch (e) { return 'denied'; } }")
    assert stored in ("denied", [0, 0]), stored  # a third-party frame's storage is denied here: the dialog never needs it
    dialog = tab.page.frame_locator("#dialog")
    screenshot(tab, "dialog-in-product-page-1280")
    # WHEN the user creates a link: the warning first, the button disabled until it is acknowledged
    dialog.get_by_role("button", name="Create link").click()
    assert dialog.get_by_text("Anyone with the link can view this monitor without signing in.").is_visible()
    create = dialog.locator("form button[type=submit]")
    assert create.is_disabled()
    dialog.get_by_label("Label").fill("For Globex")
    dialog.get_by_label("Expires").select_option("30d")
    screenshot(tab, "dialog-create-warning-1280")
    dialog.get_by_label("I understand: anyone with the link can view it").check()
    assert create.is_enabled()
    create.click()
    # THEN the new link is shown with Copy and a QR code of exactly its URL
    dialog.get_by_role("heading", name="Your new link").wait_for()
    url = dialog.get_by_label("Link URL").input_value()
    assert url.startswith(demo.api + "/share/")
    assert decode_qr(frame, tools) == url
    dialog.get_by_role("button", name="Copy link").click()
    # the new link's own status line (a live region for screen readers says the same, visually hidden)
    dialog.get_by_role("region", name="Your new link").get_by_text("Copied", exact=True).wait_for()
    assert tab.page.evaluate("navigator.clipboard.readText()") == url
    screenshot(tab, "dialog-new-link-with-qr-1280")
    assert requests.get(url + "/data", timeout=30).status_code == 200
    # WHEN they revoke it: "Revoke", then the red "Revoke?"
    row = dialog.locator("ul.links > li").first
    row.get_by_role("button", name="Revoke For Globex").click()
    confirm = row.get_by_role("button", name="Revoke For Globex? This cannot be undone")
    assert confirm.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(179, 38, 30)"
    screenshot(tab, "dialog-revoke-confirm-1280")
    confirm.click()
    row.locator(".badge.revoked").wait_for()
    # THEN the share URL answers the one 404
    dead = requests.get(url + "/data", timeout=30)
    assert dead.status_code == 404 and dead.json() == NOT_FOUND
    # AND the product page heard each step, from Keyhole's origin only
    tab.page.wait_for_function("document.querySelectorAll('#events li').length >= 4")
    assert events(tab)[:4] == ["keyhole:ready", "keyhole:link.created", "keyhole:link.copied", "keyhole:link.revoked"]
    assert "token" not in tab.page.locator("#events").inner_text() and url not in tab.page.locator("#events").inner_text()
    # AND nothing went anywhere else, and the page's policy blocked nothing of its own
    assert foreign(tab, demo) == [], foreign(tab, demo)
    assert tab.policy_violations() == [], tab.policy_violations()
    tab.context.close()


def test_each_action_is_one_api_call(browser: Any, demo: Demo) -> None:
    tab = product_tab(browser, demo)
    open_dialog(tab, demo)
    dialog = tab.page.frame_locator("#dialog")
    calls: List[str] = []
    tab.page.on("request", lambda request: calls.append(f"{request.method} {urlsplit(request.url).path}")
                if urlsplit(request.url).path.startswith("/v1/") else None)
    dialog.get_by_role("button", name="Create link").click()
    dialog.get_by_label("I understand: anyone with the link can view it").check()
    dialog.locator("form button[type=submit]").click()
    dialog.get_by_role("heading", name="Your new link").wait_for()
    assert calls == ["POST /v1/resources/checkout-api/links"], calls
    for action, expected in (("Pause", "PATCH"), ("Resume", "PATCH"), ("Copy", "POST")):
        calls.clear()
        dialog.locator("ul.links > li").first.get_by_role("button", name=f"{action} Untitled link").click()
        tab.page.wait_for_timeout(600)
        assert [c.split(" ")[0] for c in calls] == [expected], (action, calls)
    tab.context.close()


def test_the_dialog_works_with_the_keyboard_alone_on_a_phone(browser: Any, demo: Demo) -> None:
    tab = product_tab(browser, demo, viewport=PHONE)
    frame = open_dialog(tab, demo)
    dialog = tab.page.frame_locator("#dialog")
    screenshot(tab, "dialog-in-product-page-390")
    frame.focus("body")
    def focused() -> str:
        tab.page.wait_for_timeout(50)  # focus moves in the task after a click's re-render
        return str(frame.evaluate("""() => {
            const active = document.activeElement;
            if (!active || active === document.body) { return ''; }
            const label = active.labels && active.labels.length ? active.labels[0].textContent : '';
            return (active.getAttribute('aria-label') || label || active.textContent || '').trim();
        }"""))

    def tab_to(name: str, limit: int = 25) -> None:
        for _ in range(limit):
            if focused() == name:
                return
            tab.page.keyboard.press("Tab")
        raise AssertionError(f"never reached {name!r} with Tab (last: {focused()!r})")

    tab_to("Create link")
    tab.page.keyboard.press("Enter")
    assert focused().startswith("I understand")  # the form opens on its acknowledgement
    tab.page.keyboard.press("Space")
    tab_to("Create link")
    tab.page.keyboard.press("Enter")
    dialog.get_by_role("heading", name="Your new link").wait_for()
    assert focused() == "Copy link"
    screenshot(tab, "dialog-new-link-390")
    # the product page around the dialog fits the phone too (its message log wraps)
    assert tab.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    tab_to("Revoke Untitled link", limit=40)
    tab.page.keyboard.press("Enter")
    assert focused() == "Revoke Untitled link? This cannot be undone"
    tab.page.keyboard.press("Enter")
    dialog.locator("ul.links > li .badge.revoked").first.wait_for()
    tab.context.close()


def test_limit_reached_shows_a_disabled_button_and_how_to_free_a_slot(browser: Any, http_stack: Any) -> None:
    demo = Demo(http_stack, plan="free")
    try:
        first = demo.call("POST", "/v1/resources/checkout-api/links", {"label": "the only one"})
        assert first.status_code == 201
        tab = product_tab(browser, demo)
        open_dialog(tab, demo)
        dialog = tab.page.frame_locator("#dialog")
        button = dialog.get_by_role("button", name="Limit reached (1)")
        assert button.is_disabled()
        assert dialog.get_by_text("revoke one of this resource's active or paused links, or wait for one to expire").is_visible()
        screenshot(tab, "dialog-limit-reached-1280")
        # Revoking the link frees the slot: the Create button comes back without a reload
        dialog.locator("ul.links > li").first.get_by_role("button", name="Revoke the only one").click()
        dialog.get_by_role("button", name="Revoke the only one? This cannot be undone").click()
        dialog.get_by_role("button", name="Create link").wait_for()
        tab.context.close()
    finally:
        demo.close()


def test_a_page_on_another_origin_cannot_frame_the_dialog(browser: Any, demo: Demo) -> None:
    evil = ProductServer(free_port(), api_url=demo.api, api_key=demo.admin, resource_id="checkout-api")
    evil.start()
    try:
        tab = product_tab(browser, demo)
        url = demo.mint(resource_id="checkout-api")
        tab.page.goto(evil.url.replace("product.localhost", "evil.localhost") + "/frame?url=" + quote(url, safe=""))
        tab.page.wait_for_timeout(1500)
        framed = tab.page.frames[1]
        # The browser refused it (frame-ancestors): no dialog, no message, the ticket still unused
        assert framed.url.startswith("chrome-error:") or framed.evaluate("document.getElementById('app')") is None
        assert tab.page.locator("#events li").count() == 0
        reply = requests.post(demo.api + "/v1/console/session", json={"ticket": url.split("#ticket=")[1]}, timeout=30)
        assert reply.status_code == 201  # never exchanged by the refused frame
        tab.context.close()
    finally:
        evil.shutdown()
        evil.server_close()


def test_an_embeddable_password_link_works_inside_a_frame(browser: Any, demo: Demo) -> None:
    link = demo.call("POST", "/v1/resources/checkout-api/links", {"embeddable": True, "password": "wall display"}).json()
    tab = product_tab(browser, demo)
    tab.page.goto(demo.product.url + "/frame?url=" + quote(link["url"], safe=""))
    framed = tab.page.frame_locator("#framed")
    framed.get_by_label("Password").fill("wall display")
    framed.get_by_role("button", name="Unlock").click()
    framed.get_by_role("heading", name="Checkout API").wait_for()
    # The page keeps itself up to date with no cookie: the document changes, the frame follows
    reply = demo.call("PATCH", "/v1/resources/checkout-api", {"document": {"summary": "Checkout API: degraded"}})
    assert reply.status_code == 200, reply.text
    framed.get_by_text("Checkout API: degraded").wait_for(timeout=20_000)
    screenshot(tab, "embeddable-password-link-in-frame-1280")
    plain = demo.call("POST", "/v1/resources/checkout-api/links", {}).json()
    tab.page.goto(demo.product.url + "/frame?url=" + quote(plain["url"], safe=""))
    tab.page.wait_for_timeout(1000)
    assert tab.page.frames[1].url.startswith("chrome-error:")  # a link not made embeddable stays unframable
    tab.context.close()


# --- the console ---------------------------------------------------------------------------------


ROLE_TABS = {
    "viewer": ["Resources", "Links"],
    "operator": ["Resources", "Links"],
    "admin": ["Resources", "Links", "Audit", "Webhooks", "API keys", "Settings"],
}


@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
def test_the_console_shows_each_role_what_it_may_see(browser: Any, demo: Demo, role: str) -> None:
    demo.call("POST", "/v1/resources/checkout-api/links", {"label": "Status for Globex"})
    tab = product_tab(browser, demo)
    tab.page.goto(demo.mint(role=role, actor="user:42"))
    page = tab.page
    page.get_by_role("heading", name="Resources").wait_for()
    assert page.locator("nav.tabs button").all_inner_texts() == ROLE_TABS[role]
    page.get_by_role("button", name="Open Checkout API").click()
    page.get_by_text("Status for Globex").wait_for()
    assert page.get_by_role("button", name="Create link").count() == (0 if role == "viewer" else 1)
    assert page.get_by_role("button", name="Revoke Status for Globex").count() == (0 if role == "viewer" else 1)
    screenshot(tab, f"console-{role}-resource-1280")
    page.get_by_role("button", name="Links").click()
    page.get_by_role("heading", name="Links").wait_for()
    page.get_by_text("Status for Globex").wait_for()
    screenshot(tab, f"console-{role}-links-1280")
    if role == "admin":
        for name in ("Audit", "Webhooks", "API keys", "Settings"):
            page.locator("nav.tabs").get_by_role("button", name=name).click()
            page.get_by_role("heading", name=name, exact=True).wait_for()
            page.wait_for_timeout(300)
            screenshot(tab, f"console-admin-{name.lower().replace(' ', '-')}-1280")
        assert page.get_by_label("Preview of the viewer page").is_visible()
    assert "ticket" not in page.url
    assert tab.policy_violations() == []
    tab.context.close()


def test_the_console_revokes_selected_links_after_asking(browser: Any, demo: Demo) -> None:
    made = [demo.call("POST", "/v1/resources/checkout-api/links", {"label": f"batch {n}"}).json() for n in range(3)]
    tab = product_tab(browser, demo, viewport=PHONE)
    tab.page.goto(demo.mint(role="operator"))
    page = tab.page
    page.get_by_role("button", name="Links").click()
    page.get_by_label("Select batch 0").check()
    page.get_by_label("Select batch 1").check()
    page.get_by_role("button", name="Revoke selected (2)").click()
    screenshot(tab, "console-revoke-selected-confirm-390")
    page.get_by_role("button", name="Revoke 2 links?").click()
    page.get_by_text("2 links revoked.").wait_for()
    statuses = {link["label"]: demo.call("GET", f"/v1/links/{link['id']}").json()["status"] for link in made}
    assert statuses == {"batch 0": "revoked", "batch 1": "revoked", "batch 2": "active"}
    tab.context.close()


def test_bulk_revoke_tells_the_embedding_page_only_of_links_it_revoked(browser: Any, demo: Demo) -> None:
    made = [demo.call("POST", "/v1/resources/checkout-api/links", {"label": f"told {n}"}).json() for n in range(2)]
    tab = product_tab(browser, demo)
    tab.page.goto(demo.product.url + "/frame?url=" + quote(demo.mint(role="operator"), safe=""))
    console = tab.page.frame_locator("#framed")
    console.get_by_role("button", name="Links").click()
    console.get_by_label("Select told 0").check()
    console.get_by_label("Select told 1").check()
    # GIVEN one of the selected links is revoked elsewhere before the confirmation
    assert demo.call("DELETE", f"/v1/links/{made[1]['id']}").status_code == 204
    console.get_by_role("button", name="Revoke selected (2)").click()
    console.get_by_role("button", name="Revoke 2 links?").click()
    console.get_by_text("1 link revoked.").wait_for()
    tab.page.wait_for_timeout(300)
    # THEN the page hears of the one link this action revoked, not of the other
    told = [t for t in tab.page.locator("#events li").all_inner_texts() if t.startswith("keyhole:link.revoked")]
    assert len(told) == 1 and made[0]["id"] in told[0], told
    tab.context.close()


def test_an_ended_session_says_so_and_how_to_get_a_new_one(browser: Any, demo: Demo) -> None:
    tab = product_tab(browser, demo)
    page = tab.page
    page.goto(demo.mint(role="admin"))
    page.get_by_role("heading", name="Resources").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="This session has ended").wait_for()
    assert page.get_by_text("Open it again from your product").is_visible()
    screenshot(tab, "console-session-ended-1280")
    page.reload()
    page.get_by_role("heading", name="Open this from your product").wait_for()
    tab.context.close()


# --- accessibility ---------------------------------------------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_21_a_or_aa_violation(browser: Any, demo: Demo, tools: Dict[str, str], viewport: Dict[str, int],
                                                 scheme: str) -> None:
    demo.call("POST", "/v1/resources/checkout-api/links", {"label": "Status for Globex", "password": "a password"})
    tab = product_tab(browser, demo, viewport=viewport, color_scheme=scheme)
    frame = open_dialog(tab, demo)
    dialog = tab.page.frame_locator("#dialog")
    assert axe(frame, tools) == []
    dialog.get_by_role("button", name="Create link").click()
    assert axe(frame, tools) == []
    dialog.get_by_label("I understand: anyone with the link can view it").check()
    dialog.locator("form button[type=submit]").click()
    dialog.get_by_role("heading", name="Your new link").wait_for()
    dialog.locator("ul.links > li").nth(1).get_by_role("button", name="Edit Status for Globex").click()
    assert axe(frame, tools) == []
    if scheme == "dark":
        screenshot(tab, f"dialog-dark-{viewport['width']}")
    console = open_tab(browser, color_scheme=scheme)
    console.page.set_viewport_size(viewport)
    console.page.goto(demo.mint(role="admin"))
    console.page.get_by_role("heading", name="Resources").wait_for()
    for name in ("Resources", "Links", "Audit", "Webhooks", "API keys", "Settings"):
        console.page.locator("nav.tabs").get_by_role("button", name=name).click()
        console.page.get_by_role("heading", name=name, exact=True).wait_for()
        console.page.wait_for_timeout(300)
        assert axe(console.page.main_frame, tools) == [], name
    if viewport["width"] == 390:
        screenshot(console, f"console-admin-settings-{scheme}-390")
    console.context.close()
    tab.context.close()


def test_the_dialogs_first_load_is_under_100_kb_compressed(demo: Demo) -> None:
    import gzip

    page = requests.get(f"{demo.api}/console/{demo.tenant_id}/share", timeout=30)
    size = len(gzip.compress(page.content, 9))
    assert size <= 100 * 1024, size
    print(f"share dialog page: {len(page.content)} bytes, {size} gzipped")
    assert json.loads(json.dumps(page.headers.get("Content-Security-Policy"))).count("sha256-") == 2
