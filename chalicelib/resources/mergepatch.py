"""JSON Merge Patch (RFC 7396), the body of `PATCH /v1/resources/{id}`. Pure functions.

A patch object is merged member by member: `null` removes a member, an object merges into the
target's object (replacing a non-object), and anything else (a string, a number, an array)
replaces the member whole. The inputs are never modified; untouched members are shared with
the target, so the caller must not mutate the result in place.
"""

from __future__ import annotations

from typing import Any

# The media type RFC 7396 registers; `application/json` bodies are read the same way.
MEDIA_TYPE = "application/merge-patch+json"


def apply(target: Any, patch: Any) -> Any:
    """`target` with `patch` merged in (RFC 7396 section 2, MergePatch(Target, Patch))."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = apply(result.get(name), value)
    return result
