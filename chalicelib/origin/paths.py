"""Path and method allow-lists of origin resources and their links (Private Connect's rules).

Patterns (`allowed_paths`):
- `*` matches any characters within one path segment (never a `/`), possibly none;
- a pattern ending in `/*` matches everything below that directory (`/api/*` matches `/api/`,
  `/api/users` and `/api/users/7/orders`, not `/api`);
- anything else is an exact path (`/health` matches `/health` only, not `/health/`).
`/*` therefore matches every path, and is the default.

Matching runs on the path the origin will receive. A request path is first *normalised*
(`normalise`): percent-escapes are decoded once, and any path a server could read differently
from Keyhole is refused outright instead of guessed at: `.` and `..` segments (also as `%2e`),
path parameters (`;`, raw or `%3b`: Tomcat and Jetty read `/img/secret;.png` as `/img/secret`),
encoded `/` and `\\`, backslashes, empty segments (`//`), NUL and control characters, double
encoding of any of those, malformed escapes, and segments whose Unicode compatibility form (NFKC,
which some frameworks and file systems apply) brings in a `.`, `/`, `\\`, `;` or other separator
(`%EF%BC%8E%EF%BC%8E`, fullwidth `..`; `%E2%80%A5`, the two dot leader). A path whose NFKC form
differs in any other way must pass the allow-lists in both forms (`folded`). The origin then
receives the matched segments re-encoded (`encode`), so what it reads is exactly what was checked.

A link's lists may only narrow its resource's (`within`); at request time a path and method must
pass both lists, so a resource narrowed later narrows its links at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote, unquote

ALL_PATHS = "/*"
DEFAULT_PATHS: tuple[str, ...] = (ALL_PATHS,)
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
DEFAULT_METHODS: tuple[str, ...] = ("GET", "HEAD")
MAX_PATTERNS = 50
MAX_PATTERN_LENGTH = 256
MAX_PATH_LENGTH = 2048

# Escapes that would change how a path splits or climbs once an origin (or a proxy in front of it)
# decodes it: / \ . NUL and % itself (double encoding).
_DANGEROUS_ESCAPE = re.compile(r"%(2f|5c|2e|00|25)", re.IGNORECASE)
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Characters that split, climb or end a path for some server: a segment whose NFKC form has more
# (or other) of these than the segment itself is refused.
_STRUCTURAL = frozenset("./\\;%?#")
# Characters left unescaped when a matched segment is sent to the origin (RFC 3986 pchar).
_SEGMENT_SAFE = "!$&'()*+,;=:@-._~"


def normalise(raw_path: str) -> str | None:
    """The decoded path a request names (always starting with `/`), or None when it is ambiguous.

    `raw_path` is the part after `/share/{token}/o`, as received (escapes still encoded, or
    already decoded by the gateway: both are read the same way)."""
    path = raw_path or "/"
    if not path.startswith("/"):
        path = "/" + path
    if len(path) > MAX_PATH_LENGTH or "\\" in path or "#" in path or "?" in path:
        return None
    if "%" in path:
        if "%" in _ESCAPE.sub("", path):
            return None  # a % that does not start an escape
        if _DANGEROUS_ESCAPE.search(path):
            return None
        try:
            path = unquote(path, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            return None
        if "%" in path or "\\" in path:
            return None  # something was encoded twice
    if _CONTROL.search(path) or ";" in path:
        return None  # `;` starts a path parameter, which Tomcat and Jetty drop before routing
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        if segment == "" and index != len(segments) - 1:
            return None  # `//`: servers disagree on whether it is one separator
        if segment in (".", ".."):
            return None
        if not segment.isascii() and _folds_into_structure(segment):
            return None  # U+FF0E U+FF0E (fullwidth), U+2025: `..` once a server applies NFKC
    return path


def _structure(text: str) -> list[str]:
    return [ch for ch in text if ch in _STRUCTURAL or _CONTROL.match(ch)]


def _folds_into_structure(segment: str) -> bool:
    """Whether the NFKC form of a segment has separators, dots or controls the segment has not."""
    folded = unicodedata.normalize("NFKC", segment)
    return folded != segment and (_structure(folded) != _structure(segment) or folded in (".", ".."))


def folded(path: str) -> str:
    """The NFKC form of a normalised path: what a server that applies it reads. `normalise` has
    refused every path whose folding adds a separator; the allow-lists must pass this form too."""
    return path if path.isascii() else unicodedata.normalize("NFKC", path)


def encode(path: str) -> str:
    """A normalised path as sent to the origin: each segment percent-encoded (UTF-8)."""
    return "/".join(quote(segment, safe=_SEGMENT_SAFE) for segment in path.split("/"))


def _segment_regex(segment: str) -> str:
    return "[^/]*".join(re.escape(part) for part in segment.split("*"))


def _compile(pattern: str) -> re.Pattern[str]:
    if pattern.endswith("/*"):
        head = pattern[:-2]
        body = "/".join(_segment_regex(s) for s in head.split("/"))
        return re.compile(body + "/.*", re.DOTALL)
    return re.compile("/".join(_segment_regex(s) for s in pattern.split("/")), re.DOTALL)


_COMPILED: dict[str, re.Pattern[str]] = {}


def path_matches(pattern: str, path: str) -> bool:
    """Whether a normalised `path` matches one pattern."""
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _compile(pattern)
        if len(_COMPILED) < 4096:
            _COMPILED[pattern] = compiled
    return compiled.fullmatch(path) is not None


def path_allowed(patterns: Iterable[str], path: str) -> bool:
    return any(path_matches(p, path) for p in patterns)


def pattern_problem(pattern: object) -> str | None:
    """Why `pattern` cannot be an allowed path, or None."""
    if not isinstance(pattern, str) or not pattern:
        return "must be a non-empty string"
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"must be at most {MAX_PATTERN_LENGTH} characters"
    if not pattern.startswith("/"):
        return "must start with /"
    if "**" in pattern:
        return "** is not a pattern: use * within a segment or /* for everything below a directory"
    if any(ch in pattern for ch in "?#%\\ ;") or _CONTROL.search(pattern):
        return (
            "must be a plain path: no query, fragment, escapes, path parameters (;), backslashes, spaces or"
            " control characters"
        )
    if unicodedata.normalize("NFKC", pattern) != pattern:
        return "must be in Unicode normal form NFKC (what a request path is also checked in)"
    probe = pattern[:-2] if pattern.endswith("/*") else pattern
    segments = probe.split("/")[1:]
    if any(s in (".", "..") for s in segments):
        return "must not contain . or .. segments"
    if any(s == "" for s in segments[:-1]):
        return "must not contain empty segments (//)"
    return None


def _segment_within(inner: str, outer: str) -> bool:
    """Every segment `inner` matches is matched by `outer` (conservative: may say no to a true
    subset such as `a*b` within `a*`, never yes to a wider one)."""
    if inner == outer or outer == "*":
        return True
    if "*" in inner:
        return False
    return re.fullmatch(_segment_regex(outer), inner) is not None


def _pattern_within(inner: str, outer: str) -> bool:
    if outer == inner:
        return True
    outer_dir = outer.endswith("/*")
    inner_dir = inner.endswith("/*")
    outer_segments = (outer[:-2] if outer_dir else outer).split("/")[1:]
    inner_segments = (inner[:-2] if inner_dir else inner).split("/")[1:]
    if outer_dir:
        # inner must reach below outer's directory: at least one more segment, or a directory itself
        if len(inner_segments) < len(outer_segments) + (0 if inner_dir else 1):
            return False
        if not inner_dir and len(inner_segments) == len(outer_segments):
            return False
        return all(_segment_within(i, o) for i, o in zip(inner_segments, outer_segments, strict=False))
    if inner_dir or len(inner_segments) != len(outer_segments):
        return False
    return all(_segment_within(i, o) for i, o in zip(inner_segments, outer_segments, strict=True))


def within(inner: Sequence[str], outer: Sequence[str]) -> list[str]:
    """The patterns of `inner` that `outer` does not cover (empty: `inner` only narrows)."""
    return [p for p in inner if not any(_pattern_within(p, o) for o in outer)]


def method_allowed(methods: Iterable[str], method: str) -> bool:
    return method.upper() in {m.upper() for m in methods}
