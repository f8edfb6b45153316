"""Outbound URL vetting (chalicelib/outbound): IPv6 forms that carry an internal IPv4 address (NAT64,
6to4, IPv4-mapped, IPv4-compatible) and tunnels (Teredo, local-use NAT64) are refused, in URL
literals and in DNS answers; the same forms of public addresses still pass where they route.

The webhook registration check (`url_problem`) and the delivery transport both go through this
module, so each case is asserted on the address policy, on registration and on a delivery.
"""
from __future__ import annotations

from typing import List

import pytest

from chalicelib.outbound import is_internal_host, is_public_address
from chalicelib.outbound.exceptions import Refused
from chalicelib.outbound.transport import send, vetted_address
from chalicelib.webhooks.endpoints import url_problem
from chalicelib.webhooks.transport import attempt

# (address, what it reaches)
INTERNAL_FORMS = [
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254 (instance metadata)"),
    ("64:ff9b::a00:7", "NAT64 of 10.0.0.7"),
    ("64:ff9b:1::7f00:1", "local-use NAT64 prefix"),
    ("64:ff9b:1:ffff::808:808", "local-use NAT64 prefix, public-looking tail"),
    ("2002:7f00:1::", "6to4 of 127.0.0.1"),
    ("2002:a9fe:a9fe::1", "6to4 of 169.254.169.254"),
    ("2002:c0a8:101::", "6to4 of 192.168.1.1"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),
    ("2001::1", "Teredo"),
    ("::7f00:1", "IPv4-compatible 127.0.0.1"),
    ("::a9fe:a9fe", "IPv4-compatible 169.254.169.254"),
    ("::808:808", "IPv4-compatible (deprecated form, never a destination)"),
    ("::ffff:7f00:1", "IPv4-mapped 127.0.0.1"),
    ("::ffff:a9fe:a9fe", "IPv4-mapped 169.254.169.254"),
    ("::ffff:a00:1", "IPv4-mapped 10.0.0.1"),
    ("fec0::1", "site-local (deprecated)"),
    ("ff02::1", "multicast"),
    ("fe80::1%eth0", "scoped link-local"),
    ("224.0.0.1", "IPv4 multicast"),
    ("240.0.0.1", "IPv4 reserved"),
    ("100.64.0.1", "carrier-grade NAT"),
]
PUBLIC_FORMS = [
    ("93.184.216.34", "IPv4"),
    ("2606:4700::1111", "IPv6"),
    ("64:ff9b::808:808", "NAT64 of 8.8.8.8 (DNS64 networks)"),
    ("2002:808:808::1", "6to4 of 8.8.8.8"),
    ("::ffff:808:808", "IPv4-mapped 8.8.8.8"),
]


@pytest.mark.parametrize("address,reaches", INTERNAL_FORMS, ids=[a for a, _ in INTERNAL_FORMS])
def test_internal_forms_are_not_public(address: str, reaches: str) -> None:
    assert not is_public_address(address), reaches


@pytest.mark.parametrize("address,reaches", PUBLIC_FORMS, ids=[a for a, _ in PUBLIC_FORMS])
def test_public_forms_are_public(address: str, reaches: str) -> None:
    assert is_public_address(address), reaches


@pytest.mark.parametrize("address,reaches", [f for f in INTERNAL_FORMS if ":" in f[0] and "%" not in f[0]],
                         ids=[a for a, _ in INTERNAL_FORMS if ":" in a and "%" not in a])
def test_webhook_registration_refuses_ipv6_literals_of_internal_addresses(address: str, reaches: str) -> None:
    # GIVEN a deployed stage WHEN an endpoint URL names the address literally THEN it is refused
    assert url_problem(f"https://[{address}]/hook", stage="prod") is not None, reaches
    assert is_internal_host(f"[{address}]")


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2606:4700::1111"])
def test_webhook_registration_accepts_ipv6_literals_of_public_addresses(address: str) -> None:
    assert url_problem(f"https://[{address}]/hook", stage="prod") is None


@pytest.mark.parametrize("address,reaches", INTERNAL_FORMS, ids=[a for a, _ in INTERNAL_FORMS])
def test_dns_answers_in_internal_forms_refuse_the_host(address: str, reaches: str) -> None:
    # GIVEN a public-looking name whose DNS answer is an internal form
    # WHEN its address is vetted THEN it is refused before any connection
    with pytest.raises(Refused, match="non-public address"):
        vetted_address("hooks.example.com", 443, resolve=lambda h, p: ["93.184.216.34", address])


def test_a_delivery_to_a_name_answering_nat64_of_loopback_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the system resolver answers a public-looking name with NAT64 of 127.0.0.1
    import socket

    def getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> List[tuple]:
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::7f00:1", port, 0, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    # WHEN a deployed stage attempts a delivery
    result = attempt("https://hooks.example.com/in", "whsec_" + "A" * 32, "msg_nat64", "{}", timeout=1)
    # THEN it is refused with the reason the delivery log shows, and nothing was sent
    assert (result.ok, result.status) == (False, None)
    assert result.error == "refused: the host resolves to a non-public address"


def test_public_only_sends_refuse_plain_http() -> None:
    with pytest.raises(Refused, match="not an https URL"):
        send("POST", "http://hooks.example.com/in", timeout=1, resolve=lambda h, p: ["93.184.216.34"])
