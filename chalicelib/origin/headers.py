"""Which headers cross the proxy, each way, and the Content-Security-Policy of proxied pages.

Towards the origin, a viewer's headers pass by an **allow-list** (`FORWARDED_REQUEST_HEADERS`,
`forwarded_request_headers`): content negotiation (`Accept`, `Accept-Language`, `Accept-Charset`),
conditional and range requests (`If-None-Match`, `If-Modified-Since`, `If-Match`,
`If-Unmodified-Since`, `If-Range`, `Range`), the body's `Content-Type` (its length is the
transport's) and `User-Agent`. Everything else is dropped: credentials and cookies, forwarding
and client-address headers in any spelling (`X_Forwarded_For`, `True-Client-IP`, ...), method and
URL overrides (`X-HTTP-Method-Override`, `X-Original-URL`, ...), anything that looks like one of
Keyhole's own headers with other case or underscores, and whatever a future framework may read.
A header whose value contains the share token is dropped too. Keyhole then sets its own headers
(`X-Forwarded-For`, `X-Shared-Access`, `X-Share-Name`, the link id and the signature) and
`Accept-Encoding: identity` (the banner is injected into plain HTML).

Towards the viewer, only headers that describe the content pass (`viewer_response_headers`);
caching, framing, cookies, CORS grants, HSTS, `Link`, `Refresh`, `Service-Worker-Allowed` and the
rest are dropped, and the viewer headers of every Keyhole response are set over them. The
origin's own CSP is kept with `frame-ancestors 'none'` forced into each of its policies
(`merge_csp`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote

# The viewer's request headers an origin receives (lower-case names, matched exactly: `Content_Type`
# or `X_Forwarded_For` are other names, and dropped). docs/origins.md lists them.
FORWARDED_REQUEST_HEADERS = frozenset(
    {
        "accept",
        "accept-language",
        "accept-charset",
        "if-none-match",
        "if-modified-since",
        "if-match",
        "if-unmodified-since",
        "if-range",
        "range",
        "content-type",
        "user-agent",
    }
)

# Response headers that describe the content (everything else the origin sends is dropped).
_PASSED_RESPONSE = frozenset(
    {
        "content-type",
        "content-language",
        "content-disposition",
        "content-range",
        "accept-ranges",
        "etag",
        "last-modified",
        "vary",
        "retry-after",
        "allow",
        "www-authenticate",
    }
)
FRAME_ANCESTORS = "frame-ancestors 'none'"
# A proxied response that brings no CSP still may not be framed, and may not point <base> or
# forms at other sites through Keyhole's content origin.
DEFAULT_PROXIED_CSP = "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
MAX_HEADER_VALUE = 8192


def share_name_value(label: str | None) -> str:
    """`X-Share-Name`: the link's label, percent-encoded where it is not printable ASCII (an HTTP
    header value cannot carry it raw); empty when the link has none."""
    return quote(label or "", safe=" !\"#$&'()*+,-./:;<=>?@[]^_`{|}~")


def forwarded_request_headers(headers: Mapping[str, str], *, secret_values: Iterable[str] = ()) -> dict[str, str]:
    """The viewer's headers that the origin may see (lower-case names): the allow-list, less any
    value that carries a secret (the share token)."""
    secrets = [s for s in secret_values if s]
    kept: dict[str, str] = {}
    for name, value in headers.items():
        lower = name.lower()
        if (
            lower not in FORWARDED_REQUEST_HEADERS
            or not isinstance(value, str)
            or len(value) > MAX_HEADER_VALUE
            or any(s in value for s in secrets)
        ):
            continue
        kept[lower] = value
    kept["accept-encoding"] = "identity"
    return kept


def merge_csp(origin_policies: Iterable[str]) -> str:
    """The origin's policies, each with its own `frame-ancestors` replaced by `'none'`; joined with
    `, ` (one header, several policies: each is enforced). No policy: `DEFAULT_PROXIED_CSP`."""
    merged = []
    for policy in origin_policies:
        for single in policy.split(","):
            directives = [d.strip() for d in single.split(";") if d.strip()]
            directives = [d for d in directives if d.split()[0].lower() != "frame-ancestors"]
            if directives:
                merged.append("; ".join([*directives, FRAME_ANCESTORS]))
    return ", ".join(merged) if merged else DEFAULT_PROXIED_CSP


def viewer_response_headers(origin_headers: Mapping[str, str]) -> dict[str, str]:
    """The origin's content headers that reach the viewer (names as the origin wrote them,
    lower-cased), before the viewer headers are laid over them."""
    return {name.lower(): value for name, value in origin_headers.items() if name.lower() in _PASSED_RESPONSE}


# The viewer headers of every Keyhole viewer response (SPEC.md), laid over a proxied response's
# own; equal to `chalicelib.viewer.resolve.VIEWER_HEADERS` (a unit test holds them together).
VIEWER_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}
# Proxied pages are not same-origin with anything else Keyhole serves; these keep other origins
# (another link's content origin included) from opening them as a window they can reach, or
# loading them as a subresource.
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def proxied_response_headers(origin_headers: Mapping[str, str]) -> dict[str, str]:
    """Every header a proxied response carries: the origin's content headers, its CSP merged, and
    Keyhole's viewer and isolation headers over them."""
    passed = viewer_response_headers(origin_headers)
    policies = [v for k, v in origin_headers.items() if k.lower() == "content-security-policy"]
    named = {_canonical(name): value for name, value in passed.items()}
    return {
        **named,
        **VIEWER_HEADERS,
        **ISOLATION_HEADERS,
        "Content-Security-Policy": merge_csp(policies),
    }


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))
