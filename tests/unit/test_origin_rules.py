"""The pure rules of origin resources: Private Connect's path patterns, path normalisation,
narrowing, header filtering, CSP merge, redirect confinement, the banner and the signature."""

from __future__ import annotations

import pytest

from chalicelib.origin import banner, headers, paths, redirects, signing
from chalicelib.runtime import content_origin
from chalicelib.origin.exceptions import OriginRedirectRefused
from chalicelib.viewer.resolve import VIEWER_HEADERS

# (pattern, path, matches): 001's rules. `*` within one segment, `/*` everything below, else exact.
MATCHING = [
    ("/api/*", "/api/users", True),
    ("/api/*", "/api/users/7/orders", True),
    ("/api/*", "/api/", True),
    ("/api/*", "/api", False),
    ("/api/*", "/apix/users", False),
    ("/api/public/*", "/api/public/x", True),
    ("/api/public/*", "/api/private/x", False),
    ("/health", "/health", True),
    ("/health", "/health/", False),
    ("/health", "/health/x", False),
    ("/health", "/healthz", False),
    ("/docs/*", "/docs/a/b/c.html", True),
    ("/v1/*/status", "/v1/abc/status", True),
    ("/v1/*/status", "/v1/a/b/status", False),
    ("/v1/*/status", "/v1/abc/status/x", False),
    ("/img/*.png", "/img/logo.png", True),
    ("/img/*.png", "/img/sub/logo.png", False),
    ("/img/*.png", "/img/logo.jpg", False),
    ("/*", "/", True),
    ("/*", "/anything/at/all", True),
    ("/", "/", True),
    ("/", "/x", False),
    ("/a.b", "/aXb", False),  # a dot is a dot, not a regex wildcard
]


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHING)
def test_path_patterns_follow_private_connects_rules(pattern: str, path: str, expected: bool) -> None:
    assert paths.path_matches(pattern, path) is expected


# Paths a server could read differently from Keyhole: refused before any matching.
AMBIGUOUS = [
    "/api/../admin",
    "/api/./x",
    "/api/%2e%2e/admin",
    "/api/%2E%2E/admin",
    "/api/.%2e/admin",
    "/api%2fadmin",
    "/api%2Fadmin",
    "/api%5cadmin",
    "/api\\..\\admin",
    "//admin",
    "/api//x",
    "/api/..;/admin",
    "/api/.;/x",
    "/api/%252e%252e/admin",
    "/api/%00",
    "/api/\x00",
    "/api/\n",
    "/api/%zz",
    "/api/%",
    "/api/%c0%ae%c0%ae/admin",  # overlong UTF-8 dots
    "/api/x?y",
    "/api/x#y",
    "/" + "a" * 3000,
    # path parameters: Tomcat and Jetty read `/img/secret;.png` as `/img/secret`
    "/img/secret;.png",
    "/img/secret%3b.png",
    "/img/secret%3B.png",
    "/api/x;v=1",
    "/api;/x",
    # NFKC look-alikes: a dot, a separator or `..` once a server applies NFKC
    "/img/%EF%BC%8E%EF%BC%8E/admin",  # U+FF0E U+FF0E fullwidth full stops: `..`
    "/img/%E2%80%A5/admin",  # U+2025 two dot leader: `..`
    "/img/%E2%80%A4/admin",  # U+2024 one dot leader: `.`
    "/img/%EF%BC%8E/admin",  # U+FF0E: `.`
    "/img/a%EF%BC%8Fb",  # U+FF0F fullwidth solidus: `/`
    "/img/a%EF%BC%BCb",  # U+FF3C fullwidth reverse solidus: `\\`
    "/img/secret%EF%BC%9B.png",  # U+FF1B fullwidth semicolon: `;`
    "/img/secret%EF%BC%8Epng",  # U+FF0E: a dot the pattern `*.png` does not see
    "/img/a%EF%BC%85%32%65",  # U+FF05 fullwidth percent: `%` (a new escape)
    "/img/x%EF%BC%9Fy",  # U+FF1F fullwidth question mark: `?`
    "/img/x%EF%BC%83y",  # U+FF03 fullwidth number sign: `#`
]


@pytest.mark.parametrize("raw", AMBIGUOUS)
def test_normalisation_tricks_are_refused(raw: str) -> None:
    assert paths.normalise(raw) is None


@pytest.mark.parametrize(
    ("raw", "normal", "sent"),
    [
        ("", "/", "/"),
        ("/", "/", "/"),
        ("/api/users", "/api/users", "/api/users"),
        ("/api/caf%C3%A9", "/api/café", "/api/caf%C3%A9"),
        ("/api/a%20b", "/api/a b", "/api/a%20b"),
        ("/api/x,v=1", "/api/x,v=1", "/api/x,v=1"),
        ("/img/%EF%AC%81le.png", "/img/\ufb01le.png", "/img/%EF%AC%81le.png"),  # a ligature folds to letters only
        ("/api/x/", "/api/x/", "/api/x/"),
    ],
)
def test_clean_paths_are_decoded_once_and_sent_reencoded(raw: str, normal: str, sent: str) -> None:
    assert paths.normalise(raw) == normal
    assert paths.encode(normal) == sent


@pytest.mark.parametrize(
    ("inner", "outer", "narrows"),
    [
        (["/api/users"], ["/api/*"], True),
        (["/api/users/*"], ["/api/*"], True),
        (["/api/*"], ["/api/*"], True),
        (["/api/*.json"], ["/api/*"], True),
        (["/*"], ["/api/*"], False),
        (["/api"], ["/api/*"], False),
        (["/admin"], ["/api/*"], False),
        (["/v1/abc/status"], ["/v1/*/status"], True),
        (["/v1/*/status"], ["/v1/abc/status"], False),
        (["/health"], ["/health", "/api/*"], True),
        (["/anything/x"], ["/*"], True),
    ],
)
def test_a_link_may_narrow_never_widen(inner: list, outer: list, narrows: bool) -> None:
    assert (paths.within(inner, outer) == []) is narrows


@pytest.mark.parametrize("bad", ["api/*", "/api/**", "/api/?x", "/a/../b", "/a//b", "/a%2fb", "", "/a b", 7,
                                 "/img/*;.png", "/a;b/*", "/\ufb01les/*", "/img/*\uff0epng"])
def test_bad_patterns_are_refused(bad: object) -> None:
    assert paths.pattern_problem(bad) is not None


@pytest.mark.parametrize(("patterns", "raw", "allowed"), [
    (["/cafe*"], "/cafe%CC%81", False),  # `*` took a combining accent: NFKC reads `/café`, not allowed
    (["/caf*"], "/cafe%CC%81", True),  # both forms pass
    (["/img/*"], "/img/%EF%AC%81le.png", True),  # `/img/\ufb01le.png` and `/img/file.png` both pass
    (["/img/\ufb01*"], "/img/%EF%AC%81le", False),  # refused at validation anyway; never widens
])
def test_a_path_that_folds_must_pass_in_both_forms(patterns: list, raw: str, allowed: bool) -> None:
    from chalicelib.origin import spec

    origin = spec.Origin(url="https://o.example", allowed_paths=tuple(patterns), allowed_methods=("GET",))
    path = paths.normalise(raw)
    assert path is not None
    assert spec.request_allowed(origin, "GET", path, link_paths=None, link_methods=None) is allowed


def test_request_headers_the_origin_never_sees() -> None:
    token = "T" * 64
    viewer = {
        "Cookie": "kh_unlock=1; session=2",
        "Authorization": "Bearer secret",
        "Proxy-Authorization": "Basic x",
        "X-Api-Key": "kh_x",
        "Referer": f"https://k.example/share/{token}/o/",
        "Connection": "close, X-Custom-Hop",
        "X-Custom-Hop": "1",
        "Keep-Alive": "timeout=5",
        "Transfer-Encoding": "chunked",
        "Upgrade": "websocket",
        "TE": "trailers",
        "X-Forwarded-For": "1.2.3.4",
        "Forwarded": "for=1.2.3.4",
        "X-Shared-Access": "false",
        "X-Share-Name": "spoof",
        "webhook-signature": "v1,forged",
        "X-Keyhole-Link-Id": "lnk_forged",
        "X-Amzn-Trace-Id": "Root=1",
        "Host": "k.example",
        "X-Anything": f"has {token} inside",
        "Accept": "application/json",
        "Accept-Language": "fr",
        "Content-Type": "application/json",
        "If-None-Match": '"abc"',
        "User-Agent": "Mozilla/5.0",
        "Accept-Encoding": "gzip, br",
        # spellings other servers read as Keyhole's own headers or as the client's address
        "X_Forwarded_For": "6.6.6.6",
        "X_Shared_Access": "false",
        "x-shared_access": "false",
        "X-Keyhole_Link_Id": "lnk_forged",
        "Webhook_Signature": "v1,forged",
        "True-Client-IP": "6.6.6.6",
        "CF-Connecting-IP": "6.6.6.6",
        "X-Client-IP": "6.6.6.6",
        "X-Original-Forwarded-For": "6.6.6.6",
        "X-HTTP-Method-Override": "DELETE",
        "X-Method-Override": "DELETE",
        "X-HTTP-Method": "DELETE",
        "X-Original-URL": "/admin",
        "X-Rewrite-URL": "/admin",
        "Content_Type": "text/html",
        "User_Agent": "forged",
    }
    sent = headers.forwarded_request_headers(viewer, secret_values=[token])
    assert sent == {
        "accept": "application/json",
        "accept-language": "fr",
        "content-type": "application/json",
        "if-none-match": '"abc"',
        "user-agent": "Mozilla/5.0",
        "accept-encoding": "identity",
    }


def test_response_headers_the_viewer_gets() -> None:
    origin = {
        "Content-Type": "text/html",
        "ETag": '"v1"',
        "Set-Cookie": "sid=1",
        "Cache-Control": "public, max-age=600",
        "X-Frame-Options": "ALLOWALL",
        "Access-Control-Allow-Origin": "*",
        "Strict-Transport-Security": "max-age=1",
        "Link": "<https://evil.example>; rel=preload",
        "Refresh": "0; url=https://evil.example",
        "Service-Worker-Allowed": "/",
        "Content-Security-Policy": "default-src 'self'; frame-ancestors *",
        "Server": "nginx",
    }
    shaped = headers.proxied_response_headers(origin)
    assert shaped["Content-Type"] == "text/html"
    assert shaped["Etag"] == '"v1"'
    for name in (
        "Set-Cookie",
        "Access-Control-Allow-Origin",
        "Strict-Transport-Security",
        "Link",
        "Refresh",
        "Service-Worker-Allowed",
        "Server",
    ):
        assert name not in shaped and name.lower() not in {k.lower() for k in shaped}
    assert shaped["Cache-Control"] == "no-store"
    assert shaped["X-Frame-Options"] == "DENY"
    assert shaped["Content-Security-Policy"] == "default-src 'self'; frame-ancestors 'none'"
    for name, value in VIEWER_HEADERS.items():
        assert shaped[name] == value
    assert headers.VIEWER_HEADERS == VIEWER_HEADERS


def test_every_origin_policy_gets_frame_ancestors_none() -> None:
    merged = headers.merge_csp(["script-src 'self', img-src *; frame-ancestors https://a.example"])
    assert merged == "script-src 'self'; frame-ancestors 'none', img-src *; frame-ancestors 'none'"
    assert headers.merge_csp([]) == headers.DEFAULT_PROXIED_CSP


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        ("/app/next", "/share/T/o/next"),
        ("next", "/share/T/o/dir/next"),
        ("../up", "/share/T/o/up"),
        ("https://origin.example/app/x?q=1#f", "/share/T/o/x?q=1#f"),
        ("https://origin.example:443/app", "/share/T/o/"),
        ("https://evil.example/app/x", None),
        ("//evil.example/app/x", None),
        ("http://origin.example/app/x", None),
        ("https://origin.example/other", None),
        ("https://origin.example/application", None),
        ("/app/../../etc", None),
        ("javascript:alert(1)", None),
        ("https://origin.example\\@evil.example/app", None),
        ("/app/x\r\nSet-Cookie: a=b", None),
        # dot segments are resolved as a browser resolves them (`%2e` is a dot) before the check
        ("/app/%2e%2e/%2e%2e/%2e%2e/v1/tenant", None),
        ("/app/%2E%2E/v1/tenant", None),
        ("/app/.%2e/x", None),
        ("/app/%2e./x", None),
        ("/app/%2e%2e", None),
        ("/app/a/%2e%2e/b", "/share/T/o/b"),
        ("/app/./a/%2E/b", "/share/T/o/a/b"),
        ("/app/a/%2e%2e", "/share/T/o/"),
        ("/app/a%2eb", "/share/T/o/a%2eb"),  # not a dot segment: left as written
    ],
)
def test_redirects_stay_inside_the_share(location: str, expected: str | None) -> None:
    def confine() -> str:
        return redirects.confine(
            location,
            requested_url="https://origin.example/app/dir/page",
            origin_url="https://origin.example/app",
            share_prefix="/share/T/o",
        )

    if expected is None:
        with pytest.raises(OriginRedirectRefused):
            confine()
    else:
        assert confine() == expected


def test_banner_goes_after_body_and_escapes_the_tenant() -> None:
    page = b"<!doctype html><html><head></head><body class='a'><p>x</p></body></html>"
    out = banner.inject(page, "<Acme & Sons> café")
    assert out.startswith(b"<!doctype html><html><head></head><body class='a'><div id=\"keyhole-share-banner\"")
    assert b"Shared through a private link by &lt;Acme &amp; Sons&gt; caf&#233;" in out
    assert banner.inject(b"<!DOCTYPE html><p>no body</p>", "A").startswith(b"<!DOCTYPE html><div")
    assert banner.is_html("text/html; charset=utf-8") and not banner.is_html("application/json")


def test_signature_verifies_with_the_standard_webhooks_library_and_either_secret_in_a_rotation() -> None:
    from standardwebhooks.webhooks import Webhook, WebhookVerificationError

    old, new = "whsec_" + "A" * 32, "whsec_" + "B" * 32
    import time

    now = int(time.time())
    sent = signing.signature_headers(
        [new, old], message_id="req_1", timestamp=now, method="GET", path="/a", query="x=1", link_id="lnk_1", body=b""
    )
    canonical = signing.canonical_request("GET", "/a", "x=1", "lnk_1", b"")
    for secret in (new, old):
        Webhook(secret).verify(canonical, sent, json_parse=False)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "C" * 32).verify(canonical, sent, json_parse=False)
    tampered = signing.canonical_request("GET", "/admin", "x=1", "lnk_1", b"")
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(tampered, sent, json_parse=False)


def test_content_origins_are_per_link_and_never_named_by_the_token() -> None:
    template = "https://{label}.content.example.com"
    a, b = content_origin.label_for("lnk_a"), content_origin.label_for("lnk_b")
    assert a != b and len(a) == 21 and a.isalnum()
    assert content_origin.is_content_host(template, f"{a}.content.example.com")
    assert not content_origin.is_content_host(template, "content.example.com")
    assert not content_origin.is_content_host(template, f"x.{a}.content.example.com")
    assert content_origin.host_serves_link(template, f"{a}.content.example.com", "lnk_a")
    assert not content_origin.host_serves_link(template, f"{b}.content.example.com", "lnk_a")
    assert content_origin.template_problem("https://{label}.c.example/path") is not None
    assert content_origin.template_problem("https://c.{label}.example") is not None
    allowed = content_origin.content_route_allowed
    assert allowed("/share/{token}/o/{proxy+}", "/share/T/o/x") and allowed("/share/{token}/o", "/share/T/o")
    assert allowed("/share/{token}/visit", "/share/T/visit") and allowed("/robots.txt", "/robots.txt")
    assert not allowed("/share/{token}/data", "/share/T/data")
    assert not allowed("/v1/tenant", "/v1/tenant")
    # decided on the route: a path as sent that mentions the proxied surface changes nothing
    assert not allowed("/v1/tenant", "/v1/tenant#/share/x/o")
    assert not allowed("/share/{token}", "/share/T#/o")
    assert not allowed("/share/{token}/o/{proxy+}", "/share/T/o/x#y")


@pytest.mark.parametrize(
    ("url", "local", "ok"),
    [
        ("https://status.example.com/app", False, True),
        ("http://status.example.com", False, False),
        ("https://127.0.0.1", False, False),
        ("https://127.1", False, False),
        ("https://[::1]", False, False),
        ("https://localhost.", False, False),
        ("https://db.internal", False, False),
        ("https://10.0.0.5", False, False),
        ("https://[64:ff9b::a00:5]", False, False),
        ("https://user:pw@status.example.com", False, False),
        ("https://status.example.com/app?x=1", False, False),
        ("https://status.example.com/a/../b", False, False),
        ("http://127.0.0.1:9100", True, True),
        ("ftp://status.example.com", True, False),
    ],
)
def test_origin_urls_on_deployed_and_local_stages(url: str, local: bool, ok: bool) -> None:
    from chalicelib.runtime.errors import Collector
    from chalicelib.origin import spec

    errors = Collector()
    parsed = spec.parse_origin({"url": url}, errors, local=local)
    assert (parsed is not None) is ok, errors.details


def test_origin_defaults_and_field_errors() -> None:
    from chalicelib.runtime.errors import Collector
    from chalicelib.origin import spec

    errors = Collector()
    parsed = spec.parse_origin(
        {"url": "https://s.example.com", "allowed_methods": ["get", "post"]}, errors, local=False
    )
    assert parsed is not None and parsed.allowed_paths == ("/*",) and parsed.allowed_methods == ("GET", "POST")
    assert spec.parse_origin({"url": "https://s.example.com"}, Collector(), local=False).allowed_methods == (
        "GET",
        "HEAD",
    )
    errors = Collector()
    spec.parse_origin(
        {"url": "https://s.example.com", "allowed_paths": ["api"], "allowed_methods": ["TRACE"], "banner": 1, "x": 1},
        errors,
        local=False,
    )
    assert {d["field"] for d in errors.details} == {
        "origin.allowed_paths[0]",
        "origin.allowed_methods",
        "origin.banner",
        "origin.x",
    }
