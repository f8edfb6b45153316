"""Outbound URL vetting (chalicelib/outbound): IPv6 forms that carry an internal IPv4 address (NAT64,
6to4, IPv4-mapped, IPv4-compatible) and tunnels (Teredo, local-use NAT64) are refused, in URL
literals and in DNS answers; the same forms of public addresses still pass where they route.

The webhook registration check (`url_problem`) and the delivery transport both go through this
module, so each case is asserted on the address policy, on registration and on a delivery.
"""
from __future__ import annotations

from typing import Any, List

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
    assert url_problem(f"https://[{address}]/hook", local=False) is not None, reaches
    assert is_internal_host(f"[{address}]")


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2606:4700::1111"])
def test_webhook_registration_accepts_ipv6_literals_of_public_addresses(address: str) -> None:
    assert url_problem(f"https://[{address}]/hook", local=False) is None


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


# --- issue 19: look-alike hosts at validation; loopback only on the local and test stages -------

# Hosts a resolver folds into an IP literal (IDNA maps fullwidth and circled digits, ideographic
# full stops, fullwidth letters): the connection-time check alone used to refuse them.
LOOK_ALIKES = [
    "https://\uff11\uff12\uff17.0.0.1/",  # fullwidth digits: 127.0.0.1
    "https://\u2460\u2461\u2466.0.0.1/",  # circled digits: 127.0.0.1
    "https://\u0661\u0662\u0667.0.0.1/",  # Arabic-Indic digits
    "https://127\u30020\u30020\u30021/",  # ideographic full stops
    "https://127\uff0e0\uff0e0\uff0e1/",  # fullwidth full stops
    "https://0\uff58a9.0xfe.0xa9.0xfe/",  # fullwidth x: 0xa9.0xfe.0xa9.0xfe (169.254.169.254)
    "https://\uff18.\uff18.\uff18.\uff18/",  # fullwidth 8.8.8.8: public, but an address is written in ASCII
    "https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/",  # fullwidth `localhost`
]


@pytest.mark.parametrize("url", LOOK_ALIKES)
def test_deployed_stages_refuse_look_alike_hosts_at_validation(url: str) -> None:
    assert url_problem(url, local=False) is not None
    from chalicelib.origin.spec import url_problem as origin_url_problem

    assert origin_url_problem(url, local=False) is not None


def test_international_names_that_are_names_still_pass() -> None:
    assert url_problem("https://b\u00fccher.example/hook", local=False) is None


LOCAL_REFUSED = [
    "http://169.254.169.254/latest/meta-data/", "https://169.254.169.254/", "http://[fe80::1]/x",
    "http://[fe80::1%25eth0]/x", "http://10.0.0.1/x", "http://192.168.1.1/x", "http://172.16.0.1/x",
    "http://100.64.0.1/x", "http://[fd00::1]/x", "http://[fd00:ec2::254]/", "http://0.0.0.0/x", "http://[::]/x",
    "http://[::ffff:169.254.169.254]/x", "http://[::ffff:127.0.0.1]/x", "http://2852039166/x",
    "http://0xa9.0xfe.0xa9.0xfe/x", "http://metadata.google.internal/x", "http://example.com/x",
    "https://hooks.example.com/x", "http://localhost.example.com/x", "http://\uff11\uff12\uff17.0.0.1/",
]
LOCAL_ACCEPTED = ["http://127.0.0.1:9/x", "http://127.1/x", "http://127.9.9.9:8080/x", "http://[::1]:9/x",
                  "http://localhost:9/x", "http://LOCALHOST./x", "http://hooks.localhost:9/x", "https://a.b.localhost/"]


@pytest.mark.parametrize("url", LOCAL_REFUSED)
def test_local_stages_refuse_every_address_but_loopback(url: str) -> None:
    from chalicelib.origin.spec import url_problem as origin_url_problem

    assert url_problem(url, local=True) is not None
    assert origin_url_problem(url, local=True) is not None


@pytest.mark.parametrize("url", LOCAL_ACCEPTED)
def test_local_stages_accept_loopback(url: str) -> None:
    assert url_problem(url, local=True) is None


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> List[Any]:
    """Every TCP connection urllib3 would open, refused at the socket layer and recorded: a test
    that fails sends nothing to the address it names."""
    import urllib3.util.connection

    opened: List[Any] = []

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(address)
        raise ConnectionRefusedError("no connection in this test")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return opened


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[fe80::1]/",
                                 "http://[::ffff:169.254.169.254]/", "http://2852039166/"])
def test_local_stages_never_connect_outside_this_machine(url: str, no_connections: List[Any]) -> None:
    # GIVEN an endpoint registered before the loopback rule (or written into the table by hand)
    # WHEN the local stage delivers to it THEN it is refused before any connection
    result = attempt(url, "whsec_" + "A" * 32, "msg_local", "{}", timeout=1, public_only=False)
    assert (result.ok, result.status) == (False, None) and result.error is not None
    assert "refused" in result.error
    assert no_connections == []


def test_local_stages_refuse_a_name_that_resolves_outside_this_machine(no_connections: List[Any]) -> None:
    with pytest.raises(Refused):
        send("POST", "http://hooks.test/in", timeout=1, public_only=False, resolve=lambda h, p: ["169.254.169.254"])
    with pytest.raises(Refused):
        send("POST", "http://hooks.test/in", timeout=1, public_only=False,
             resolve=lambda h, p: ["127.0.0.1", "10.0.0.1"])
    assert no_connections == []


def test_localhost_names_are_this_machine_without_dns(no_connections: List[Any]) -> None:
    # `*.localhost` is 127.0.0.1 (RFC 6761), whatever a resolver would say
    def resolver(host: str, port: int) -> List[str]:
        raise AssertionError("no DNS for localhost names")

    with pytest.raises(Exception):
        send("POST", "http://hooks.localhost:9/in", timeout=1, public_only=False, resolve=resolver)
    assert [address[0] for address in no_connections] == ["127.0.0.1"]
