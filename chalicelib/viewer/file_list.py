"""The page's file list: a folder tree of the files a link shows, image previews, download
buttons and the "download all" zip. Pure markup over what `page_flows` hands it (the previews'
presigned URLs included); every name is escaped.

Download links are relative to the page (`./<token>/files/<id>`), like the password form's
action. On a view-limited link each download is a form that POSTs (a GET there never uses a view,
so it cannot download); the page's CSP lets that POST be redirected to the bucket only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.files import names
from chalicelib.viewer.escape import attr, text

_FILE_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linejoin="round" d="M6 2.5h8l4.5 4.5v14.5H6z"/><path fill="none" '
    'stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M14 2.5V7h4.5"/></svg>'
)
_FOLDER_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="currentColor" opacity=".85" '
    'd="M2.5 6.5a2 2 0 0 1 2-2h5l2 2.5h8a2 2 0 0 1 2 2v9.5a2 2 0 0 1-2 2h-15a2 2 0 0 1-2-2z"/></svg>'
)
_DOWNLOAD_SVG = (
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" d="M12 3v12m-5-5 5 5 5-5M4 20h16"/></svg>'
)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            if unit == "bytes":
                return "1 byte" if size == 1 else f"{size:,} bytes"
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
        value /= 1000
    return f"{size:,} bytes"


def _action(token: str, target: str, label: str, *, view_limited: bool, primary: bool = False) -> str:
    href = f"./{token}/files/{target}"
    kind = "button" if primary else "button small"
    if view_limited:
        return (
            f'<form class="download" method="post" action="{attr(href)}"><button class="{kind}" type="submit">'
            f"{_DOWNLOAD_SVG}{text(label)}</button></form>"
        )
    return f'<a class="{kind}" href="{attr(href)}" rel="nofollow noopener">{_DOWNLOAD_SVG}{text(label)}</a>'


def _file_row(entry: Mapping[str, Any], token: str, previews: Mapping[str, str], view_limited: bool) -> str:
    name = str(entry["name"])
    shown = names.base_name(name)
    kind = names.media_type(str(entry["content_type"]))
    preview = previews.get(str(entry["id"]))
    figure = (
        f'<img class="preview" src="{attr(preview)}" alt="Preview of {attr(shown)}" '
        'referrerpolicy="no-referrer" decoding="async">'
        if preview
        else ""
    )
    return (
        f'<li class="file" data-file-id="{attr(str(entry["id"]))}"><div class="file-row">'
        f'<span class="file-icon">{_FILE_SVG}</span><span class="file-meta"><span class="file-name" '
        f'title="{attr(name)}">{text(shown)}</span><span class="muted">{text(human_size(int(entry["size"])))} · '
        f"{text(kind)}</span></span>{_action(token, str(entry['id']), 'Download', view_limited=view_limited)}"
        f"</div>{figure}</li>"
    )


def _tree(files: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """name segments -> nested folders; files under the key None, in the resource's order."""
    root: dict[Any, Any] = {None: []}
    for entry in files:
        node = root
        *folders, _ = str(entry["name"]).split("/")
        for folder in folders:
            node = node.setdefault(folder, {None: []})
        node[None].append(entry)
    return root


def _count(node: Mapping[Any, Any]) -> int:
    return len(node[None]) + sum(_count(child) for key, child in node.items() if key is not None)


def _render_node(node: Mapping[Any, Any], token: str, previews: Mapping[str, str], view_limited: bool) -> str:
    parts = []
    for key in sorted((k for k in node if k is not None), key=str.casefold):
        child = node[key]
        count = _count(child)
        parts.append(
            f'<li class="folder"><details open><summary>{_FOLDER_SVG}<span class="file-name">{text(key)}</span>'
            f'<span class="muted">{count} file{"" if count == 1 else "s"}</span></summary>'
            f'<ul class="tree">{_render_node(child, token, previews, view_limited)}</ul></details></li>'
        )
    parts.extend(_file_row(entry, token, previews, view_limited) for entry in node[None])
    return "".join(parts)


def render(
    files: Sequence[Mapping[str, Any]],
    *,
    token: str,
    previews: Mapping[str, str],
    bundle: tuple[str, int | None] | None,
    view_limited: bool,
) -> str:
    """The files section (empty when the link shows no file)."""
    if not files:
        return ""
    total = sum(int(f["size"]) for f in files)
    count = len(files)
    summary = f"{count} file{'' if count == 1 else 's'}, {human_size(total)}"
    if bundle is None:
        all_zip = ""
    elif bundle[1] is None:
        all_zip = (
            '<p class="bundle-note" data-preparing>Preparing a zip of all files... It appears here when ready.</p>'
        )
    else:
        all_zip = _action(
            token, names.BUNDLE, f"Download all (zip, {human_size(bundle[1])})", view_limited=view_limited, primary=True
        )
    note = '<p class="fine">Each download uses one view of this link.</p>' if view_limited else ""
    return (
        '<section class="files" aria-labelledby="files-title"><div class="files-head">'
        f'<h2 id="files-title">Files</h2><span class="muted">{text(summary)}</span>{all_zip}</div>{note}'
        f'<ul class="tree root">{_render_node(_tree(files), token, previews, view_limited)}</ul></section>'
    )
