"""Headless Chromium for the browser tests: Debian's `chromium` driven by Playwright's Python
package through `executable_path` (never a browser Playwright downloads; `make test` installs
Debian's package first, see scripts/ensure-debian-tools.sh).

Every tab records the requests it makes and the console messages it prints, so tests can assert
that nothing leaves the test's own host and that the page's policy blocked nothing of its own.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, List
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def chromium_path() -> str:
    found = os.environ.get("KEYHOLE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(found):
        # Fail, never skip: a browser suite that silently skips cannot catch anything.
        pytest.fail("Debian's chromium is not installed (make test installs it: scripts/ensure-debian-tools.sh; "
                    "`make test-fast` runs everything but the browser tests)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per module (Playwright gives it a fresh temporary profile)."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """One page in its own browser context, with what it asked for and what it logged."""

    page: Any
    context: Any
    requests: List[str] = field(default_factory=list)
    console: List[str] = field(default_factory=list)
    dialogs: List[str] = field(default_factory=list)

    def foreign_requests(self, host: str = "127.0.0.1") -> List[str]:
        """Requests to anywhere but the test's own host (data: URLs are not requests)."""
        return [url for url in self.requests if not url.startswith("data:") and urlsplit(url).hostname != host]

    def policy_violations(self) -> List[str]:
        return [line for line in self.console if "Content Security Policy" in line]


def open_tab(browser: Any, **context_options: Any) -> Tab:
    context = browser.new_context(viewport=DESKTOP, **context_options)
    page = context.new_page()
    tab = Tab(page=page, context=context)
    page.on("request", lambda request: tab.requests.append(request.url))
    page.on("console", lambda message: tab.console.append(message.text))
    page.on("dialog", lambda dialog: (tab.dialogs.append(dialog.message), dialog.dismiss()))
    page.set_default_timeout(10_000)
    return tab


@pytest.fixture
def tab(browser: Any) -> Iterator[Tab]:
    opened = open_tab(browser)
    try:
        yield opened
    finally:
        opened.context.close()


def screenshot(tab: Tab, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.page.screenshot(path=str(path), full_page=True)
    return path
