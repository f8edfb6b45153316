"""The smoke test `make deploy` ends with: what a deployed stage must answer before anyone uses it.

    python -m scripts.smoke https://<api id>.execute-api.<region>.amazonaws.com/api/

1. `/robots.txt` is 200 and keeps crawlers out of `/share/`;
2. a share link that does not exist gets the one dead-link 404 (Keyhole's body, viewer headers);
3. `/v1/openapi.json` is an OpenAPI 3 document (when this build of the app serves one).

It reads only: no tenant, key or link is created, nothing is written but the dead-link access
attempt Keyhole counts against the caller's address.
"""

from __future__ import annotations

import json
import secrets
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEAD_LINK_MESSAGE = "Share link not found or has been revoked"
OPENAPI_ROUTE = "/v1/openapi.json"


class SmokeFailed(RuntimeError):
    """The deployed stage answered something it must not; the message says what."""


def _get(url: str, timeout: float) -> tuple[int, dict[str, str], bytes]:
    if not url.startswith(("https://", "http://")):
        raise SmokeFailed(f"not an HTTP URL: {url}")
    headers = {"User-Agent": "keyhole-smoke/1", "Accept": "application/json"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 (scheme checked above)
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()
    except OSError as error:
        raise SmokeFailed(f"GET {url}: {error}") from error


def app_serves_openapi(project_dir: Path) -> bool:
    """Whether this build declares the OpenAPI route (the smoke test then requires it)."""
    sources = [project_dir / "app.py", *sorted((project_dir / "chalicelib").rglob("*.py"))]
    return any(f'"{OPENAPI_ROUTE}"' in path.read_text() for path in sources if path.exists())


def run(base_url: str, *, openapi_required: bool = True, timeout: float = 15.0) -> list[str]:
    """Run the checks against `base_url` (the stage URL); returns one line per check passed."""
    base = base_url.rstrip("/")
    done: list[str] = []

    status, headers, body = _get(f"{base}/robots.txt", timeout)
    if status != 200 or b"Disallow: /share/" not in body:
        raise SmokeFailed(f"/robots.txt answered {status} {body[:120]!r}")
    done.append("GET /robots.txt: 200, disallows /share/")

    token = secrets.token_urlsafe(48)  # the shape of a real token: 64 URL-safe characters
    status, headers, body = _get(f"{base}/share/{token}/data", timeout)
    error = _json(body).get("error", {}) if status == 404 else {}
    if status != 404 or error.get("code") != "not_found" or error.get("message") != DEAD_LINK_MESSAGE:
        raise SmokeFailed(f"a dead share link answered {status} {body[:160]!r}, not Keyhole's 404")
    if headers.get("cache-control") != "no-store" or "frame-ancestors 'none'" not in headers.get(
        "content-security-policy", ""
    ):
        raise SmokeFailed("the dead-link 404 lacks the viewer headers (Cache-Control, Content-Security-Policy)")
    done.append("GET /share/<unknown token>/data: Keyhole's dead-link 404 with viewer headers")

    if openapi_required:
        status, headers, body = _get(f"{base}{OPENAPI_ROUTE}", timeout)
        document = _json(body) if status == 200 else {}
        if not str(document.get("openapi", "")).startswith("3."):
            raise SmokeFailed(f"{OPENAPI_ROUTE} answered {status} {body[:120]!r}, not an OpenAPI 3 document")
        done.append(f"GET {OPENAPI_ROUTE}: OpenAPI {document['openapi']}, {len(document.get('paths', {}))} paths")
    else:
        done.append(f"GET {OPENAPI_ROUTE}: skipped, this build of the app declares no such route")
    return done


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parent.parent
    try:
        for line in run(argv[0], openapi_required=app_serves_openapi(root)):
            print(line)
    except SmokeFailed as error:
        print(f"smoke: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
