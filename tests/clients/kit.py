"""What the client tests share: the TypeScript package's node modules (installed with `npm ci` from
the committed package-lock.json, once per checkout, under a file lock so parallel test processes
do not install twice), and the paths of the clients and examples."""
from __future__ import annotations

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

from tests.stack import ROOT

PYTHON_CLIENT = ROOT / "clients" / "python"
TS_CLIENT = ROOT / "clients" / "typescript"
EXAMPLES = ROOT / "examples"
NPM_TIMEOUT = 600


def npm() -> str:
    found = shutil.which("npm")
    assert found, "npm is needed for the TypeScript client's tests (Node.js 18 or later)"
    return found


def npm_ci(package: Path = TS_CLIENT) -> Path:
    """`npm ci` in `package` unless its node_modules already match its package-lock.json."""
    lock = package / "package-lock.json"
    stamp = package / "node_modules" / ".keyhole-lock.json"
    with open(package / ".npm-install.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        wanted = json.dumps(json.loads(lock.read_text()), sort_keys=True)
        if not stamp.exists() or stamp.read_text() != wanted:
            subprocess.run([npm(), "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=package, check=True,
                           timeout=NPM_TIMEOUT)
            stamp.write_text(wanted)
    return package / "node_modules"


# --- small HTTP servers on loopback -----------------------------------------------------------------

import threading  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from typing import Any  # noqa: E402

Answer = tuple[int, dict[str, str], bytes]


@contextmanager
def scripted_server(answers: Callable[[str, str, dict[str, str], bytes], Answer]) -> Iterator[tuple[str, list[Any]]]:
    """An HTTP server on 127.0.0.1 that answers each request with `answers(method, path, headers,
    body)` and records what it received: (base URL, received requests)."""
    received: list[Any] = []

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            received.append((self.command, self.path, headers, body))
            status, out_headers, out = answers(self.command, self.path, headers, body)
            self.send_response(status)
            for name, value in out_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any  # noqa: N815

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
