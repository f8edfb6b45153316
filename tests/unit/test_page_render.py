"""The document renderer and page shells (chalicelib/viewer/render.py, pages.py), attacked with hostile documents.

Assertions parse the produced markup (html.parser) and look at what a browser would build from
it: which elements, which attributes, which text. Escaping is proven by what the parser sees,
not by searching for particular escape sequences.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from typing import Any, Dict, List, Optional, Tuple

import pytest

from chalicelib.viewer import pages as page, render

# What the renderer may produce for a document; anything else means a document injected markup.
DOCUMENT_TAGS = {"dl", "div", "dt", "dd", "section", "details", "summary", "h2", "h3", "h4", "h5", "h6", "span",
                 "time", "a", "ul", "ol", "li", "table", "caption", "thead", "tbody", "tr", "th", "td", "pre", "p",
                 "strong", "figure", "svg", "path", "rect", "title"}
DOCUMENT_ATTRIBUTES = {"class", "title", "datetime", "href", "rel", "scope", "id", "tabindex", "role", "aria-label",
                       "aria-hidden", "focusable", "viewbox", "preserveaspectratio", "d", "vector-effect", "x", "y",
                       "width", "height", "data-v", "data-name", "data-rows", "data-table", "data-low", "data-high",
                       "data-xs", "data-x-column", "data-column", "data-unit", "data-per-tick"}
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


class Markup(HTMLParser):
    """Elements (tag, attributes) and text, as a browser's tokenizer sees them."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: List[Tuple[str, Dict[str, Optional[str]]]] = []
        self.chunks: List[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def tags(self) -> set:
        return {tag for tag, _ in self.elements}

    def attributes(self) -> set:
        return {name for _, attrs in self.elements for name in attrs}

    def hrefs(self) -> List[str]:
        return [attrs["href"] or "" for tag, attrs in self.elements if tag == "a"]


def rendered(document: Any) -> Markup:
    return Markup(render.render_document(document))


def assert_only_renderer_markup(markup: Markup) -> None:
    assert markup.tags() <= DOCUMENT_TAGS, markup.tags() - DOCUMENT_TAGS
    assert markup.attributes() <= DOCUMENT_ATTRIBUTES, markup.attributes() - DOCUMENT_ATTRIBUTES
    for href in markup.hrefs():
        assert re.match(r"^https?://", href, re.I), href


HOSTILE_STRINGS = [
    "<script>alert(1)</script>",
    "</dd></dl><script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "<!-- comment --><style>body{display:none}</style>",
    "<![CDATA[<script>]]>",
    "&lt;script&gt;",
    "<a href=\"javascript:alert(1)\">click</a>",
    "</textarea></title></template><script>1</script>",
]


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_hostile_values_and_keys_render_as_text(hostile: str) -> None:
    # GIVEN a document whose values, keys, table cells and list items carry markup
    document = {"plain": hostile, hostile: "key attack", "nested": {hostile: {hostile: hostile}},
                "rows": [{hostile: hostile, "ok": 1}], "items": [hostile, 2], "mixed": [hostile, {"x": hostile}]}
    # WHEN it is rendered
    markup = rendered(document)
    # THEN the browser would build only the renderer's own elements, and show the text literally
    assert_only_renderer_markup(markup)
    assert markup.text.count(hostile) >= 6
    # AND the table's header cells carry the key as an inert title
    titles = [attrs.get("title") for tag, attrs in markup.elements if tag == "th"]
    assert hostile in titles


def test_attribute_injection_stays_inside_the_attribute() -> None:
    # GIVEN keys and values made to break out of title/datetime/href/data-label attributes
    key = 'x" onclick="alert(1)" data-x="'
    document = {key: '2026-01-01T00:00:00Z" onfocus="alert(1)', "rows": [{key: 1}],
                "link": 'https://example.com/" onmouseover="alert(1)'}
    # WHEN it is rendered
    markup = rendered(document)
    # THEN no element gains an event handler or any unexpected attribute
    assert_only_renderer_markup(markup)
    assert not any(name.startswith("on") for name in markup.attributes())
    titles = [attrs["title"] for _, attrs in markup.elements if "title" in attrs]
    assert key in titles
    # AND the URL with a quote in it is not made a link at all
    assert markup.hrefs() == []


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)", "//evil.example/x",
    "https://example.com/<script>", "https:alert(1)", "http://", "file:///etc/passwd",
])
def test_only_plain_http_urls_become_links(url: str) -> None:
    # GIVEN a value that is not a clean http(s) URL
    markup = rendered({"link": url})
    # THEN it is shown as text, never as a link
    assert markup.hrefs() == []
    assert url.strip().replace("\t", "") in markup.text.replace("\t", "")


def test_clean_https_urls_are_links_without_referrer() -> None:
    markup = rendered({"url": "https://api.example.com/health?x=1&y=2"})
    links = [attrs for tag, attrs in markup.elements if tag == "a"]
    assert links == [{"href": "https://api.example.com/health?x=1&y=2", "rel": "nofollow noopener noreferrer"}]


def test_very_long_strings_are_kept_whole_and_wrapped() -> None:
    # GIVEN a 200,000-character value without spaces
    long_value = "A" * 200_000
    # WHEN rendered
    markup = rendered({"blob": long_value})
    # THEN all of it is there, in an element the stylesheet wraps
    assert long_value in markup.text
    assert ("span", {"class": "text"}) in markup.elements
    assert ".text{white-space:pre-wrap}" in page.CSS and "dd{margin:0;padding:11px 0;border-bottom:1px solid var(--line);overflow-wrap:anywhere" in page.CSS


def test_deep_nesting_renders_and_still_escapes() -> None:
    # GIVEN a document nested 64 levels deep (the resource limit) with markup at the bottom
    document: Dict[str, Any] = {"leaf": "<script>alert(1)</script>"}
    for level in range(64):
        document = {f"level{level}": document} if level % 2 else {f"level{level}": [document]}
    # WHEN rendered
    markup = rendered(document)
    # THEN it renders (no recursion error), deep parts collapse into escaped JSON text
    assert_only_renderer_markup(markup)
    assert "pre" in markup.tags()
    assert "<script>alert(1)</script>" in markup.text


def test_unicode_controls_are_made_visible() -> None:
    # GIVEN text with a right-to-left override, NUL, other C0/C1 controls, a BOM and a lone surrogate
    tricky = "invoice\u202egpj.exe\u0000\u0007\u0085\ufeff\ud800\u2066end"
    html_out = render.render_document({"name\u202e": tricky})
    # THEN none of those characters reaches the page, each is shown as a visible marker
    for char in "\u202e\u0000\u0007\u0085\ufeff\ud800\u2066":
        assert char not in html_out
    html_out.encode("utf-8")  # a lone surrogate would make this raise
    text = Markup(html_out).text
    assert "invoiceU+202Egpj.exe" in text and "U+0000" in text and "U+D800" in text
    # AND emoji and other scripts are untouched
    assert "👩‍💻 Ünïcödé 日本" in Markup(render.render_document({"x": "👩‍💻 Ünïcödé 日本"})).text


def test_attribute_escaping_replaces_controls() -> None:
    assert render.attr('a"b\u202ec<') == "a&quot;b\ufffdc&lt;"


def test_redacted_values_show_the_mask() -> None:
    markup = rendered({"auth": {"bearer_token": "***"}, "rows": [{"secret": "***"}]})
    masks = [attrs for tag, attrs in markup.elements if attrs.get("class") == "redacted"]
    assert len(masks) == 2
    assert markup.text.count("***") == 2


def test_structure_sections_definition_lists_and_tables() -> None:
    # GIVEN a document like a monitor's status
    document = {
        "summary": "All good", "uptime_30d_percent": 99.982, "requests": 1234567, "port": 8443,
        "checked_at": "2026-11-20T09:58:00Z", "launched_on": "2024-02-29", "resolved": True, "owner": None,
        "check": {"url": "https://x.example", "headers": {"accept": "json"}},
        "regions": [{"region": "eu", "latency_ms": 84, "status": "up"}, {"region": "us", "status": "down"}],
        "tags": ["a", "b"], "empty_list": [], "empty_object": {},
    }
    markup = rendered(document)
    text = markup.text
    # THEN nested objects are sections with headings; arrays of objects are tables
    headings = [attrs.get("title") for tag, attrs in markup.elements if tag in ("h2", "h3")]
    assert headings[:3] == ["check", "check.headers", "regions"]
    assert "table" in markup.tags()
    columns = [attrs["title"] for tag, attrs in markup.elements if tag == "th"]
    assert columns == ["region", "latency_ms", "status"]
    # AND values are formatted for reading
    assert "99.982" in text and "1,234,567" in text and "8443" in text
    assert "20 Nov 2026, 09:58 UTC" in text and "29 Feb 2024" in text
    assert "Yes" in text and "—" in text
    assert "Uptime 30d (%)" in text and "Latency (ms)" in text
    # AND a row missing a column shows a dash; status words get a tone
    tones = [attrs["class"] for tag, attrs in markup.elements if (attrs.get("class") or "").startswith("pill")]
    assert tones == ["pill ok", "pill bad"]
    # AND raw JSON punctuation is nowhere to be read
    assert "{" not in text and '":' not in text


def test_humanize() -> None:
    assert render.humanize("uptime_30d_percent") == "Uptime 30d (%)"
    assert render.humanize("lastCheckedAt") == "Last checked at"
    assert render.humanize("api_url") == "API URL"
    assert render.humanize("Authorization") == "Authorization"
    assert render.humanize("") == "(no name)"


@pytest.mark.parametrize("delta, words", [
    (timedelta(days=3), "expires in 3 days"),
    (timedelta(days=2, hours=23), "expires in 3 days"),
    (timedelta(hours=5), "expires in 5 hours"),
    (timedelta(minutes=1), "expires in 1 minute"),
    (timedelta(seconds=20), "expires in less than a minute"),
    (timedelta(days=30), "expires in 30 days"),
    (timedelta(days=400), "expires on 25 Dec 2027"),
    (timedelta(seconds=-5), "has expired"),
])
def test_expiry_in_words(delta: timedelta, words: str) -> None:
    assert render.expires_in_words((NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ"), NOW) == words


def test_no_expiry_in_words() -> None:
    assert render.expires_in_words(None, NOW) == "never expires"


def share(**changes: Any) -> page.Share:
    base = dict(tenant_name="Demo Co", resource_type="monitor", resource_name="Checkout API", label="For Globex",
                description="Live status", expires_at="2026-11-23T10:00:00Z", updated_at="2026-11-20T09:55:00Z")
    base.update(changes)
    return page.Share(**base)


def test_content_page_shell() -> None:
    # GIVEN a live page
    html_out = page.content_page(share(), {"status": "up"}, now=NOW, nonce="n0nce", poll_seconds=10, etag='"e1"')
    markup = Markup(html_out)
    # THEN it names the resource, type, label, description, expiry in words, and says read-only
    for expected in ("Checkout API", "monitor", "For Globex", "Live status", "This link expires in 3 days",
                     "Read-only", "Updated 5 minutes ago", "Shared with you by Demo Co"):
        assert expected in markup.text, expected
    # AND its only style and script carry the nonce; nothing is loaded from anywhere
    assert [attrs for tag, attrs in markup.elements if tag in ("style", "script")] == [{"nonce": "n0nce"}] * 2
    assert not any("src" in attrs for _, attrs in markup.elements)
    assert [attrs["href"][:5] for tag, attrs in markup.elements if tag == "link"] == ["data:"]
    # AND the live region tells the script how often to poll and what it has
    live = next(attrs for tag, attrs in markup.elements if attrs.get("id") == "share")
    assert live == {"class": "page", "id": "share", "data-poll-seconds": "10", "data-etag": '"e1"'}


def test_page_metadata_is_escaped() -> None:
    hostile = "</title><script>alert(1)</script>"
    html_out = page.content_page(share(tenant_name=hostile, resource_name=hostile, resource_type=hostile,
                                       label=hostile, description=hostile),
                                 {"x": 1}, now=NOW, nonce="n", poll_seconds=0, etag="")
    markup = Markup(html_out)
    # the page's own script only (it draws nothing from data), and none injected
    assert [attrs for tag, attrs in markup.elements if tag == "script"] == [{"nonce": "n"}]
    assert markup.text.count(hostile) >= 5


def test_view_limited_page_does_not_poll() -> None:
    html_out = page.content_page(share(), {"x": 1}, now=NOW, nonce="n", poll_seconds=0, etag='"e"', view_note=(1, 3))
    markup = Markup(html_out)
    # the script runs (charts, tables) but is not told to poll: no interval, no ETag, no gone template
    live = next(attrs for tag, attrs in markup.elements if attrs.get("id") == "share")
    assert "data-poll-seconds" not in live and "data-etag" not in live
    assert not any(attrs.get("id") == "gone" for _, attrs in markup.elements)
    assert "View 1 of 3" in markup.text


def test_not_found_page_is_static_and_allowed_by_hash() -> None:
    markup = Markup(page.NOT_FOUND_HTML)
    assert page.NOT_FOUND_MESSAGE in markup.text
    assert "script" not in markup.tags()
    assert [attrs for tag, attrs in markup.elements if tag == "style"] == [{}]
    assert page.csp_hash(page.CSS) in page.STATIC_CSP
    assert "'nonce-" not in page.STATIC_CSP and "frame-ancestors 'none'" in page.STATIC_CSP


def test_page_csp_is_strict() -> None:
    policy = page.page_csp("abc")
    assert policy == ("default-src 'none'; style-src 'nonce-abc'; script-src 'nonce-abc'; connect-src 'self'; "
                      "img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


def test_password_and_confirm_pages() -> None:
    form = Markup(page.password_page(share(), nonce="n", action="./tok/unlock", error="Wrong <b>"))
    assert ("form", {"class": "stack", "method": "post", "action": "./tok/unlock"}) in form.elements
    assert any(tag == "input" and attrs.get("type") == "password" for tag, attrs in form.elements)
    assert "Wrong <b>" in form.text and "b" not in form.tags()
    confirm = Markup(page.confirm_page(share(), nonce="n", views_left=2, max_views=3, now=NOW))
    assert ("form", {"class": "stack", "method": "post"}) in confirm.elements
    assert "2 views left" in confirm.text


def test_json_text_fallback_is_escaped() -> None:
    deep: Any = "</pre><script>x</script>"
    for _ in range(render.MAX_SHOWN_DEPTH + 2):
        deep = {"k": deep}
    markup = rendered(deep)
    assert "script" not in markup.tags()
    assert json.dumps("</pre><script>x</script>")[1:-1] in markup.text
