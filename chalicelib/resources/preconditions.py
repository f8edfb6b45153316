"""HTTP preconditions on admin writes (RFC 9110 section 13): `If-Match` and `If-None-Match`.

The entity tags compared here are the resource's (`resources.etag_of`); the check is made against
the version the caller's conditional write then requires, so a change that lands between the
check and the write fails the write itself, and the retry's check answers 412.
Pure: the HTTP layer passes the header values in.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.runtime.errors import PreconditionFailed


def entity_tags(header: str) -> list[str]:
    """`"a", W/"b", *` -> ['"a"', 'W/"b"', '*']: the listed tags, as sent."""
    return [tag.strip() for tag in header.split(",") if tag.strip()]


@dataclass(frozen=True)
class Preconditions:
    """The request's `If-Match` / `If-None-Match` values (None when absent)."""

    if_match: str | None = None
    if_none_match: str | None = None

    @property
    def given(self) -> bool:
        return self.if_match is not None or self.if_none_match is not None

    def check(self, current: str | None) -> None:
        """Raise `PreconditionFailed` unless the request may act on the resource whose ETag is
        `current` (None: there is no such resource). Comparison is strong: a weak tag never matches."""
        if self.if_match is not None:
            tags = entity_tags(self.if_match)
            if current is None or not ("*" in tags or current in tags):
                raise PreconditionFailed(
                    "The resource has changed since you read it (If-Match does not match its ETag); "
                    "read it again and retry"
                    if current is not None
                    else "If-Match was sent, but there is no such resource"
                )
        if self.if_none_match is not None and current is not None:
            tags = entity_tags(self.if_none_match)
            if "*" in tags or current in tags:
                raise PreconditionFailed("The resource already exists (If-None-Match)")
