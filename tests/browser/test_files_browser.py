"""The share page of a resource with files, in headless Chromium against the local stack: the
folder tree, the image preview (from the emulator's S3, under the page's CSP), a download, the
zip that appears when the files worker has built it, and the gates (password, view limit) in
front of all of it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib.files import jobs
from devstack.demo_files import chart_png, evidence_csv, report_pdf
from tests.browser.conftest import Tab, screenshot
from tests.functional.test_files import Tenant

pytestmark = [pytest.mark.browser, pytest.mark.http]

LIVE_TIMEOUT_MS = 15_000


@pytest.fixture
def owner(http_stack: Any) -> Tenant:
    made = Tenant(http_stack, "Scan Co")
    made.resource("passport", name="Scan passport: checkout-api", document={"summary": "214 checks, 2 low findings"})
    made.upload("passport", "report.pdf", report_pdf())
    made.upload("passport", "response-times.png", chart_png(), "image/png")
    made.upload("passport", "evidence/checks.csv", evidence_csv(), "text/csv")
    return made


def moto_requests(tab: Tab, stack: Any) -> list:
    moto = urlsplit(stack.aws_endpoint).netloc
    return [url for url in tab.requests if urlsplit(url).netloc == moto]


def test_the_page_lists_files_previews_the_image_and_offers_the_zip(owner: Tenant, tab: Tab, http_stack: Any) -> None:
    link = owner.link("passport")
    tab.page.goto(link["url"])
    files = tab.page.locator("section.files")
    # THEN the files are listed, in their folder tree, with sizes and types
    assert files.locator(".file-name").all_inner_texts() == ["evidence", "checks.csv", "report.pdf", "response-times.png"]
    assert "3 files" in files.locator(".files-head").inner_text()
    # AND the image is previewed from the bucket (a presigned URL, loaded under the page's CSP)
    preview = files.locator("img.preview")
    assert preview.count() == 1
    tab.page.wait_for_function("() => document.querySelector('img.preview').naturalWidth === 480")
    assert moto_requests(tab, http_stack), "the preview comes from the bucket's presigned host"
    assert tab.policy_violations() == []
    # AND the zip is being prepared; once the files worker has built it, the open page offers it
    assert "Preparing a zip" in files.inner_text()
    assert jobs.drain(http_stack.svc)["done"] >= 1
    tab.page.wait_for_selector("section.files a.button >> text=Download all", timeout=LIVE_TIMEOUT_MS)
    screenshot(tab, "files-page")
    # WHEN the viewer downloads the PDF THEN the browser saves exactly its bytes, under its name
    with tab.page.expect_download() as started:
        tab.page.locator("li.file", has_text="report.pdf").locator("a.button").click()
    download = started.value
    assert download.suggested_filename == "report.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == report_pdf()
    assert tab.policy_violations() == []


def test_a_password_page_shows_no_file_and_loads_nothing_from_the_bucket(owner: Tenant, tab: Tab,
                                                                        http_stack: Any) -> None:
    link = owner.link("passport", password="correct horse battery")
    tab.page.goto(link["url"])
    assert tab.page.locator("input[type=password]").count() == 1
    html = tab.page.content()
    assert "report.pdf" not in html and "response-times" not in html
    assert moto_requests(tab, http_stack) == []
    tab.page.fill("input[type=password]", "correct horse battery")
    tab.page.click("button[type=submit]")
    tab.page.wait_for_selector("section.files img.preview")
    assert moto_requests(tab, http_stack)


def test_a_view_limited_download_is_a_button_that_uses_a_view(owner: Tenant, tab: Tab) -> None:
    link = owner.link("passport", max_views=3)
    tab.page.goto(link["url"])
    assert tab.page.locator("section.files").count() == 0  # the gate: nothing shown, no view used
    tab.page.click("#use-view")
    row = tab.page.locator("li.file", has_text="report.pdf")
    assert row.locator("form.download button").count() == 1 and row.locator("a").count() == 0
    with tab.page.expect_download() as started:
        row.locator("form.download button").click()
    with open(started.value.path(), "rb") as saved:
        assert saved.read() == report_pdf()
    # the page's view and the download's: two of three used
    views = owner.call("GET", f"/v1/links/{link['id']}/access-logs").json()["items"]
    assert sum(1 for e in views if e["outcome"] == "viewed") == 2
    assert tab.policy_violations() == []
