"""moto in server mode, as a child process.

`--serial` serves one request at a time. That is DynamoDB's own guarantee (each request is
atomic) and what concurrency tests need: moto's threaded server is not thread-safe, so parallel
requests against it can produce double winners that real DynamoDB never would.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

from werkzeug.serving import BaseWSGIServer, ThreadedWSGIServer


def _app():  # type: ignore[no-untyped-def]
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


class SerialServer(BaseWSGIServer):
    request_queue_size = 1024  # parallel clients queue in the backlog instead of being refused


class ThreadedServer(ThreadedWSGIServer):
    request_queue_size = 1024


def serve(host: str, port: int, serial: bool) -> None:
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    server_cls = SerialServer if serial else ThreadedServer
    server = server_cls(host, port, _app(), handler=MotoRequestHandler)
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


@contextlib.contextmanager
def moto_process(port: int | None = None, *, serial: bool = False) -> Iterator[str]:
    """Run moto in a child process; yields its endpoint URL and stops it afterwards."""
    port = port or free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    args = [sys.executable, "-m", "devstack.moto_server", "--port", str(port)] + (["--serial"] if serial else [])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    process = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--serial", action="store_true", help="one request at a time (DynamoDB-like atomicity)")
    args = parser.parse_args()
    serve(args.host, args.port, args.serial)


if __name__ == "__main__":
    main()
