"""Modules imported on first use, so a Lambda function imports only what its path needs.

Chalice deploys one `app.py` for every function (the API, the stream consumer, the schedules),
and the API serves viewers and admins alike. Admin-only modules are bound lazily in `app.py`: a
viewer request's cold start never executes them, an admin request imports them when it first
touches one of their names.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """`name`, imported when one of its attributes is first read (stdlib `LazyLoader`)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
