"""docs/adopting.md, run: every request block of each product's section, as written and in order,
against a local stack over real HTTP (one test per section, each with a fresh platform key).

A block is fenced as `http`: `METHOD /path`, header lines, a blank line, an optional JSON body, then
comment lines: `# -> 201` (the status it must answer; 2xx when absent), `# $NAME = a.b.0.c` (keep a
field of the answer), `# check a.b == value` / `# check a.b != value` (`None` is JSON null or absent).
`$PLATFORM` is the section's platform key; `$NAME` anywhere is a kept value. Admin answers are also
checked against the OpenAPI document (tests/ops/kit.py's HttpApi). An origin resource's `url` (a
product's own https service in the page) is pointed at a loopback address: a local stage calls
loopback origins only, and no block here reaches the origin.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
import requests

from chalicelib.platform import keys
from tests.ops.kit import HttpApi
from tests.support import fresh_ip

DOC = Path(__file__).resolve().parents[2] / "docs" / "adopting.md"
VARIABLE = re.compile(r"\$([A-Z][A-Z0-9_]*)")


@dataclass
class Block:
    method: str
    path: str
    headers: Dict[str, str]
    body: Optional[str]
    status: Optional[int] = None
    keep: List[Tuple[str, str]] = field(default_factory=list)
    checks: List[Tuple[str, str, str]] = field(default_factory=list)


def parse_block(text: str) -> Block:
    lines = text.strip("\n").split("\n")
    method, path = lines[0].split(" ", 1)
    headers: Dict[str, str] = {}
    rest = lines[1:]
    while rest and rest[0].strip() and not rest[0].startswith(("#", "{")):
        name, value = rest.pop(0).split(":", 1)
        headers[name.strip()] = value.strip()
    body_lines = [line for line in rest if line.strip() and not line.startswith("#")]
    block = Block(method, path.strip(), headers, "\n".join(body_lines) or None)
    for line in (line[1:].strip() for line in rest if line.startswith("#")):
        if line.startswith("->"):
            block.status = int(line[2:].strip())
        elif line.startswith("$"):
            name, source = line[1:].split("=", 1)
            block.keep.append((name.strip(), source.strip()))
        elif line.startswith("check "):
            found = re.match(r"check (\S+) (==|!=) (.*)$", line)
            assert found, line
            block.checks.append((found.group(1), found.group(2), found.group(3).strip()))
        else:
            raise AssertionError(f"unknown directive: # {line}")
    return block


def sections() -> Dict[str, List[Block]]:
    """Each `##` section of docs/adopting.md that has request blocks, by its heading."""
    found: Dict[str, List[Block]] = {}
    heading = ""
    for part in re.split(r"^(## .*)$", DOC.read_text(), flags=re.MULTILINE):
        if part.startswith("## "):
            heading = part[3:].strip()
            continue
        blocks = [parse_block(b) for b in re.findall(r"```http\n(.*?)```", part, flags=re.DOTALL)]
        if blocks:
            found[heading] = blocks
    return found


def pick(value: Any, path: str) -> Any:
    for step in path.split("."):
        if isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        elif isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value


def same(value: Any, expected: str) -> bool:
    if expected == "None":
        return value is None
    if isinstance(value, bool):
        return str(value).lower() == expected
    return str(value) == expected


@pytest.fixture(scope="module")
def stack(http_stack: Any) -> Any:
    http_stack.svc  # noqa: B018 (binds this process's models to the stack)
    return http_stack


SECTIONS = sections()


def test_every_product_section_has_its_calls() -> None:
    assert len(SECTIONS) == 5, list(SECTIONS)
    for heading, blocks in SECTIONS.items():
        assert any(b.path == "/v1/links/import" or "import_token" in (b.body or "") for b in blocks), heading
        assert any(b.path.startswith("/share/") for b in blocks), heading
        assert any("share_url_template" in (b.body or "") for b in blocks), heading


@pytest.mark.parametrize("heading", list(SECTIONS), ids=lambda h: h.split("(")[-1].rstrip(")").split()[0].lower())
def test_the_documented_calls_do_what_the_page_says(stack: Any, heading: str) -> None:
    _, platform_key = keys.create_key(stack.svc, name="adopting", namespace=f"adopt-{uuid.uuid4().hex[:8]}")
    values = {"PLATFORM": platform_key}
    api = HttpApi(stack.api_url)

    def fill(text: str) -> str:
        return VARIABLE.sub(lambda m: str(values[m.group(1)]), text)

    for n, block in enumerate(SECTIONS[heading], start=1):
        path, headers = fill(block.path), {k: fill(v) for k, v in block.headers.items()}
        body = json.loads(fill(block.body)) if block.body else None
        if isinstance(body, dict) and isinstance(body.get("origin"), dict):
            body["origin"]["url"] = "http://127.0.0.1:9"  # loopback stand-in for the product's service
        if path.startswith("/share/"):
            raw = requests.request(block.method, stack.api_url + path, json=body, timeout=30,
                                   headers={"x-forwarded-for": fresh_ip(), **headers})
            status = raw.status_code
            answer = raw.json() if "json" in raw.headers.get("content-type", "") else None
        else:
            reply = api.call(block.method, path, headers=headers, body=body)
            status, answer = reply.status, reply.json
        where = f"{heading}, block {n}: {block.method} {path}"
        if block.status is not None:
            assert status == block.status, (where, status, answer)
        else:
            assert 200 <= status < 300, (where, status, answer)
        for name, source in block.keep:
            values[name] = pick(answer, source)
            assert values[name] is not None, (where, source, answer)
        for source, operator, expected in block.checks:
            value = pick(answer, source)
            holds = same(value, fill(expected))
            assert holds if operator == "==" else not holds, (where, source, value, expected)
