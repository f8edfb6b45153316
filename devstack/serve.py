"""`chalice local`, as the Chalice CLI runs it, with two changes for a share-link service:
the request log masks share tokens and API keys wherever a client put them in the path (and drops
query strings), and the app can run in a thread (tests).

Run: `python -m devstack.serve --stage local --port 8000` with the stack's environment set.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import uuid
from typing import Any

from chalice.cli.factory import CLIFactory
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    LocalGateway,
    MatchResult,
    RouteMatcher,
    ThreadedHTTPServer,
)

from chalicelib.runtime.logs import scrub

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SHARE_PATH = re.compile(r"(/share/)[^/\s?]+")


_QUERY = re.compile(r"\?[^\s\"]*")
# A body larger than this on a method no route takes is not read: the connection is closed instead.
MAX_DRAINED_BYTES = 1024 * 1024


def drop_query(line: str) -> str:
    """Query strings can carry anything a client put there (an `?api_key=` included): not logged."""
    return _QUERY.sub("", line)


# A run this long of URL characters (percent-escapes included) could be a share token (64) or an
# API key's secret (43), wherever a client put it: such a path segment is logged as `<masked>`.
# Ids Keyhole issues are shorter (`lnk_` + 24 hex); a resource id of 40+ characters is masked too.
_LONG_RUN = re.compile(r"[A-Za-z0-9_.~%:-]{40,}")


def mask_tokens(line: str) -> str:
    """Share tokens after /share/, then anything long enough to be a token or a key, anywhere."""
    return scrub(_LONG_RUN.sub("<masked>", _SHARE_PATH.sub(r"\1<token>", line)))


def gateway_response(response_type: str) -> tuple[int, dict[str, str], str]:
    """Status, headers and body that API Gateway gives for `response_type` once deployed with
    `infra/chalice-merge.json` (or `scripts/post_deploy.py`)."""
    merge = json.loads(open(os.path.join(PROJECT_DIR, "infra", "chalice-merge.json")).read())
    spec = merge["Resources"]["RestAPI"]["Properties"]["GatewayResponses"][response_type]
    headers = {name: value.strip("'") for name, value in spec["ResponseParameters"]["Headers"].items()}
    headers["Content-Type"] = "application/json"
    body = spec["ResponseTemplates"]["application/json"].replace("$context.requestId", uuid.uuid4().hex)
    return int(spec.get("StatusCode", 403)), headers, body


def method_not_allowed(method: str, path: str) -> tuple[int, dict[str, str], str]:
    """Keyhole's 405 (app.py's `uniform_errors` gives Chalice's own 405s the same shape)."""
    from chalicelib.viewer.resolve import viewer_headers

    request_id = uuid.uuid4().hex
    headers = {"Content-Type": "application/json", "X-Request-Id": request_id, "Cache-Control": "no-store"}
    if path.startswith("/share/") or path.split("?", 1)[0] == "/robots.txt":
        headers.update(viewer_headers())
    message = f"Unsupported method: {method}"[:200]
    body = json.dumps({"error": {"code": "method_not_allowed", "message": message, "request_id": request_id}})
    return 405, headers, body


class GreedyRouteMatcher(RouteMatcher):
    """Chalice's matcher, plus API Gateway's greedy `{name+}` last segment (the origin proxy's
    `/share/{token}/o/{proxy+}`), which `chalice local` cannot match: it compares segment counts.
    Concrete routes still win, as on API Gateway."""

    def match_route(self, url: str) -> MatchResult:
        try:
            return super().match_route(url)
        except ValueError:
            pass
        from urllib.parse import parse_qs, urlparse

        parsed = urlparse(url)
        parts = parsed.path.split("/")
        for route_url in self.route_urls:
            route_parts = route_url.split("/")
            last = route_parts[-1]
            if not (last.startswith("{") and last.endswith("+}")) or len(parts) < len(route_parts):
                continue
            captured: dict[str, str] = {}
            for given, wanted in zip(parts, route_parts[:-1], strict=False):
                if wanted.startswith("{") and wanted.endswith("}"):
                    captured[wanted[1:-1]] = given
                elif given != wanted:
                    break
            else:
                rest = "/".join(parts[len(route_parts) - 1 :])
                if rest:
                    captured[last[1:-2]] = rest
                    return MatchResult(route_url, captured, parse_qs(parsed.query, keep_blank_values=True))
        raise ValueError(f"No matching route found for: {url}")


_MATCHERS: dict[int, GreedyRouteMatcher] = {}


class MaskingRequestHandler(ChaliceRequestHandler):
    """Request lines name the URL, and share URLs contain the capability token. Unknown routes
    get the deployed gateway response: Chalice mimics API Gateway's default one, which echoes the
    Authorization header (API key included). Paths below a greedy `{proxy+}` route reach it.

    Nagle's algorithm is off: the handler writes headers and body separately, and on a kept-alive
    connection the body waited for the client's delayed ACK, 40 ms on every response."""

    disable_nagle_algorithm = True

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Any, config: Any) -> None:
        from http.server import BaseHTTPRequestHandler

        self.local_gateway = LocalGateway(app_object, config)
        matcher = _MATCHERS.get(id(app_object))
        if matcher is None:
            matcher = _MATCHERS[id(app_object)] = GreedyRouteMatcher(list(app_object.routes))
        self.local_gateway.event_converter._route_matcher = matcher
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _send_error_response(self, error: Any) -> None:
        if isinstance(error, ForbiddenError):
            status, headers, body = gateway_response("MISSING_AUTHENTICATION_TOKEN")
            self._send_http_response(status, headers, body)
            return
        super()._send_error_response(error)

    def _send_http_response_with_body(self, code: int, headers: Any, body: str | bytes) -> None:
        """A response to HEAD has the headers a GET would get and no body (RFC 9110; API Gateway
        drops it too). Written out, the body became the start of the next response on a kept-alive
        connection (found by the contract fuzzer on the proxied routes, which take HEAD)."""
        if code == 204:  # no content: no body, no Content-Type, no Content-Length (RFC 9110), as API Gateway
            headers.pop("Content-Type", None)
            self.send_response(code)
            self._send_headers(headers)
            return
        if self.command != "HEAD":
            super()._send_http_response_with_body(code, headers, body)
            return
        self.send_response(code)
        self.send_header("Content-Length", str(len(body if isinstance(body, bytes) else body.encode("utf-8"))))
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        self._send_headers(headers)

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(mask_tokens(drop_query(f"{self.address_string()} - {format % args}\n")))

    def _no_such_method(self) -> None:
        """A method no route takes (TRACE, CONNECT, anything made up), not http.server's HTML 501: on a
        path the API serves, 405 `method_not_allowed` as for any other method that path does not take
        (with the viewer headers under /share/ and on /robots.txt); elsewhere the deployed gateway
        response (404). No route answers it, so no Keyhole code runs. Its body is read first: left in
        a kept-alive connection, it would become the next request line."""
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_DRAINED_BYTES or self.headers.get("transfer-encoding"):
            self.close_connection = True
        elif length:
            self.rfile.read(length)
        try:
            self.local_gateway.event_converter._route_matcher.match_route(self.path)
        except ValueError:
            status, headers, body = gateway_response("MISSING_AUTHENTICATION_TOKEN")
            self._send_http_response(status, headers, body)
            return
        self._send_http_response(*method_not_allowed(self.command, self.path))

    do_TRACE = do_CONNECT = _no_such_method

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_") and name[3:].isupper():
            return self._no_such_method
        raise AttributeError(name)


class BackloggedServer(ThreadedHTTPServer):
    """socketserver's default listen backlog is 5: a burst of parallel clients would be reset."""

    request_queue_size = 256


class QuietRequestHandler(MaskingRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def create_server(host: str, port: int, stage: str = "local", *, quiet: bool = False) -> LocalDevServer:
    factory = CLIFactory(PROJECT_DIR, environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app_obj = config.chalice_app
    # As chalice.local.create_local_server does: the threaded server needs a per-thread
    # `current_request` (Lambda runs one request per container, so it never shares one).
    if not isinstance(app_obj, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app_obj.__class__)
        app_obj.__class__ = CustomLocalChalice
    handler = QuietRequestHandler if quiet else MaskingRequestHandler
    return LocalDevServer(app_obj, config, host, port, handler_cls=handler, server_cls=BackloggedServer)


def serve_in_thread(host: str, port: int, stage: str = "local") -> tuple[LocalDevServer, threading.Thread]:
    server = create_server(host, port, stage, quiet=True)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--stage", default="local")
    args = parser.parse_args(argv)
    sys.path.insert(0, PROJECT_DIR)
    server = create_server(args.host, args.port, args.stage)
    server.serve_forever()


if __name__ == "__main__":
    main()
