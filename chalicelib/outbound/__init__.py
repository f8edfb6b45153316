"""Outbound HTTP that cannot be pointed inside the network: address policy and a vetted transport.

- `addresses`: which IP addresses are public (IPv4 carried inside IPv6 judged by what it carries),
  which URL hosts are internal in any spelling (pure);
- `transport`: resolve once, vet every answer, connect to the vetted address with TLS checked for the
  name; one attempt, no redirects, no proxies;
- `exceptions`: `Refused`, `HostNotFound`, `ConnectFailed`, `TimedOut` (all `OutboundError`).

Webhook deliveries use it today; origin proxying calls tenants' origins through the same path.
Importing this package does not import urllib3 (the `transport` module does).
May import `runtime` only.
"""

from __future__ import annotations

from chalicelib.outbound.addresses import embedded_ipv4, is_internal_host, is_public_address, literal_address
from chalicelib.outbound.exceptions import ConnectFailed, HostNotFound, OutboundError, Refused, TimedOut

__all__ = [
    "ConnectFailed",
    "HostNotFound",
    "OutboundError",
    "Refused",
    "TimedOut",
    "embedded_ipv4",
    "is_internal_host",
    "is_public_address",
    "literal_address",
]
