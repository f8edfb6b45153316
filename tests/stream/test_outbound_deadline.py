"""Outbound deadlines hold while a body is read: a peer that sends its headers at once and then
trickles its body a byte at a time (each byte well inside the per-read timeout) is cut at the
deadline, for a webhook attempt (the 1 s inline budget of a batch) and for the origin proxy (its
504). Real loopback sockets (tests/stream/faults.py `FaultyReceiver`, mode "trickle").

Bounds are generous (deadline + 1.5 s) for a loaded machine: without the cut, these take 5 s+.
"""
from __future__ import annotations

import time
from typing import Any, Iterator, List

import pytest

from chalicelib.origin import forward
from chalicelib.origin.exceptions import OriginTimedOut
from chalicelib.outbound import transport
from chalicelib.outbound.exceptions import TimedOut
from chalicelib.webhooks import transport as webhook_transport
from tests.stream.faults import FaultyReceiver, serve_receiver, stop_receiver

SLACK = 1.5


@pytest.fixture(params=["closes", "keeps-alive"])
def trickling(request: Any) -> Iterator[FaultyReceiver]:
    """Headers at once, then 8 body bytes 0.8 s apart (6.4 s in all; each gap under the 1 s timeout),
    by a peer that closes after its answer (HTTP/1.0) and by one that keeps the connection open."""
    state = FaultyReceiver(mode="trickle", delay=0.8, trickle=8, keep_alive=request.param == "keeps-alive")
    server = serve_receiver(state)
    try:
        yield state
    finally:
        stop_receiver(state, server)


def test_a_webhook_attempt_to_a_trickling_receiver_ends_at_its_deadline(trickling: FaultyReceiver) -> None:
    started = time.monotonic()
    result = webhook_transport.attempt(
        trickling.url, "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", "{}",
        timeout=1.0, public_only=False, deadline=started + 1.0,
    )
    took = time.monotonic() - started
    assert not result.ok and result.error == "timeout", result
    assert took < 1.0 + SLACK, f"took {took:.1f} s"


@pytest.mark.parametrize("reuse", [True, False])
def test_a_proxied_send_to_a_trickling_origin_ends_at_its_deadline(trickling: FaultyReceiver, reuse: bool) -> None:
    started = time.monotonic()
    with pytest.raises(TimedOut):
        transport.send("POST", trickling.url, body=b"{}", timeout=1.0, public_only=False, max_body=1 << 20,
                       deadline=started + 1.0, reuse=reuse)
    took = time.monotonic() - started
    assert took < 1.0 + SLACK, f"took {took:.1f} s"


def test_the_proxy_answers_a_trickling_origin_with_its_timeout_in_time(trickling: FaultyReceiver) -> None:
    request = forward.ProxyRequest(
        method="POST", path="/hooks/keyhole", query="", headers={}, body=b"{}", viewer_ip="198.51.100.7", link_id="lnk_1",
        link_label=None, share_prefix="/share/abc",
    )
    started = time.monotonic()
    with pytest.raises(OriginTimedOut):
        forward.forward(trickling.url.rsplit("/hooks/keyhole", 1)[0], request, origin_secrets=["s" * 32],
                        tenant_name="T", banner=False, public_only=False, timeout=1.0)
    took = time.monotonic() - started
    assert took < 1.0 + SLACK, f"took {took:.1f} s"


@pytest.mark.parametrize("keep_alive", [False, True])
def test_a_body_that_arrives_in_time_is_read_whole(keep_alive: bool) -> None:
    state = FaultyReceiver(mode="trickle", delay=0.05, trickle=6, keep_alive=keep_alive)
    server = serve_receiver(state)
    try:
        answers: List[Any] = [
            transport.send("POST", state.url, body=b"{}", timeout=1.0, public_only=False,
                           deadline=time.monotonic() + 3.0, reuse=reuse)
            for reuse in (True, True, False)
        ]
    finally:
        stop_receiver(state, server)
    assert [(a.status, a.body) for a in answers] == [(200, b"xxxxxx")] * 3
