"""The rules of file names, types and scope patterns (chalicelib/files/names.py), and what a
download is served as: pure functions, checked on the values an attacker would send."""

from __future__ import annotations

import pytest

from chalicelib.files import names
from chalicelib.viewer import resolve


@pytest.mark.parametrize(
    "name",
    [
        "report.pdf",
        "audit/2026/scan.png",
        "Prüfbericht.pdf",
        "a b/c d.txt",
        "x" * 255,
        "family \U0001f468\u200d\U0001f469.jpg",
    ],
)
def test_names_that_are_fine(name: str) -> None:
    assert names.name_problem(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "",
        "x" * 256,
        "/abs.pdf",
        "dir/",
        "a//b",
        "../x",
        "a/../b",
        "a/./b",
        "a\\b",
        "tab\there",
        "nul\x00",
        "evil\u202efdp.exe",
        "a\u061cb.pdf",  # Arabic letter mark: a direction mark too
        "zero\u200bwidth.pdf",
        "bom\ufeff.pdf",
        "line\u2028sep.pdf",
        "para\u2029sep.pdf",
        "del\x7f",
        " /x",
        7,
        None,
    ],
)
def test_names_that_are_refused(name: object) -> None:
    assert names.name_problem(name) is not None


def test_scriptable_or_unknown_types_are_octet_stream() -> None:
    for kind in (
        "text/html",
        "image/svg+xml",
        "application/xml",
        "text/xml",
        "application/javascript",
        "text/javascript",
        "application/xhtml+xml",
        "application/x-shockwave-flash",
        "application/x-unknown",
    ):
        assert names.served_type(kind) == "application/octet-stream", kind
    assert names.served_type("application/pdf") == "application/pdf"
    assert names.served_type("text/csv; charset=utf-8") == "text/csv; charset=utf-8"
    assert names.normal_content_type("Text/HTML; Charset=UTF-8") == "text/html; charset=utf-8"
    assert names.normal_content_type("text/html; evil=1") is None
    assert names.normal_content_type("text/html\r\nX: 1") is None


def test_content_disposition_is_rfc_6266_with_an_ascii_fallback() -> None:
    assert names.content_disposition("reports/q3.pdf") == 'attachment; filename="q3.pdf"'
    assert names.content_disposition('a "b".pdf') == (
        "attachment; filename=\"a _b_.pdf\"; filename*=UTF-8''a%20%22b%22.pdf"
    )
    assert names.content_disposition("résumé.pdf") == (
        "attachment; filename=\"r_sum_.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"
    )
    assert names.zip_name('Q3: "final"/draft') == "Q3_ _final_draft.zip"


def test_scope_patterns_select_files() -> None:
    files = [{"name": n} for n in ("report.pdf", "audit/a.png", "audit/deep/b.png", "auditx/c.png")]
    assert names.visible(files, None) == files
    assert names.visible(files, []) == []
    assert [f["name"] for f in names.visible(files, names.file_patterns(["summary", "file:report.pdf"]))] == [
        "report.pdf"
    ]
    assert [f["name"] for f in names.visible(files, ["audit/*"])] == ["audit/a.png", "audit/deep/b.png"]
    assert names.visible(files, ["*"]) == files
    for bad in ("a*b", "*.pdf", "../x", "/*", ""):
        assert names.pattern_problem(bad) is not None, bad
    assert names.document_fields(["summary", "file:*"]) == ["summary"]
    # the viewer filters `file:` entries without importing this module (cold start): same prefix
    assert names.FILE_SCOPE_PREFIX == "file:"
    assert resolve._document_fields(["summary", "file:report.pdf"]) == ["summary"]


def test_a_bundle_is_named_by_its_files() -> None:
    a = [
        {"id": "fil_1", "sha256": "aa", "name": "x", "size": 1},
        {"id": "fil_2", "sha256": "bb", "name": "y", "size": 1},
    ]
    assert names.bundle_digest(a) == names.bundle_digest(list(reversed(a)))
    assert names.bundle_digest(a) != names.bundle_digest([a[0], {**a[1], "sha256": "cc"}])
    assert names.bundle_offered(a) and not names.bundle_offered(a[:1])
    assert not names.bundle_offered([{**a[0], "size": names.MAX_BUNDLE_BYTES}, a[1]])


def test_image_previews_load_at_once_while_their_presigned_urls_are_valid() -> None:
    # GIVEN a page listing many images, each previewed through a presigned URL valid 60 seconds
    from chalicelib.viewer import file_list

    files = [
        {"id": f"fil_{n:020x}", "name": f"photos/{n}.png", "content_type": "image/png", "size": 10} for n in range(30)
    ]
    previews = {f["id"]: f"https://bucket.example/{f['id']}?X-Amz-Expires=60" for f in files}
    html = file_list.render(files, token="T" * 43, previews=previews, bundle=None, view_limited=False)
    # THEN every preview is on the page, and none waits to be scrolled to (its URL would have expired)
    assert html.count('<img class="preview"') == 30
    assert "loading=" not in html
