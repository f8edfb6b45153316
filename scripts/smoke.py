"""The smoke test `make deploy` ends with: what a deployed stage must answer before anyone uses it.

    python -m scripts.smoke https://<api id>.execute-api.<region>.amazonaws.com/api/
    python -m scripts.smoke https://share.example.com                    # a custom domain
    python -m scripts.smoke --content 'https://{label}.content.example.net'  # origin links' content

1. `/robots.txt` is 200 and keeps crawlers out of `/share/`;
2. a share link that does not exist gets the one dead-link 404 (Keyhole's body, viewer headers);
3. `/v1/openapi.json` is an OpenAPI 3 document (when this build of the app serves one), naming the
   public URL in `servers` when one is expected (a custom domain sets it).

On a content host (`--content`, the stage's KEYHOLE_CONTENT_URL): robots.txt as above, a dead
link's proxied path is the one 404, and the admin API is not there (the one 404 too).

It reads only: no tenant, key or link is created, nothing is written but the dead-link access
attempt Keyhole counts against the caller's address.
"""

from __future__ import annotations

import json
import secrets
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEAD_LINK_MESSAGE = "Share link not found or has been revoked"
OPENAPI_ROUTE = "/v1/openapi.json"


class SmokeFailed(RuntimeError):
    """The deployed stage answered something it must not; the message says what."""


class Unreachable(SmokeFailed):
    """Nothing answered (DNS, connection, TLS): worth waiting for on a new custom domain."""


def _get(url: str, timeout: float, connect_to: str | None = None) -> tuple[int, dict[str, str], bytes]:
    """GET `url`; with `connect_to` (a base URL), the request goes there with `url`'s host as `Host`
    (as `curl --connect-to` does: a domain's answers from a server DNS does not name yet)."""
    if not url.startswith(("https://", "http://")):
        raise SmokeFailed(f"not an HTTP URL: {url}")
    headers = {"User-Agent": "keyhole-smoke/1", "Accept": "application/json"}
    target = url
    if connect_to:
        parts = urlsplit(url)
        target = connect_to.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        headers["Host"] = parts.netloc
    request = urllib.request.Request(target, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 (scheme checked above)
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()
    except OSError as error:
        raise Unreachable(f"GET {url}: {error}") from error


def _waiting(check: Any, wait_seconds: float, poll: float = 15.0) -> list[str]:
    """Run `check` until it passes, retrying while nothing answers, for up to `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return list(check())
        except Unreachable:
            if time.monotonic() + poll > deadline:
                raise
            time.sleep(poll)


def app_serves_openapi(project_dir: Path) -> bool:
    """Whether this build declares the OpenAPI route (the smoke test then requires it)."""
    sources = [project_dir / "app.py", *sorted((project_dir / "chalicelib").rglob("*.py"))]
    return any(f'"{OPENAPI_ROUTE}"' in path.read_text() for path in sources if path.exists())


def run(
    base_url: str,
    *,
    openapi_required: bool = True,
    timeout: float = 15.0,
    connect_to: str | None = None,
    wait_seconds: float = 0.0,
    public_url: str | None = None,
) -> list[str]:
    """Run the checks against `base_url` (the stage URL, or a custom domain); returns one line per
    check passed. `public_url`: the URL the OpenAPI document's `servers` must name."""
    return _waiting(lambda: _checks(base_url, openapi_required, timeout, connect_to, public_url), wait_seconds)


def _checks(
    base_url: str, openapi_required: bool, timeout: float, connect_to: str | None, public_url: str | None
) -> list[str]:
    base = base_url.rstrip("/")
    done = [_robots(base, timeout, connect_to)]

    token = secrets.token_urlsafe(48)  # the shape of a real token: 64 URL-safe characters
    _dead_link(f"{base}/share/{token}/data", timeout, connect_to)
    done.append("GET /share/<unknown token>/data: Keyhole's dead-link 404 with viewer headers")

    if openapi_required:
        status, _, body = _get(f"{base}{OPENAPI_ROUTE}", timeout, connect_to)
        document = _json(body) if status == 200 else {}
        if not str(document.get("openapi", "")).startswith("3."):
            raise SmokeFailed(f"{OPENAPI_ROUTE} answered {status} {body[:120]!r}, not an OpenAPI 3 document")
        servers = [str(server.get("url")) for server in document.get("servers", []) if isinstance(server, dict)]
        if public_url and public_url.rstrip("/") not in servers:
            raise SmokeFailed(f"{OPENAPI_ROUTE} names {servers}, not {public_url}: KEYHOLE_PUBLIC_URL is not set to it")
        done.append(
            f"GET {OPENAPI_ROUTE}: OpenAPI {document['openapi']}, {len(document.get('paths', {}))} paths"
            + (f", served as {public_url}" if public_url else "")
        )
    else:
        done.append(f"GET {OPENAPI_ROUTE}: skipped, this build of the app declares no such route")
    return done


def run_content(
    content_url: str, *, timeout: float = 15.0, connect_to: str | None = None, wait_seconds: float = 0.0
) -> list[str]:
    """The checks on one content host of `content_url` (a KEYHOLE_CONTENT_URL template)."""
    from chalicelib.runtime.content_origin import LABEL_PLACEHOLDER, base_for

    link_id = "lnk_" + secrets.token_hex(12)  # no such link: any well-formed label names a content host
    base = base_for(content_url, link_id) if LABEL_PLACEHOLDER in content_url else content_url.rstrip("/")

    def checks() -> list[str]:
        done = [_robots(base, timeout, connect_to)]
        token = secrets.token_urlsafe(48)
        _dead_link(f"{base}/share/{token}/o/", timeout, connect_to)
        done.append("GET /share/<unknown token>/o/: Keyhole's dead-link 404 with viewer headers")
        status, _, body = _get(f"{base}{OPENAPI_ROUTE}", timeout, connect_to)
        error = _json(body).get("error", {}) if status == 404 else {}
        if status != 404 or error.get("message") != DEAD_LINK_MESSAGE:
            raise SmokeFailed(
                f"a content host answered {OPENAPI_ROUTE} with {status}: it must serve only proxied "
                "content (is KEYHOLE_CONTENT_URL this domain?)"
            )
        done.append(f"GET {OPENAPI_ROUTE} on a content host: the one 404 (no admin API there)")
        return done

    return [f"{urlsplit(base).hostname}: {line}" for line in _waiting(checks, wait_seconds)]


def _robots(base: str, timeout: float, connect_to: str | None) -> str:
    status, _, body = _get(f"{base}/robots.txt", timeout, connect_to)
    if status != 200 or b"Disallow: /share/" not in body:
        raise SmokeFailed(f"/robots.txt answered {status} {body[:120]!r}")
    return "GET /robots.txt: 200, disallows /share/"


def _dead_link(url: str, timeout: float, connect_to: str | None) -> None:
    status, headers, body = _get(url, timeout, connect_to)
    error = _json(body).get("error", {}) if status == 404 else {}
    if status != 404 or error.get("code") != "not_found" or error.get("message") != DEAD_LINK_MESSAGE:
        raise SmokeFailed(f"a dead share link answered {status} {body[:160]!r}, not Keyhole's 404")
    if headers.get("cache-control") != "no-store" or "frame-ancestors 'none'" not in headers.get(
        "content-security-policy", ""
    ):
        raise SmokeFailed("the dead-link 404 lacks the viewer headers (Cache-Control, Content-Security-Policy)")


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    content = len(argv) == 2 and argv[0] == "--content"
    if len(argv) != 1 and not content:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parent.parent
    try:
        lines = run_content(argv[1]) if content else run(argv[0], openapi_required=app_serves_openapi(root))
        for line in lines:
            print(line)
    except SmokeFailed as error:
        print(f"smoke: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
