"""JSON Merge Patch (RFC 7396): the test cases of the RFC's Appendix A, and purity."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from chalicelib.resources.mergepatch import apply
from chalicelib.resources.preconditions import Preconditions
from chalicelib.runtime.errors import PreconditionFailed

RFC_7396_APPENDIX_A = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize("target,patch,result", RFC_7396_APPENDIX_A)
def test_rfc_7396_appendix_a(target: Any, patch: Any, result: Any) -> None:
    assert apply(target, patch) == result


def test_neither_input_is_modified() -> None:
    target = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    patch = {"a": {"b": None, "e": {"f": 1}}, "d": None}
    before = copy.deepcopy((target, patch))
    assert apply(target, patch) == {"a": {"c": [1, 2], "e": {"f": 1}}}
    assert (target, patch) == before


def test_if_match_compares_strongly_and_star_means_exists() -> None:
    current = '"3-ab12cd34"'
    Preconditions(if_match=current).check(current)
    Preconditions(if_match=f'"1-x", {current}').check(current)
    Preconditions(if_match="*").check(current)
    for header in ('"2-ab12cd34"', f"W/{current}", "", "garbage"):
        with pytest.raises(PreconditionFailed):
            Preconditions(if_match=header).check(current)
    with pytest.raises(PreconditionFailed):
        Preconditions(if_match="*").check(None)


def test_if_none_match_star_means_create_only() -> None:
    Preconditions(if_none_match="*").check(None)
    with pytest.raises(PreconditionFailed):
        Preconditions(if_none_match="*").check('"1-ab12cd34"')
