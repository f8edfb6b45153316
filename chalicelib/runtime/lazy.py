"""Modules imported on first use, so a Lambda function imports only what its path needs.

Chalice deploys one `app.py` for every function (the API, the stream consumer, the schedules),
and the API serves viewers and admins alike. Admin-only modules are bound lazily in `app.py`: a
viewer request's cold start never executes them, an admin request imports them when it first
touches one of their names.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


class _LazyModule(ModuleType):
    """Stands in for a module until one of its attributes is read, then imports it for real.

    Not the stdlib `LazyLoader`: before Python 3.12 it is not thread-safe, and `chalice local`
    serves requests on threads (two first admin requests at once saw a half-executed module).
    `importlib.import_module` waits for a module another thread is still importing."""

    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__name__)
        value = getattr(module, attribute)
        setattr(self, attribute, value)  # later reads skip the import machinery
        return value


def lazy_module(name: str) -> ModuleType:
    """`name`, imported when one of its attributes is first read."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(name)
    return _LazyModule(name)
