"""How long a visit of a view-limited origin link lasts, and so how long a used-up capability stays.

A view-limited origin link counts visits, not requests: the "open" button uses one view and opens
a visit of `VISIT_SECONDS` (a signed cookie on the link's content origin, `viewer/proxy.py`). A
visit opened with the last view must be able to finish, so when the stream consumer marks such a
link exhausted it keeps the capability for `VISIT_SECONDS` + `CLOCK_MARGIN_SECONDS` more (its TTL
shortened to that, never lengthened past the link's expiry) instead of deleting it. The capability
still reads as used up (`views_used >= max_views`): everything but an open visit treats the link as
dead. Revoking the link deletes the capability, which ends its visits at once.
"""

from __future__ import annotations

VISIT_SECONDS = 30 * 60
# Containers' clocks and the consumer's may disagree a little; a visit never ends early for it.
CLOCK_MARGIN_SECONDS = 60


def keep_capability_until(now_epoch: float, expires_epoch: float | None) -> int:
    """The TTL of a used-up capability: the end of the last visit it can have (a visit opens no
    later than the view that used the link up), or the link's own expiry when that comes first."""
    end = int(now_epoch) + VISIT_SECONDS + CLOCK_MARGIN_SECONDS
    return end if expires_epoch is None else min(end, int(expires_epoch))
