"""What an origin receives to know a request came through a valid share link: a Standard Webhooks
signature over a canonical string of the request.

The canonical request is six lines joined by `\\n`:

    keyhole-origin-v1
    <METHOD>
    <path as the origin receives it, percent-encoded>
    <query string as the origin receives it, without "?" (empty line if none)>
    <link id>
    <lower-case hex SHA-256 of the body (of the empty string when there is none)>

and the signature is the Standard Webhooks one (`webhook-id`, `webhook-timestamp`,
`webhook-signature` headers; HMAC-SHA256 of `<id>.<timestamp>.<canonical request>` with the
resource's `whsec_` secret). The timestamp is therefore signed too, and any Standard Webhooks
library verifies it, tolerance window included, in one call: `Webhook(secret).verify(canonical,
headers)` (docs/origins.md). `webhook-id` is unique per proxied request, so an origin can refuse
replays. During a secret rotation's grace period both secrets sign: the header carries two
`v1,<sig>` entries separated by a space, and an origin holding either secret accepts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime

CANONICAL_VERSION = "keyhole-origin-v1"
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
LINK_HEADER = "x-keyhole-link-id"


def canonical_request(method: str, path: str, query: str, link_id: str, body: bytes) -> str:
    """The string an origin rebuilds from the request it received, then verifies."""
    return "\n".join((CANONICAL_VERSION, method.upper(), path, query, link_id, hashlib.sha256(body or b"").hexdigest()))


def sign(secrets: Sequence[str], message_id: str, timestamp: int, canonical: str) -> str:
    """`webhook-signature`: one `v1,<base64>` per secret (current first), space-separated."""
    from standardwebhooks.webhooks import Webhook  # imported on first use: keeps cold starts short

    when = datetime.fromtimestamp(timestamp, tz=UTC)
    return " ".join(Webhook(secret).sign(message_id, when, canonical) for secret in secrets)


def signature_headers(
    secrets: Sequence[str],
    *,
    message_id: str,
    timestamp: int,
    method: str,
    path: str,
    query: str,
    link_id: str,
    body: bytes,
) -> dict[str, str]:
    canonical = canonical_request(method, path, query, link_id, body)
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secrets, message_id, timestamp, canonical),
        LINK_HEADER: link_id,
    }
