"""The `origin` of a resource and the allow-lists of its links: validation into plain data.

`parse_origin` reads `{"url", "allowed_paths"?, "allowed_methods"?, "banner"?}` (PUT
/v1/resources/{id}); `parse_link_lists` reads a link's `allowed_paths` / `allowed_methods`
(POST /v1/resources/{id}/links), which may only narrow the resource's. Problems are collected as
field errors (one 422 lists them all).

The origin URL is the base the shared path is appended to: `https://status.example.com/app` with a
viewer path `/api/checks` calls `https://status.example.com/app/api/checks`. On deployed stages it
must be `https` and must not name an internal host in any spelling (what resolving it gives is
checked again on every call); the local and test stages may name this machine only
(`http://127.0.0.1:<port>`, `[::1]`, `localhost`, `*.localhost`: `chalicelib/outbound/urls.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from chalicelib.origin import paths
from chalicelib.outbound.urls import target_url_problem
from chalicelib.runtime.errors import Collector

ORIGIN_FIELDS = ("url", "allowed_paths", "allowed_methods", "banner")


@dataclass(frozen=True)
class Origin:
    url: str
    allowed_paths: tuple[str, ...] = paths.DEFAULT_PATHS
    allowed_methods: tuple[str, ...] = paths.DEFAULT_METHODS
    banner: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "allowed_paths": list(self.allowed_paths),
            "allowed_methods": list(self.allowed_methods),
            "banner": self.banner,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Origin:
        return cls(
            url=str(data["url"]),
            allowed_paths=tuple(data.get("allowed_paths") or paths.DEFAULT_PATHS),
            allowed_methods=tuple(data.get("allowed_methods") or paths.DEFAULT_METHODS),
            banner=bool(data.get("banner")),
        )


def url_problem(url: Any, *, local: bool) -> str | None:
    """Why `url` cannot be an origin URL, or None."""
    problem = target_url_problem(url, local=local)
    if problem:
        return problem
    if "\\" in url:
        return "must not contain backslashes"
    parts = urlsplit(url)
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return "must not have a query or a #fragment (it is the base that shared paths are appended to)"
    if "%" in parts.path or any(s in (".", "..") for s in parts.path.split("/")):
        return "must have a plain path (no escapes, . or .. segments)"
    return None


def _pattern_list(value: Any, field: str, errors: Collector) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        errors.add(field, 'must be a non-empty list of paths, e.g. ["/api/*", "/health"]')
        return None
    if len(value) > paths.MAX_PATTERNS:
        errors.add(field, f"must list at most {paths.MAX_PATTERNS} paths")
        return None
    bad = False
    for index, pattern in enumerate(value):
        problem = paths.pattern_problem(pattern)
        if problem:
            errors.add(f"{field}[{index}]", problem)
            bad = True
    return None if bad else tuple(dict.fromkeys(value))


def _method_list(value: Any, field: str, errors: Collector) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value or not all(isinstance(m, str) for m in value):
        errors.add(field, f"must be a non-empty list of methods ({', '.join(paths.METHODS)})")
        return None
    upper = [m.upper() for m in value]
    unknown = [m for m in upper if m not in paths.METHODS]
    if unknown:
        errors.add(field, f"unknown method {unknown[0]!r}; known: {', '.join(paths.METHODS)}")
        return None
    return tuple(m for m in paths.METHODS if m in upper)


def parse_origin(value: Any, errors: Collector, *, local: bool) -> Origin | None:
    """The `origin` member of a resource body, or None (with field errors) when it is invalid."""
    if not isinstance(value, dict):
        errors.add("origin", "must be an object: {url, allowed_paths?, allowed_methods?, banner?}")
        return None
    before = len(errors.details)
    for name in value:
        if name not in ORIGIN_FIELDS:
            errors.add(f"origin.{name}", f"unknown field; known: {', '.join(ORIGIN_FIELDS)}")
    problem = url_problem(value.get("url"), local=local)
    if problem:
        errors.add("origin.url", problem)
    allowed_paths: tuple[str, ...] | None = paths.DEFAULT_PATHS
    if value.get("allowed_paths") is not None:
        allowed_paths = _pattern_list(value["allowed_paths"], "origin.allowed_paths", errors)
    allowed_methods: tuple[str, ...] | None = paths.DEFAULT_METHODS
    if value.get("allowed_methods") is not None:
        allowed_methods = _method_list(value["allowed_methods"], "origin.allowed_methods", errors)
    banner = value.get("banner", False)
    if banner is not None and not isinstance(banner, bool):
        errors.add("origin.banner", "must be true or false")
    if len(errors.details) > before or allowed_paths is None or allowed_methods is None:
        return None
    return Origin(
        url=str(value["url"]), allowed_paths=allowed_paths, allowed_methods=allowed_methods, banner=bool(banner)
    )


def parse_link_lists(
    body: dict[str, Any], origin: Origin | None, errors: Collector
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """A link's own `allowed_paths` / `allowed_methods` (None: the resource's apply). Only links to
    an origin resource take them, and only lists that narrow the resource's."""
    wanted_paths, wanted_methods = body.get("allowed_paths"), body.get("allowed_methods")
    if wanted_paths is None and wanted_methods is None:
        return None, None
    if origin is None:
        for name in ("allowed_paths", "allowed_methods"):
            if body.get(name) is not None:
                errors.add(name, "only links to an origin resource take allow-lists")
        return None, None
    link_paths = link_methods = None
    if wanted_paths is not None:
        link_paths = _pattern_list(wanted_paths, "allowed_paths", errors)
        if link_paths is not None:
            wider = paths.within(link_paths, origin.allowed_paths)
            if wider:
                errors.add(
                    "allowed_paths",
                    f"{wider[0]!r} is not within the resource's allowed_paths "
                    f"({', '.join(origin.allowed_paths)}): a link may narrow them, never widen them",
                )
                link_paths = None
    if wanted_methods is not None:
        link_methods = _method_list(wanted_methods, "allowed_methods", errors)
        if link_methods is not None:
            extra = [m for m in link_methods if m not in origin.allowed_methods]
            if extra:
                errors.add(
                    "allowed_methods",
                    f"{extra[0]} is not among the resource's allowed_methods "
                    f"({', '.join(origin.allowed_methods)}): a link may narrow them, never widen them",
                )
                link_methods = None
    return link_paths, link_methods


def request_allowed(
    origin: Origin,
    method: str,
    path: str,
    *,
    link_paths: tuple[str, ...] | list[str] | None,
    link_methods: tuple[str, ...] | list[str] | None,
) -> bool:
    """Whether a normalised path and a method pass the resource's lists and the link's; a path
    that a server applying NFKC reads differently must pass in both forms."""
    if not paths.method_allowed(origin.allowed_methods, method):
        return False
    if link_methods and not paths.method_allowed(link_methods, method):
        return False
    for form in dict.fromkeys((path, paths.folded(path))):
        if not paths.path_allowed(origin.allowed_paths, form):
            return False
        if link_paths and not paths.path_allowed(link_paths, form):
            return False
    return True
