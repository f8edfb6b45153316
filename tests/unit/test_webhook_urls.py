"""Webhook endpoint URLs on a deployed stage, as an attacker would write them to reach inside the
network (SSRF): every spelling a resolver accepts for an internal address must be refused.
"""
from __future__ import annotations

import pytest

from chalicelib.webhooks.endpoints import url_problem


@pytest.mark.parametrize("url", [
    "https://127.1/", "https://127.0.1/", "https://0x7f.1/", "https://0x7f000001/", "https://0177.0.0.1/",
    "https://2130706433/", "https://0xa9.0xfe.0xa9.0xfe/latest", "https://169.254.43518/latest",
    "https://localhost./", "https://LOCALHOST./", "https://metadata.google.internal./", "https://10.1/",
    "https://[::ffff:7f00:1]/", "https://[::1]/", "https://0/",
], ids=lambda url: url.split("//")[1])
def test_internal_addresses_in_any_spelling_are_refused_on_deployed_stages(url: str) -> None:
    # GIVEN a deployed stage WHEN an endpoint names an internal address, however it is spelled
    # THEN registration refuses it
    assert url_problem(url, local=False) is not None


@pytest.mark.parametrize("url", ["https://example.com/hook", "https://hooks.example.com:8443/k",
                                 "https://93.184.216.34/", "https://1.1/", "https://[2606:4700::1111]/"])
def test_public_addresses_are_accepted(url: str) -> None:
    assert url_problem(url, local=False) is None
