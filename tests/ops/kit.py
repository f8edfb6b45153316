"""Helpers for the ops-tool tests: the admin API over real HTTP, and the ops CLI run as ops run it
(`python -m chalicelib.ops.cli` in a child process, configured by KEYHOLE_* variables)."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from tests import contract
from tests.conftest import Reply

ROOT = Path(__file__).resolve().parent.parent.parent


class _Raw:
    def __init__(self, response: requests.Response) -> None:
        self.status_code = response.status_code
        self.headers = response.headers
        self.body = response.content


class HttpApi:
    """The `tests.conftest.Api` interface over real HTTP (so `tests.support` helpers work with it);
    like it, every response is checked against the OpenAPI document."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def call(self, method: str, path: str, *, key: Optional[str] = None, body: Any = None,
             headers: Optional[Dict[str, str]] = None, raw: Optional[bytes] = None) -> Reply:
        sent = {"content-type": "application/json"}
        if key:
            sent["authorization"] = f"Bearer {key}"
        sent.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        reply = Reply(_Raw(self.session.request(method, self.base_url + path, headers=sent, data=data, timeout=60)))
        contract.check(method, path, reply.status, reply.headers, reply.body)  # every response meets the OpenAPI document
        return reply

    def get(self, path: str, **kw: Any) -> Reply:
        return self.call("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> Reply:
        return self.call("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> Reply:
        return self.call("PUT", path, **kw)

    def patch(self, path: str, **kw: Any) -> Reply:
        return self.call("PATCH", path, **kw)

    def delete(self, path: str, **kw: Any) -> Reply:
        return self.call("DELETE", path, **kw)


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    @property
    def lines(self) -> List[str]:
        return self.stderr.splitlines()


def run_cli(env: Dict[str, str], *args: str, timeout: float = 180) -> CliResult:
    """`python -m chalicelib.ops.cli ARGS` with exactly `env`, from the project directory."""
    done = subprocess.run([sys.executable, "-m", "chalicelib.ops.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    return CliResult(done.returncode, done.stdout, done.stderr)
