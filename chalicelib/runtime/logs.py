"""Logging set-up: Powertools structured logs, with a last-line filter that masks secrets.

Keyhole never logs tokens, API keys or webhook secrets on purpose; the filter is defence in
depth against a library (or a future change) formatting one into a message or traceback.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_SECRET_PATTERNS = [
    (re.compile(r"kh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}"), "kh_[redacted]"),
    (
        re.compile(r"kh([pst])_[0-9a-f]{16}_[A-Za-z0-9_-]{43}"),
        r"kh\1_[redacted]",
    ),  # platform keys, console sessions and tickets
    (re.compile(r"whsec_[A-Za-z0-9+/=_-]{16,}"), "whsec_[redacted]"),
    (re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{64}(?![A-Za-z0-9_-])"), "[token]"),
]


def scrub(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ScrubSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Standard formatters print exc_text when set; exc_info stays, so the cause is still
            # logged by formatters that format it themselves (Powertools: see _scrubbing_formatter).
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        return True


def _scrubbing_formatter() -> Any:
    """Powertools' JSON formatter, scrubbing the tracebacks it formats from `exc_info` (the
    traceback goes out as one scrubbed `exception` string; the per-frame `stack_trace` object, which
    would repeat the exception's message unscrubbed, is off)."""
    from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

    class ScrubbingFormatter(LambdaPowertoolsFormatter):
        def formatException(self, ei: Any) -> str:
            return scrub(super().formatException(ei))

    return ScrubbingFormatter(serialize_stacktrace=False)


_logger: Any = None


def append_request_keys(**keys: str) -> None:
    """Keys (request id, tenant id) on every following log line of this thread's invocation.

    Powertools keeps these in a context variable, so each thread (a request under `chalice local`)
    has its own; one Lambda container runs one invocation at a time."""
    if _logger is not None and keys:
        _logger.thread_safe_append_keys(**keys)


def clear_request_keys() -> None:
    if _logger is not None:
        _logger.thread_safe_clear_keys()


def configure(service: str = "keyhole", level: str = "INFO") -> Any:
    """A Powertools Logger for `service`, with chalicelib's loggers sharing its handler and filter."""
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

    global _logger
    logger = Logger(service=service, level=level, logger_formatter=_scrubbing_formatter())
    _logger = logger
    for handler in logger.handlers:
        handler.addFilter(ScrubSecretsFilter())
    logger.addFilter(ScrubSecretsFilter())
    copy_config_to_registered_loggers(source_logger=logger, include={"chalicelib"})
    logging.getLogger("chalicelib").addFilter(ScrubSecretsFilter())
    # The AWS SDK logs whole request and response bodies at DEBUG: KMS plaintext data keys,
    # documents, sealed tokens. Whatever level the service runs at, the SDK stays at INFO or above.
    for sdk in ("botocore", "boto3", "urllib3", "pynamodb"):
        sdk_logger = logging.getLogger(sdk)
        if sdk_logger.getEffectiveLevel() < logging.INFO:
            sdk_logger.setLevel(logging.INFO)
    return logger
