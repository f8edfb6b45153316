"""Webhook deliveries on deployed stages: the host is resolved once, every answer must be public,
and the connection goes to the vetted address with TLS checked against the registered name.

A real TLS server on loopback stands in for the receiver; the resolver and the address policy are
the explicit arguments the transport (`chalicelib.outbound.transport`) takes, so a test can give a
name a loopback answer.
"""
from __future__ import annotations

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chalicelib.outbound import is_public_address as is_public
from chalicelib.outbound.exceptions import OutboundError as DeliveryFailed
from chalicelib.outbound.transport import send, vetted_address
from chalicelib.webhooks.transport import attempt

NAME = "hooks.example.test"


def post_public(url: str, body: str, headers: Dict[str, str], **kw: Any) -> int:
    """A delivery's POST through the vetted transport, as `attempt` sends it on deployed stages."""
    return send("POST", url, body=body.encode(), headers=headers, **kw).status


def _certificate(tmp: Path) -> Tuple[Path, Path, Path]:
    """A test CA and a server certificate for NAME signed by it (PEM files)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Keyhole test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tmp / "ca.pem", tmp / "server.pem", tmp / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


@pytest.fixture
def tls_receiver(tmp_path: Path) -> Iterator[Dict[str, Any]]:
    """An HTTPS receiver on 127.0.0.1 with a certificate for NAME; records what it was sent."""
    ca, cert, key = _certificate(tmp_path)
    seen: List[Dict[str, str]] = []
    answer = {"status": 204}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (stdlib name)
            body = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
            seen.append({"path": self.path, "host": self.headers["host"], "body": body,
                         "webhook-id": self.headers["webhook-id"] or ""})
            self.send_response(answer["status"])
            self.send_header("location", "https://elsewhere.example.test/")
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client_context = ssl.create_default_context(cafile=str(ca))
    try:
        yield {"port": server.server_port, "seen": seen, "answer": answer, "context": client_context}
    finally:
        server.shutdown()
        server.server_close()


def test_the_connection_goes_to_the_vetted_address_with_tls_checked_for_the_name(tls_receiver):
    # GIVEN a name whose one DNS answer is the receiver's address (the resolver is asked once)
    asked: List[str] = []

    def resolve(host: str, port: int) -> List[str]:
        asked.append(host)
        return ["127.0.0.1"]

    url = f"https://{NAME}:{tls_receiver['port']}/in/keyhole?tenant=t1"
    # WHEN a delivery is posted
    status = post_public(url, '{"type": "share.accessed"}', {"webhook-id": "msg_1"}, timeout=5,
                         resolve=resolve, allowed=lambda address: True, context=tls_receiver["context"])
    # THEN it reached that address, with the name in Host and the path and query intact
    assert status == 204 and asked == [NAME]
    (request,) = tls_receiver["seen"]
    assert request["host"] == f"{NAME}:{tls_receiver['port']}" and request["path"] == "/in/keyhole?tenant=t1"
    assert request["body"] == '{"type": "share.accessed"}' and request["webhook-id"] == "msg_1"


def test_a_certificate_for_another_name_fails_the_attempt(tls_receiver):
    # GIVEN a name that resolves to the receiver, whose certificate is for a different name
    url = f"https://other.example.test:{tls_receiver['port']}/in"
    # WHEN a delivery is posted THEN the TLS check fails it before any request is sent
    with pytest.raises(DeliveryFailed, match="connection failed"):
        post_public(url, "{}", {"webhook-id": "msg_2"}, timeout=5, resolve=lambda h, p: ["127.0.0.1"],
                    allowed=lambda address: True, context=tls_receiver["context"])
    assert tls_receiver["seen"] == []


def test_redirects_are_answers_not_directions(tls_receiver):
    # GIVEN a receiver that answers 302 with a Location elsewhere
    tls_receiver["answer"]["status"] = 302
    # WHEN a delivery is posted THEN the 302 is the attempt's status and nothing follows it
    status = post_public(f"https://{NAME}:{tls_receiver['port']}/in", "{}", {"webhook-id": "msg_3"}, timeout=5,
                         resolve=lambda h, p: ["127.0.0.1"], allowed=lambda address: True,
                         context=tls_receiver["context"])
    assert status == 302 and len(tls_receiver["seen"]) == 1


@pytest.mark.parametrize("answers", [["127.0.0.1"], ["10.0.0.7"], ["169.254.169.254"], ["::1"],
                                     ["93.184.216.34", "192.168.1.1"], ["fe80::1%eth0"]])
def test_any_non_public_answer_refuses_the_host(answers):
    # GIVEN a public-looking name with at least one internal answer
    # WHEN its address is vetted THEN the delivery is refused
    with pytest.raises(DeliveryFailed, match="non-public address"):
        vetted_address("hooks.example.com", 443, resolve=lambda h, p: answers)


def test_a_public_answer_is_the_address_used():
    assert vetted_address("hooks.example.com", 443, resolve=lambda h, p: ["93.184.216.34", "2606:2800::1"]) \
        == "93.184.216.34"
    assert is_public("93.184.216.34") and not is_public("100.64.0.1")


def test_an_unresolvable_host_is_a_failed_attempt():
    def no_such_host(host: str, port: int) -> List[str]:
        raise OSError("Name or service not known")

    with pytest.raises(DeliveryFailed, match="host not found"):
        vetted_address("nowhere.example.com", 443, resolve=no_such_host)


def test_a_deployed_stage_attempt_to_localhost_sends_nothing(tls_receiver):
    # GIVEN the receiver on this machine, named by the system resolver's own "localhost"
    url = f"https://localhost:{tls_receiver['port']}/in"
    # WHEN a deployed stage attempts a delivery (public_only is the default)
    result = attempt(url, "whsec_" + "A" * 32, "msg_4", "{}", timeout=5)
    # THEN it is refused before connecting
    assert not result.ok and result.status is None
    assert result.error == "refused: the host resolves to a non-public address"
    assert tls_receiver["seen"] == []


def test_a_receiver_that_never_answers_is_a_timeout_and_a_closed_port_a_failed_connection():
    import socket

    # GIVEN a listener that accepts connections but never answers, and a port nobody listens on
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    try:
        # WHEN local-stage attempts are made THEN the delivery log can tell the two apart
        hung = attempt(f"http://127.0.0.1:{silent.getsockname()[1]}/in", "whsec_" + "A" * 32, "msg_5", "{}",
                       timeout=0.3, public_only=False)
        refused = attempt(f"http://127.0.0.1:{closed_port}/in", "whsec_" + "A" * 32, "msg_6", "{}",
                          timeout=0.3, public_only=False)
    finally:
        silent.close()
    assert (hung.ok, hung.status, hung.error) == (False, None, "timeout")
    assert (refused.ok, refused.status, refused.error) == (False, None, "connection failed (refused or unreachable)")
