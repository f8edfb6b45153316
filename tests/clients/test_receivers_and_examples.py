"""What Keyhole sends, received with keyhole_client: webhook deliveries from the stack (through the
stream pump, as `make run` delivers them) verified with `keyhole_client.webhooks.verify`; the WSGI
and ASGI middlewares behind real origin links (Flask on werkzeug, the FastAPI example on uvicorn):
Keyhole's requests get through and the app learns the link, share name and viewer, while unsigned,
tampered and replayed requests get 401; both secrets during a rotation. And the Python examples
run against the stack: the Flask share button and the uptime checker."""
from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from chalicelib.tenancy import tenants
from chalicelib.runtime import content_origin
from keyhole_client import Keyhole, OriginVerificationError, ReplayCache, verify_request
from keyhole_client.origin import KeyholeOriginWSGI
from keyhole_client.webhooks import WebhookVerificationError, verify
from tests.clients.kit import EXAMPLES, scripted_server
from tests.origin.kit import request

pytestmark = pytest.mark.http


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{path.parent.name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def kh(http_stack: Any) -> Iterator[Keyhole]:
    _, admin = tenants.create_tenant(http_stack.svc, name="Receivers Co", plan="team")
    with Keyhole(api_url=http_stack.api_url, api_key=admin) as client:
        yield client


def through_keyhole(api_url: str, token: str, link_id: str, rest: str, *, method: str = "GET",
                    body: bytes | None = None) -> Any:
    """A viewer's request on the link's content origin (`*.localhost`, sent to 127.0.0.1)."""
    port = api_url.rsplit(":", 1)[1]
    host = f"{content_origin.label_for(link_id)}.localhost:{port}"
    headers = {"X-Forwarded-For": "198.51.100.7", "Content-Type": "application/json"}
    return request(api_url, method, f"/share/{token}/o{rest}", host=host, headers=headers, body=body)


# --- webhooks --------------------------------------------------------------------------------------


def test_real_deliveries_verify_and_forgeries_do_not(http_stack: Any, kh: Keyhole) -> None:
    import boto3

    import app as app_module
    from devstack.pump import Pump, StreamReader

    answer = (204, {}, b"")
    with scripted_server(lambda *a: answer) as (url, received):
        hook = kh.webhooks.create(url + "/keyhole", ["share.created", "share.revoked"])
        app_module.use_service(http_stack.svc)
        try:
            streams = boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=http_stack.aws_endpoint)
            reader = StreamReader(streams, http_stack.outputs["TableStreamArn"])
            reader.read_all()  # start after what other tests wrote (the stack is shared)
            kh.resources.put("hooked", type="t", name="Hooked", document={"a": 1})
            link = kh.links.create("hooked", label="hooked link")
            kh.links.revoke(link.id)
            pump = Pump(reader, app_module.stream_consumer, out=lambda line: None)
            for _ in range(10):
                if not pump.poll():
                    break
        finally:
            app_module.use_service(None)
    assert len(received) == 2
    received.sort(key=lambda r: json.loads(r[3])["type"])  # deliveries are concurrent: any order
    events = [verify(body, headers, hook.secret) for _, _, headers, body in received]
    assert [e["type"] for e in events] == ["share.created", "share.revoked"]
    assert all(e["data"]["link_id"] == link.id for e in events)
    _, _, headers, body = received[0]
    for forged_body, forged_headers, secret in (
        (body.replace(b"share.created", b"share.revoked"), headers, hook.secret),  # tampered payload
        (body, {**headers, "webhook-id": "msg_other"}, hook.secret),  # another id
        (body, {k: v for k, v in headers.items() if k != "webhook-signature"}, hook.secret),  # unsigned
        (body, headers, "whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"),  # someone else's secret
    ):
        with pytest.raises(WebhookVerificationError):
            verify(forged_body, forged_headers, secret)
    with pytest.raises(WebhookVerificationError, match="tolerance"):
        verify(body, headers, hook.secret, now=time.time() + 3600)
    cache = ReplayCache()
    verify(body, headers, ["whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", hook.secret], replay_cache=cache)
    with pytest.raises(WebhookVerificationError, match="seen before"):
        verify(body, headers, hook.secret, replay_cache=cache)


# --- origin middlewares ------------------------------------------------------------------------------


class Capture:
    """Outside the middleware: what each request looked like on the wire (to replay or tamper)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def asgi(self, app: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                query = scope["query_string"].decode()
                entry = {"method": scope["method"], "target": scope["raw_path"].decode() + ("?" + query if query else ""),
                         "headers": {k.decode(): v.decode() for k, v in scope["headers"]}, "body": b""}
                self.requests.append(entry)  # before the answer: the client may read it before the app returns

                async def keep() -> Any:
                    message = await receive()
                    entry["body"] += message.get("body", b"")
                    return message

                await app(scope, keep, send)
                return
            await app(scope, receive, send)

        return wrapped

    def wsgi(self, app: Any) -> Any:
        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            import io

            environ["wsgi.input"] = io.BytesIO(body)
            headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
            self.requests.append({"method": environ["REQUEST_METHOD"], "target": environ["RAW_URI"],
                                  "headers": headers, "body": body})
            return app(environ, start_response)

        return wrapped


def resend(base: str, seen: dict[str, Any], **changes: Any) -> httpx.Response:
    """A captured request sent again straight to the origin, with `changes`."""
    sent = {**seen, **changes}
    headers = {k: v for k, v in sent["headers"].items() if k not in ("host", "content-length")}
    return httpx.request(sent["method"], base + sent["target"], headers=headers, content=sent["body"], timeout=30)


@contextmanager
def uvicorn_server(app: Any, port: int) -> Iterator[str]:
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def werkzeug_server(app: Any, port: int) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()


def origin_link(kh: Keyhole, resource_id: str, port: int) -> tuple[str, Any]:
    resource = kh.resources.put(resource_id, type="monitor", name="Live status",
                                origin={"url": f"http://127.0.0.1:{port}", "allowed_methods": ["GET", "HEAD", "POST"]})
    assert resource.origin_secret
    return resource.origin_secret, kh.links.create(resource_id, label="For the auditors")


def test_the_fastapi_example_behind_an_origin_link_with_the_asgi_middleware(kh: Keyhole, http_stack: Any) -> None:
    port = free_port()
    secret, link = origin_link(kh, "fastapi-origin", port)
    example = load(EXAMPLES / "fastapi_origin" / "app.py")
    capture = Capture()
    with uvicorn_server(capture.asgi(example.create_app([secret])), port) as base:
        # Keyhole's requests get through, and the app knows who asked
        reply = through_keyhole(http_stack.api_url, link.token, link.id, "/api/status?verbose=1")
        assert reply.status == 200, reply.body
        assert reply.json == {"status": "green", "builds": 42, "link_id": link.id, "share_name": "For the auditors",
                              "viewer_ip": "198.51.100.7"}
        echo = through_keyhole(http_stack.api_url, link.token, link.id, "/api/echo", method="POST", body=b'{"x": 1}')
        assert echo.status == 200 and echo.json["received"] == '{"x": 1}'
        assert b"Build status" in through_keyhole(http_stack.api_url, link.token, link.id, "/").body
        signed_get, signed_post = capture.requests[0], capture.requests[1]
        # unsigned, tampered and replayed requests do not
        assert httpx.get(base + "/api/status").status_code == 401
        assert resend(base, signed_get).status_code == 401  # replayed: this webhook-id was served
        fresh_id = {**signed_get["headers"], "webhook-id": "req_fresh"}
        assert resend(base, signed_get, headers=fresh_id).status_code == 401  # the signature covers the id
        assert resend(base, signed_get, target="/api/status?verbose=2").status_code == 401
        assert resend(base, signed_post, body=b'{"x": 2}').status_code == 401
        other_link = {**signed_get["headers"], "x-keyhole-link-id": "lnk_000000000000000000000000"}
        assert resend(base, signed_get, headers=other_link).status_code == 401
        assert resend(base, signed_get, method="DELETE").status_code == 401
        assert len(capture.requests) == 3 + 7
    # during a rotation Keyhole signs with both secrets: an origin with either accepts
    new_secret = kh.resources.rotate_origin_secret("fastapi-origin").origin_secret
    assert new_secret and new_secret != secret
    capture = Capture()
    for secrets in ([secret], [new_secret], [secret, new_secret]):
        with uvicorn_server(capture.asgi(example.create_app(secrets)), port):
            reply = through_keyhole(http_stack.api_url, link.token, link.id, "/api/status")
            assert reply.status == 200 and reply.json["link_id"] == link.id, (secrets, reply.body)
    seen = capture.requests[-1]
    path, _, query = seen["target"].partition("?")
    assert verify_request("GET", path, query, seen["headers"], b"", [new_secret]).link_id == link.id
    with pytest.raises(OriginVerificationError):
        verify_request("GET", path, query, seen["headers"], b"", ["whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"])


def test_a_flask_origin_with_the_wsgi_middleware(kh: Keyhole, http_stack: Any) -> None:
    from flask import Flask, jsonify, request as flask_request

    port = free_port()
    secret, link = origin_link(kh, "flask-origin", port)
    origin = Flask("origin")

    @origin.route("/api/<name>", methods=["GET", "POST"])
    def api(name: str) -> Any:
        who = flask_request.environ["keyhole.origin"]
        return jsonify(name=name, link_id=who.link_id, share_name=who.share_name, viewer_ip=who.viewer_ip,
                       body=flask_request.get_data(as_text=True))

    origin.wsgi_app = KeyholeOriginWSGI(origin.wsgi_app, secrets=[secret])  # type: ignore[method-assign]
    capture = Capture()
    with werkzeug_server(capture.wsgi(origin), port) as base:
        reply = through_keyhole(http_stack.api_url, link.token, link.id, "/api/caf%C3%A9?q=a%20b")
        assert reply.status == 200, reply.body
        assert reply.json == {"name": "café", "link_id": link.id, "share_name": "For the auditors",
                              "viewer_ip": "198.51.100.7", "body": ""}
        posted = through_keyhole(http_stack.api_url, link.token, link.id, "/api/post", method="POST", body=b"hello")
        assert posted.status == 200 and posted.json["body"] == "hello"
        signed = capture.requests[-1]
        assert httpx.get(base + "/api/x").status_code == 401
        assert resend(base, signed).status_code == 401  # replayed
        assert resend(base, signed, body=b"hellO").status_code == 401  # tampered
        assert resend(base, signed, target="/api/other").status_code == 401


# --- the Python examples -------------------------------------------------------------------------------


def test_the_flask_share_button_example(kh: Keyhole) -> None:
    example = load(EXAMPLES / "flask_share_button" / "app.py")
    client = example.create_app(kh).test_client()
    assert b"invoice-42" in client.get("/").data
    shared = client.post("/records/invoice-42/share")
    assert shared.status_code == 200
    url = shared.data.decode().split('id="share-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    seen = kh.viewer.data(url)
    assert seen.document["customer"] == "Globex" and seen.document["internal_notes"] == "***"
    page = client.get("/records/invoice-42").data.decode()
    link_id = page.split('data-link="', 1)[1].split('"')[0]
    assert "active" in page and "Revoke" in page
    assert client.post(f"/records/invoice-42/links/{link_id}/revoke").status_code == 302
    assert "revoked" in client.get("/records/invoice-42").data.decode()
    assert kh.links.get(link_id).status == "revoked"
    assert client.post("/records/nope/share").status_code == 404


def test_the_uptime_checker_example_pushes_patches(kh: Keyhole) -> None:
    example = load(EXAMPLES / "uptime_checker" / "checker.py")
    with scripted_server(lambda *a: (200, {}, b"ok")) as (up, _):
        checker = example.Checker(kh, "status:ci", {"web": up + "/health", "db": f"http://127.0.0.1:{free_port()}/"})
        checker.push()  # creates the resource
        url = checker.share_url()
        checker.push()  # PATCHes it
        assert checker.share_url() == url  # the same link, revealed again
    shown = kh.viewer.data(url).document
    assert shown["services"]["web"]["status"] == "up" and shown["services"]["db"]["status"] == "down"
    assert len(shown["services"]["web"]["checks"]) == 2
    assert kh.resources.get("status:ci").version == 2
