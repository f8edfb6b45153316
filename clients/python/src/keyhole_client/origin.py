"""Receiving requests Keyhole forwards to your origin (an origin resource's service): each one is
signed over its canonical request with the resource's `whsec_` origin secret. Verify it in one line
with the middleware for your framework:

    # Flask, Django, any WSGI app
    app.wsgi_app = KeyholeOriginWSGI(app.wsgi_app, secrets=[ORIGIN_SECRET])
    # FastAPI, Starlette, any ASGI app
    app.add_middleware(KeyholeOriginASGI, secrets=[ORIGIN_SECRET])

A request that is unsigned, tampered with (method, path, query, link id or body), outside the
timestamp tolerance or replayed (a `webhook-id` seen before) is answered 401 and never reaches
the app. The app finds who asked in `environ["keyhole.origin"]` (WSGI) or
`request.scope["keyhole.origin"]` / `request.state.keyhole_origin` (ASGI): an `OriginRequest`
with the link id, the share's name (the link's label) and the viewer's address. During a secret
rotation pass both secrets (Keyhole signs with both for 24 hours).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from ._signing import SignatureError
from ._signing import verify as _verify
from .replay import ReplayCache, ReplayStore

CANONICAL_VERSION = "keyhole-origin-v1"
DEFAULT_TOLERANCE_SECONDS = 300
MAX_BODY_BYTES = 1024 * 1024  # Keyhole forwards at most 1 MiB
SCOPE_KEY = ENVIRON_KEY = "keyhole.origin"


class OriginVerificationError(SignatureError):
    """Not a genuine, timely, first-time request from Keyhole."""


@dataclass(frozen=True)
class OriginRequest:
    """Who asked, as Keyhole vouches for it."""

    link_id: str
    share_name: str  # the link's label ("" without one)
    viewer_ip: str | None  # the viewer's address (X-Forwarded-For, set by Keyhole)
    message_id: str  # webhook-id: unique per request
    timestamp: int


def canonical_request(method: str, raw_path: str, query: str, link_id: str, body: bytes) -> str:
    return "\n".join((CANONICAL_VERSION, method.upper(), raw_path, query, link_id, hashlib.sha256(body).hexdigest()))


def verify_request(
    method: str,
    raw_path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    secrets: str | Sequence[str],
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    replay_cache: ReplayStore | None = None,
    now: float | None = None,
) -> OriginRequest:
    """Verify one forwarded request: `raw_path` and `query` exactly as received (percent-encoded,
    the query without `?`), `body` the raw bytes. OriginVerificationError when it fails."""
    lowered = {k.lower(): v for k, v in headers.items()}
    link_id = lowered.get("x-keyhole-link-id", "")
    if not link_id:
        raise OriginVerificationError("no X-Keyhole-Link-Id: not a request forwarded by Keyhole")
    canonical = canonical_request(method, raw_path, query, link_id, body).encode("utf-8")
    try:
        message_id, timestamp = _verify(canonical, lowered, secrets, tolerance=tolerance, now=now)
    except SignatureError as error:
        raise OriginVerificationError(str(error)) from None
    if replay_cache is not None and not replay_cache.first_time(message_id, timestamp, now=now):
        raise OriginVerificationError("this webhook-id was seen before (a replay)")
    forwarded = lowered.get("x-forwarded-for", "")
    return OriginRequest(
        link_id=link_id,
        share_name=unquote(lowered.get("x-share-name", "")),
        viewer_ip=forwarded.split(",")[0].strip() or None,
        message_id=message_id,
        timestamp=timestamp,
    )


_REFUSAL = json.dumps({"error": {"code": "unauthorized", "message": "This service is shared through Keyhole only"}})


class _Verifier:
    def __init__(self, secrets: str | Sequence[str], tolerance: float, replay_cache: ReplayStore | None) -> None:
        self.secrets = [secrets] if isinstance(secrets, str) else list(secrets)
        if not self.secrets:
            raise ValueError("pass the origin secret (whsec_...), or both during a rotation")
        self.tolerance = tolerance
        self.replay_cache: ReplayStore = replay_cache if replay_cache is not None else ReplayCache(tolerance)

    def verify(self, method: str, raw_path: str, query: str, headers: Mapping[str, str], body: bytes) -> OriginRequest:
        return verify_request(
            method,
            raw_path,
            query,
            headers,
            body,
            self.secrets,
            tolerance=self.tolerance,
            replay_cache=self.replay_cache,
        )


# --- WSGI ----------------------------------------------------------------------------------------

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def _wsgi_raw_path(environ: Mapping[str, Any]) -> str:
    """The path as the client sent it: the server's raw URI when it gives one (gunicorn, werkzeug,
    uWSGI), else PATH_INFO re-encoded (PEP 3333 hands it over decoded, as latin-1)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return str(raw).split("?", 1)[0]
    text = (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace")
    return quote(text, safe="/:@!$&'()*+,;=-._~")


class KeyholeOriginWSGI:
    """WSGI middleware: only requests signed by Keyhole reach `app`; `environ["keyhole.origin"]`
    is their `OriginRequest`. `replay_cache` defaults to one in memory per process."""

    def __init__(
        self,
        app: WSGIApp,
        secrets: str | Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        replay_cache: ReplayStore | None = None,
    ) -> None:
        self.app = app
        self.verifier = _Verifier(secrets, tolerance, replay_cache)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        import io

        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            return self._refuse(start_response, "the body is larger than Keyhole forwards")
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        headers = {key[5:].replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")}
        try:
            origin = self.verifier.verify(
                environ.get("REQUEST_METHOD", "GET"),
                _wsgi_raw_path(environ),
                environ.get("QUERY_STRING", ""),
                headers,
                body,
            )
        except OriginVerificationError as error:
            return self._refuse(start_response, str(error))
        environ[ENVIRON_KEY] = origin
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(start_response: StartResponse, reason: str) -> list[bytes]:
        body = _REFUSAL.encode()
        start_response(
            "401 Unauthorized",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("X-Keyhole-Refused", reason[:200]),
            ],
        )
        return [body]


# --- ASGI ----------------------------------------------------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class KeyholeOriginASGI:
    """ASGI middleware (FastAPI/Starlette: `app.add_middleware(KeyholeOriginASGI, secrets=[...])`):
    only requests signed by Keyhole reach the app; `scope["keyhole.origin"]` and
    `request.state.keyhole_origin` hold their `OriginRequest`. Websockets are refused (Keyhole
    forwards none); lifespan events pass."""

    def __init__(
        self,
        app: ASGIApp,
        secrets: str | Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        replay_cache: ReplayStore | None = None,
    ) -> None:
        self.app = app
        self.verifier = _Verifier(secrets, tolerance, replay_cache)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await self._refuse(send, "the body is larger than Keyhole forwards")
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        raw_path = scope.get("raw_path")
        path = (
            raw_path.decode("latin-1")
            if raw_path
            else quote(scope.get("root_path", "") + scope["path"], safe="/:@!$&'()*+,;=-._~")
        )
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        try:
            origin = self.verifier.verify(
                scope["method"], path.split("?", 1)[0], scope.get("query_string", b"").decode("latin-1"), headers, body
            )
        except OriginVerificationError as error:
            await self._refuse(send, str(error))
            return
        scope[SCOPE_KEY] = origin
        scope.setdefault("state", {})["keyhole_origin"] = origin
        sent_body = False

        async def replay() -> Message:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(send: Send, reason: str) -> None:
        body = _REFUSAL.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-keyhole-refused", reason[:200].encode("latin-1", "replace")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
