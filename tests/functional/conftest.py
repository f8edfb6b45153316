"""Fixtures for the admin-API and security suites.

`tenant` (function scope) builds on the root `svc`/`app_client` fixtures. The big tables (role
matrix, validation) share one moto deployment per module (`module_svc`/`module_api`) so hundreds
of cases stay fast; their tests create what they mutate and never move the module's clock.
A module uses one style or the other, never both (moto mocks nest and would share state).
"""
from __future__ import annotations

from typing import Any, Dict, Iterator

import boto3
import pytest
from moto import mock_aws

from chalicelib.clock import Clock
from chalicelib.service import Keyhole
from devstack import infra
from tests.conftest import Api, settings_for
from tests.support import TenantKeys, make_tenant

# Shared tenants send hundreds of requests and create many links on one resource.
UNLIMITED_API = {"api_requests_per_min": None, "links_per_resource": None}


@pytest.fixture
def tenant(svc: Keyhole, app_client: Api) -> TenantKeys:
    """A team-plan tenant with admin/operator/viewer keys and a resource `res-1`."""
    return make_tenant(svc, app_client, name="Acme")


@pytest.fixture
def other_tenant(svc: Keyhole, app_client: Api) -> TenantKeys:
    """A second tenant: the attacker in isolation tests (same resource id on purpose)."""
    return make_tenant(svc, app_client, name="Evil Corp")


@pytest.fixture(scope="module")
def module_aws() -> Iterator[Dict[str, str]]:
    with mock_aws():
        yield infra.deploy(boto3.Session(region_name="us-east-1"), stage="test")


@pytest.fixture(scope="module")
def module_svc(module_aws: Dict[str, str]) -> Keyhole:
    return Keyhole(settings_for(module_aws), clock=Clock())


@pytest.fixture(scope="module")
def module_api(module_svc: Keyhole) -> Iterator[Api]:
    import app as app_module
    from chalice.test import Client

    app_module.use_service(module_svc)
    with Client(app_module.app, stage_name="local") as client:
        yield Api(client)
    app_module.use_service(None)


@pytest.fixture(scope="module")
def module_tenant(module_svc: Keyhole, module_api: Api) -> TenantKeys:
    """The module's shared tenant (no API rate limit: a table of cases sends many requests)."""
    return make_tenant(module_svc, module_api, name="Shared Co", overrides=UNLIMITED_API, resource_id="victim-res")


@pytest.fixture(scope="module")
def module_attacker(module_svc: Keyhole, module_api: Api) -> TenantKeys:
    return make_tenant(module_svc, module_api, name="Attacker Co", overrides=UNLIMITED_API)


def pytest_collection_modifyitems(items: Any) -> None:  # pragma: no cover - sanity guard
    """Fail fast if a module mixes the per-test and per-module moto deployments."""
    by_module: Dict[Any, set] = {}
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        styles = by_module.setdefault(item.module, set())
        if "aws" in names:
            styles.add("function")
        if "module_aws" in names:
            styles.add("module")
    mixed = [m.__name__ for m, styles in by_module.items() if len(styles) > 1]
    if mixed:
        raise pytest.UsageError(f"modules mix per-test and per-module moto: {mixed}")
