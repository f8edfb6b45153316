"""The demo origin (devstack/origin.py) as `make run` and the tests run it: a client that hangs up
before the answer (Keyhole giving up on a slow origin) is no traceback in anyone's log."""

from __future__ import annotations

import base64
import os
import secrets
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import requests

from chalicelib.origin.signing import signature_headers
from devstack.moto_server import free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def signed(secret: str, path: str) -> dict[str, str]:
    target, _, query = path.partition("?")
    return signature_headers([secret], message_id=f"msg_{secrets.token_hex(8)}", timestamp=int(time.time()),
                             method="GET", path=target, query=query, link_id="lnk_0123456789abcdef01234567", body=b"")


def test_a_client_that_hangs_up_is_not_a_traceback() -> None:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    port = free_port()
    origin = subprocess.Popen([sys.executable, "-m", "devstack.origin", "--port", str(port)], cwd=ROOT,
                              env={**os.environ, "DEMO_ORIGIN_SECRETS": secret}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=origin)
        # GIVEN a signed request for a slow answer, WHEN the client resets the connection before it
        # (as Keyhole does when the origin passes its timeout)
        for _ in range(3):
            headers = signed(secret, "/slow?s=0.3")
            request = "GET /slow?s=0.3 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(
                f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
            with socket.create_connection(("127.0.0.1", port)) as client:
                client.sendall(request.encode())
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
        time.sleep(1.0)  # the origin wakes up and writes to the dead connections
        # THEN it keeps serving, signed requests still answer
        answer = requests.get(f"http://127.0.0.1:{port}/api/status", headers=signed(secret, "/api/status"), timeout=10)
        assert answer.status_code == 200 and answer.json()["status"] == "up"
    finally:
        stop_process(origin)
    _, errors = origin.communicate(timeout=10)
    # AND its log holds no traceback (a BrokenPipeError or ConnectionResetError is a client leaving)
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors
