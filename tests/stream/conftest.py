"""Fixtures of the stream tests (helpers: tests/stream/kit.py)."""
from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from chalicelib.tenancy import tenants
from tests.stream.kit import Receiver, Stream, serve


@pytest.fixture
def stream(aws: Dict[str, str], app_client: Any) -> Stream:
    """The main table's stream, consumed by the Lambda handler (app_client installs the service)."""
    return Stream(aws["TableStreamArn"])


@pytest.fixture
def tenant(svc: Any) -> Dict[str, str]:
    created, admin = tenants.create_tenant(svc, name="Stream Co", plan="team")
    return {"id": created.tenant_id, "admin": admin}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on localhost (a real HTTP server in a thread)."""
    state = Receiver()
    server, _ = serve(state)
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
