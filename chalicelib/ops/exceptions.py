"""Errors of the ops tools. Messages name what is wrong and what to do; never a token or key."""

from __future__ import annotations


class OpsError(Exception):
    """Base class: the CLI prints the message as one line and exits non-zero."""


class BadFailureNotice(OpsError):
    """A stream-failure queue message that is not Lambda's on-failure record for a stream batch."""


class ResealStateError(OpsError):
    """The re-seal state file belongs to another run (other keys or stage) or cannot be read."""
