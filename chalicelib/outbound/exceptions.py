"""Errors of outbound HTTP. Each carries a short `reason` that is safe to show a tenant (a delivery
log line, a 502 on a proxied page): it names what went wrong, never an address inside the network."""

from __future__ import annotations


class OutboundError(Exception):
    """Base class: the request was not made, or got no HTTP answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Refused(OutboundError):
    """Keyhole will not call this URL: not https where https is required, or an address that is not
    public (literal, or among the host's DNS answers)."""


class HostNotFound(OutboundError):
    """The host has no address."""


class ConnectFailed(OutboundError):
    """No connection (refused, unreachable, TLS failure) or a broken exchange."""


class TimedOut(OutboundError):
    """The peer did not answer in time (connect or read)."""
