"""moto in server mode, as a child process, with the fixes of `devstack.moto_patches` (memory
that stays flat, transactions that cost the same however big the table grows).

`--serial` serves one request at a time. That is DynamoDB's own guarantee (each request is
atomic) and what `make run` and the concurrency tests use: moto's threaded server is not
thread-safe, so parallel requests against it can produce double winners, lost writes and HTML
500s that real DynamoDB never would. Connections are still read on threads of their own and kept
alive between requests (HTTP/1.1), as AWS's endpoints keep them: only moto's handling of each
request is serialised. A single-threaded server would have to close every connection after one
response (or a keep-alive client would block all others), and reconnecting for every call cost
more than a small request's work.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import ThreadedWSGIServer


def _app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


class SerialServer(ThreadedWSGIServer):
    """One request at a time through moto, on kept-alive connections (see the module's doc)."""

    request_queue_size = 1024  # parallel clients queue in the backlog instead of being refused

    def __init__(self, host: str, port: int, app: Any, **kwargs: Any) -> None:
        lock = threading.Lock()

        def one_at_a_time(environ: dict[str, Any], start_response: Any) -> Any:
            with lock:
                # The whole response is read before the lock is released: nothing of it is
                # computed while another request runs.
                answer = app(environ, start_response)
                try:
                    return list(answer)
                finally:
                    if hasattr(answer, "close"):
                        answer.close()

        super().__init__(host, port, one_at_a_time, **kwargs)


class ThreadedServer(ThreadedWSGIServer):
    request_queue_size = 1024


def serve(host: str, port: int, serial: bool) -> None:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    from devstack import moto_patches

    moto_patches.apply()

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: object, **kwargs: object) -> None:
            """No line per request: nobody reads them (the process's output goes nowhere)."""

    server_cls = SerialServer if serial else ThreadedServer
    server = server_cls(host, port, _app(), handler=QuietHandler)
    print(f"moto ready on http://{host}:{server.server_port} ({'serial' if serial else 'threaded'})", flush=True)
    server.serve_forever()


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 120.0, process: subprocess.Popen | None = None) -> None:
    """Until something listens on `port`. Generous: a loaded 2-core machine (tests on two workers)
    can take tens of seconds to start a server; a server that died is reported at once."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server process exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on port {port} after {timeout}s")


def stop_process(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate a child server, killing it if it does not exit in time."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass(frozen=True)
class MotoServer:
    """A running moto child process: where it listens, and its pid (to read its memory)."""

    endpoint: str
    pid: int

    def rss_bytes(self) -> int:
        """Resident memory of the server process now (Linux /proc)."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        raise RuntimeError(f"no VmRSS for process {self.pid}")


def moto_command(port: int, *, serial: bool) -> list[str]:
    return [sys.executable, "-m", "devstack.moto_server", "--port", str(port)] + (["--serial"] if serial else [])


@contextlib.contextmanager
def moto_server(port: int | None = None, *, serial: bool = False) -> Iterator[MotoServer]:
    """Run moto in a child process; yields it and stops it afterwards."""
    port = port or free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = subprocess.Popen(
        moto_command(port, serial=serial), cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process=process)
        yield MotoServer(endpoint=f"http://127.0.0.1:{port}", pid=process.pid)
    finally:
        stop_process(process)


@contextlib.contextmanager
def moto_process(port: int | None = None, *, serial: bool = False) -> Iterator[str]:
    """Run moto in a child process; yields its endpoint URL and stops it afterwards."""
    with moto_server(port, serial=serial) as server:
        yield server.endpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--serial", action="store_true", help="one request at a time (DynamoDB-like atomicity)")
    args = parser.parse_args()
    serve(args.host, args.port, args.serial)


if __name__ == "__main__":
    main()
