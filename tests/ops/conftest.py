"""Fixtures of the ops-tool tests: one local stack for the package (moto server with the infra
template deployed, and `chalice local` serving the API), as `make run` runs it. The stack is the
package's own, so its stream and stream-failure queue carry only what these tests put there."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.ops.kit import HttpApi


@pytest.fixture(scope="package")
def ops_stack() -> Iterator[Any]:
    from tests.stack import start_stack

    yield from start_stack()


@pytest.fixture
def stack(ops_stack: Any) -> Any:
    """The stack, with this process's PynamoDB models bound to it (another test may have re-bound them)."""
    ops_stack.svc  # noqa: B018 (the property re-binds the models)
    return ops_stack


@pytest.fixture
def http(stack: Any) -> HttpApi:
    return HttpApi(stack.api_url)
