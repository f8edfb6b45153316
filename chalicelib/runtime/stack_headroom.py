"""Import Keyhole's libraries inside a frame that leaves the interpreter's frame stack room to spare.

Why: CPython 3.11 and 3.12 (the Lambda runtime's) keep Python frames in 16 KB chunks and free a
chunk as soon as the frame at its start returns (fixed upstream in 3.13 and 3.14, CPython issue
gh-142183). An import whose recursion (the regular expressions urllib3 compiles, nested imports)
goes up and down across a chunk boundary maps and unmaps a chunk on every crossing: measured on
`import app` from the deployment package, about 2,600 `mmap`/`munmap` pairs and 100 ms of a 590 ms
cold start, and whether it happens depends only on how deep the caller was (the Lambda runtime's
bootstrap, `chalice local`, a test), not on anything Keyhole does.

How: the interpreter gives a frame that does not fit a 16 KB chunk a chunk of its own, doubled
until it holds the frame plus 8,000 bytes. A call frame that claims 3,200 stack slots (25 KB,
never used, so never touched) therefore gets a 64 KB chunk, and everything it calls runs in the
39 KB above it: the whole import of `app` needs less than half of that. One chunk is mapped and
unmapped for the whole import instead of thousands. On interpreters without chunk churn this is
one cheap call.

This module imports nothing but `sys` and `types` (not even `typing`): what it imports would itself be imported at the
caller's depth, before the headroom exists.
"""

from __future__ import annotations

import sys
from types import FunctionType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import ModuleType
    from typing import TypeVar

    T = TypeVar("T")

# 8 bytes * (3,200 + 1,000 overhead slots) > 32 KB: the interpreter maps a 64 KB chunk for the frame.
HEADROOM_STACK_SLOTS = 3200


def _call(function: Callable[[], T]) -> T:
    return function()


# The same function with a larger declared value stack; its code is unchanged.
_call_with_headroom = FunctionType(
    _call.__code__.replace(co_stacksize=HEADROOM_STACK_SLOTS), globals(), "_call_with_headroom"
)


def call_with_headroom(function: Callable[[], T]) -> T:
    """`function()`, run with about 39 KB of frame stack free above it."""
    return _call_with_headroom(function)


def import_with_headroom(names: Iterable[str]) -> list[ModuleType]:
    """Import `names` (and everything they import) in one call with headroom."""

    def import_all() -> list[ModuleType]:
        for name in names:
            __import__(name)
        return [sys.modules[name] for name in names]

    return call_with_headroom(import_all)
