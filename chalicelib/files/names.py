"""File names, content types and scope patterns: the rules, and what a download is served as.

Pure functions: the admin API validates with them, the viewer serves with them.

- A name is 1-255 characters; `/` separates folders (the page shows a tree, the zip keeps it);
  no leading or trailing `/`, no empty, `.` or `..` segment, no backslash, no control or
  text-direction character (a zip entry named `../x` or `evil\u202efdp.exe` is refused here).
- A download is always an attachment, named by the file's last segment (RFC 6266 with an RFC 5987
  `filename*` for names that are not ASCII), and served under its stored type only when that type
  cannot run script in a browser (`SERVED_AS_IS`); HTML, SVG, XML, JavaScript and anything else
  unknown are `application/octet-stream`.
- Scopes name files with entries that start with `file:`: `file:report.pdf` (one file),
  `file:audit/*` (everything below a folder), `file:*` (every file). A link without a scope sees
  every file; a scope without `file:` entries sees none.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

MAX_NAME_CHARS = 255
MAX_FILE_BYTES = 5 * 1024**3  # S3's limit for one PUT (5 GiB)
MAX_FILES_PER_RESOURCE = 1000
MAX_BUNDLE_BYTES = 10 * 1024**3  # a zip of more is not offered (one worker run streams it well within 15 minutes)
# The page previews images of these types up to this size (the bytes come from the bucket).
PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"})
MAX_PREVIEW_BYTES = 10 * 1024 * 1024
OCTET_STREAM = "application/octet-stream"
# Types that no browser runs as a document with script: served as stored. Everything else
# (text/html, image/svg+xml, application/xml, text/javascript, unknown types, ...)
# is served as application/octet-stream, always as an attachment.
SERVED_AS_IS = frozenset(
    {
        "application/pdf",  # attachment: saved, opened by the viewer's PDF reader
        "application/zip",
        "application/gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/json",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "text/plain",
        "text/csv",
        "text/markdown",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "video/mp4",
        "video/webm",
        "video/quicktime",
    }
)
FILE_ID_RE = re.compile(r"^fil_[0-9a-f]{20}$")
BUNDLE = "bundle"  # `/share/{token}/files/bundle`: the zip of every file the link shows
FILE_SCOPE_PREFIX = "file:"
SHA256_HEX_RE = re.compile(r"^[0-9a-fA-F]{64}$")
_MEDIA_NAME = r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}"
CONTENT_TYPE_RE = re.compile(rf"^({_MEDIA_NAME})/({_MEDIA_NAME})(?:\s*;\s*charset=([a-z0-9_.:-]{{1,40}}))?$")
# Format characters a name may keep: the joiners that build emoji and some scripts' letters.
_JOINERS = frozenset("\u200c\u200d")
_REFUSED_CATEGORIES = ("Cc", "Cs", "Cf", "Zl", "Zp")  # controls, surrogates, invisible format marks, separators


def valid_file_id(file_id: str) -> bool:
    return bool(FILE_ID_RE.match(file_id or ""))


def name_problem(name: Any) -> str | None:
    """Why `name` cannot name a file (None when it can)."""
    if not isinstance(name, str):
        return "must be a string"
    if not 1 <= len(name) <= MAX_NAME_CHARS:
        return f"must be 1-{MAX_NAME_CHARS} characters"
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES and ch not in _JOINERS for ch in name):
        return "must not contain control, invisible or text-direction characters"
    if "\\" in name:
        return "must not contain a backslash (use / for folders)"
    if name.startswith("/") or name.endswith("/"):
        return "must not start or end with /"
    for segment in name.split("/"):
        if segment in ("", ".", ".."):
            return "must not have an empty, . or .. folder segment"
        if not segment.strip():
            return "must not have a blank folder segment"
    return None


def normal_content_type(value: Any) -> str | None:
    """`type/subtype` (optionally `; charset=x`), lower case; None when it is not one."""
    if not isinstance(value, str) or len(value) > 255:
        return None
    match = CONTENT_TYPE_RE.match(value.strip().lower())
    if not match:
        return None
    kind = f"{match.group(1)}/{match.group(2)}"
    return f"{kind}; charset={match.group(3)}" if match.group(3) else kind


def media_type(content_type: str) -> str:
    """The type without parameters."""
    return content_type.split(";", 1)[0].strip().lower()


def served_type(content_type: str) -> str:
    """What a download is served as: the stored type when it cannot run script, else octet-stream."""
    kind = media_type(content_type)
    if kind in SERVED_AS_IS:
        return content_type if kind.startswith("text/") else kind
    return OCTET_STREAM


def previewable(content_type: str, size: int) -> bool:
    return media_type(content_type) in PREVIEW_TYPES and 0 < size <= MAX_PREVIEW_BYTES


def base_name(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def content_disposition(name: str, disposition: str = "attachment") -> str:
    """RFC 6266: an ASCII `filename` (others replaced by `_`) and, when it differs, the exact name
    as an RFC 5987 `filename*`."""
    shown = base_name(name)
    fallback = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\%;' else "_" for ch in shown).strip() or "file"
    value = f'{disposition}; filename="{fallback}"'
    if fallback != shown:
        value += f"; filename*=UTF-8''{quote(shown, safe='')}"
    return value


def zip_name(resource_name: str) -> str:
    """The zip's file name: the resource's name, safe for every file system."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", resource_name).strip(" .") or "files"
    return f"{cleaned[:120]}.zip"


# --- scopes --------------------------------------------------------------------------------


def is_file_entry(entry: str) -> bool:
    return entry.startswith(FILE_SCOPE_PREFIX)


def document_fields(scope_fields: Sequence[str] | None) -> list[str] | None:
    """The document fields a scope shows (None: no scope, the whole document)."""
    if scope_fields is None:
        return None
    return [f for f in scope_fields if not is_file_entry(f)]


def file_patterns(scope_fields: Sequence[str] | None) -> list[str] | None:
    """The file patterns a scope shows (None: no scope, every file)."""
    if scope_fields is None:
        return None
    return [f[len(FILE_SCOPE_PREFIX) :] for f in scope_fields if is_file_entry(f)]


def pattern_problem(pattern: str) -> str | None:
    """Why a `file:` scope entry is not a pattern: `*`, `<folder>/*` or a file name."""
    if pattern == "*":
        return None
    if pattern.endswith("/*"):
        pattern = pattern[:-2]
    problem = name_problem(pattern)
    if problem is None and "*" in pattern:
        return "may use * only as the whole pattern or as a last segment (folder/*)"
    return problem


def matches(pattern: str, name: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith("/*"):
        return name.startswith(pattern[:-1])
    return name == pattern


def visible(files: Iterable[Mapping[str, Any]], patterns: Sequence[str] | None) -> list[Mapping[str, Any]]:
    """The files a scope's patterns show, in the resource's order."""
    if patterns is None:
        return list(files)
    return [f for f in files if any(matches(p, str(f["name"])) for p in patterns)]


# --- "download all" ------------------------------------------------------------------------


def bundle_digest(files: Sequence[Mapping[str, Any]]) -> str:
    """The name of a set of files: the same files (ids, checksums, names) give the same digest."""
    material = sorted([str(f["id"]), str(f["sha256"]), str(f["name"])] for f in files)
    return hashlib.sha256(json.dumps(material, separators=(",", ":")).encode("utf-8")).hexdigest()[:32]


def bundle_offered(files: Sequence[Mapping[str, Any]]) -> bool:
    """Whether these files (what one link shows) come with a zip."""
    return len(files) >= 2 and sum(int(f["size"]) for f in files) <= MAX_BUNDLE_BYTES
