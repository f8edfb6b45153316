"""Helpers for the origin-resource suites: a real local origin that verifies every signature,
plain HTTP to `chalice local` (no redirects followed, any Host), and a tenant with an origin."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlsplit

from chalicelib.runtime import content_origin
from devstack.origin import OriginServer
from devstack.moto_server import free_port


@dataclass
class Http:
    status: int
    headers: Dict[str, str]
    body: bytes
    all_headers: list = field(default_factory=list)

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def request(base: str, method: str, path: str, *, host: Optional[str] = None, headers: Optional[Dict[str, str]] = None,
            body: Optional[bytes] = None, timeout: float = 60) -> Http:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent = dict(headers or {})
    if host:
        sent["Host"] = host
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    raw = response.getheaders()
    return Http(response.status, {k.lower(): v for k, v in raw}, data, raw)


def start_origin(secrets: Tuple[str, ...] = ()) -> OriginServer:
    server = OriginServer(free_port(), secrets)
    server.start()
    return server


@dataclass
class OriginLink:
    api_url: str
    token: str
    link_id: str
    secret: str
    resource_id: str
    link: Dict[str, Any]

    @property
    def port(self) -> int:
        return int(urlsplit(self.api_url).port or 80)

    @property
    def content_host(self) -> str:
        return f"{content_origin.label_for(self.link_id)}.localhost:{self.port}"

    def path(self, rest: str = "/") -> str:
        return f"/share/{self.token}/o{rest}"

    def get(self, rest: str = "/", *, method: str = "GET", ip: str = "10.9.9.9", **kw: Any) -> Http:
        headers = {"X-Forwarded-For": ip, **kw.pop("headers", {})}
        return request(self.api_url, method, self.path(rest), host=self.content_host, headers=headers, **kw)
