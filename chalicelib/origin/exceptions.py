"""Errors of origin resources and proxied requests.

Configuration problems are field errors (422) and come from `chalicelib.runtime.errors`; these are the
failures of one proxied request, each mapped to what the viewer sees (a 502 or 504 error page or
JSON, never a 500). `reason` is safe to show a viewer and to log: it never names an address
inside the network or repeats the token.
"""

from __future__ import annotations


class OriginError(Exception):
    """A proxied request got no usable answer from the origin. `status` is what the viewer gets."""

    status = 502

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OriginUnreachable(OriginError):
    """No connection, no such host, a TLS failure, a broken exchange, or an address Keyhole will
    not call (a non-public address on a deployed stage): 502."""


class OriginTimedOut(OriginError):
    """The origin did not answer within the proxy's deadline (which fits API Gateway's): 504."""

    status = 504


class OriginTooLarge(OriginError):
    """The origin's answer is larger than a Lambda response can carry: 502."""


class OriginRedirectRefused(OriginError):
    """The origin redirected outside the share's own prefix: not followed, not passed on (502)."""
