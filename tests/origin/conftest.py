"""An HTTP stack (moto server + `chalice local` on the test stage) and a real local origin."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.origin.kit import start_origin


@pytest.fixture(scope="module")
def origin() -> Iterator[Any]:
    server = start_origin()
    yield server
    server.shutdown()
