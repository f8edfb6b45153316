"""Imported first by `app.py`, before anything else: what `app.py` imports at module level, loaded
with frame-stack headroom (`chalicelib/runtime/stack_headroom.py` says why: without it a cold start can
spend 100 ms mapping and unmapping frame-stack chunks, depending only on how deep the importer
happened to be).

`tests/functional/test_cold_import_stack.py` imports `app` at many caller depths and fails when a cold
import churns frame-stack chunks (and when this list misses one of app.py's imports).

Loose in `chalicelib/` because it belongs with `app.py`, above every package: it names (as strings)
the modules `app.py` imports, whatever capability they belong to.
"""

from __future__ import annotations

from chalicelib.runtime.stack_headroom import import_with_headroom

APP_LIBRARIES = (
    # app.py's own imports
    "ipaddress",
    "logging",
    "collections.abc",
    "urllib.parse",
    "functools",
    "typing",
    "urllib.parse",
    "chalice",
    "chalice.app",
    "chalicelib.runtime.public_url",
    "chalicelib.storage.ratelimit",
    "chalicelib.runtime.telemetry",
    "chalicelib.credentials.tokens",
    "chalicelib.runtime.config",
    "chalicelib.runtime.errors",
    "chalicelib.runtime.lazy",
    "chalicelib.runtime.logs",
    "chalicelib.sealing",
    "chalicelib.service",
    "chalicelib.storage.models",
    "chalicelib.storage.store",
    "chalicelib.tenancy.tenant_settings",
    "chalicelib.viewer.json_surface",
    "chalicelib.viewer.resolve",
    # what app.py's module body imports when it configures logging and metrics
    "aws_lambda_powertools.logging.formatter",
    "aws_lambda_powertools.logging.utils",
    "aws_lambda_powertools.logging.buffer.handler",
    "aws_lambda_powertools.metrics.provider.cloudwatch_emf.cloudwatch",
)

import_with_headroom(APP_LIBRARIES)
