"""Fixtures for the admin-API and security suites.

Deploying the infra template into moto and building a service costs about a second (botocore
loads its service models for every new session), so a module deploys once (`module_aws`,
`module_svc`, `module_api`) and tests get isolation in one of two ways:
- `env` (per test): the module's tables are re-created empty through the DynamoDB API and the
  service gets a fresh `Clock`, so a test sees an empty deployment and may move time
  (`env.clock.advance`);
- `module_tenant`/`module_attacker` (per module): big tables of cases share tenants; those tests
  create what they mutate and never move the clock.
A module uses one style, never both (emptying the tables would pull shared tenants from under it),
and never mixes them with the root `aws` fixture (moto mocks nest and would share state).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterator

import boto3
import pytest
from moto import mock_aws

from chalicelib.runtime.clock import Clock
from chalicelib.service import Keyhole
from devstack import infra
from tests.conftest import Api, settings_for
from tests.support import TenantKeys, make_tenant

# Shared tenants send hundreds of requests and create many links on one resource.
UNLIMITED_API = {"api_requests_per_min": None, "links_per_resource": None}


@dataclass
class Env:
    """An empty Keyhole deployment for one test: service, API client and the clock it reads."""

    svc: Keyhole
    api: Api
    clock: Clock


class Tables:
    """Empties the module's tables for each `env` test by deleting and re-creating them through the
    DynamoDB API with their deployed definitions (keys, indexes, stream, TTL). Deleting items one by
    one would keep the table's stream history, which moto copies on every transaction."""

    def __init__(self, svc: Keyhole) -> None:
        self.client = boto3.client("dynamodb", region_name=svc.settings.region,
                                   endpoint_url=svc.settings.aws_endpoint)
        self.definitions = [self._definition(name) for name in (svc.settings.table_name,
                                                                 svc.settings.counters_table_name)]

    def _definition(self, name: str) -> Dict[str, Any]:
        table = self.client.describe_table(TableName=name)["Table"]
        definition: Dict[str, Any] = {
            "TableName": name, "KeySchema": table["KeySchema"], "AttributeDefinitions": table["AttributeDefinitions"],
            "BillingMode": table.get("BillingModeSummary", {}).get("BillingMode", "PAY_PER_REQUEST")}
        if table.get("GlobalSecondaryIndexes"):
            definition["GlobalSecondaryIndexes"] = [
                {"IndexName": i["IndexName"], "KeySchema": i["KeySchema"], "Projection": i["Projection"]}
                for i in table["GlobalSecondaryIndexes"]]
        if table.get("StreamSpecification", {}).get("StreamEnabled"):
            definition["StreamSpecification"] = table["StreamSpecification"]
        ttl = self.client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        return {"create": definition, "ttl": ttl.get("AttributeName")}

    def recreate(self) -> None:
        for definition in self.definitions:
            name = definition["create"]["TableName"]
            # the stack protects its tables from deletion; emptying a local test stack lifts it first
            self.client.update_table(TableName=name, DeletionProtectionEnabled=False)
            self.client.delete_table(TableName=name)
            self.client.create_table(**definition["create"])
            if definition["ttl"]:
                self.client.update_time_to_live(TableName=name, TimeToLiveSpecification={
                    "Enabled": True, "AttributeName": definition["ttl"]})


@pytest.fixture(scope="module")
def module_tables(module_svc: Keyhole) -> Tables:
    return Tables(module_svc)


@pytest.fixture
def env(module_svc: Keyhole, module_api: Api, module_tables: Tables) -> Env:
    module_tables.recreate()
    module_svc.clock = Clock()
    return Env(svc=module_svc, api=module_api, clock=module_svc.clock)


@pytest.fixture
def tenant(env: Env) -> TenantKeys:
    """A team-plan tenant with admin/operator/viewer keys and a resource `res-1`."""
    return make_tenant(env.svc, env.api, name="Acme")


@pytest.fixture
def other_tenant(env: Env) -> TenantKeys:
    """A second tenant: the attacker in isolation tests (same resource id on purpose)."""
    return make_tenant(env.svc, env.api, name="Evil Corp")


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


def pytest_collection_modifyitems(items: Any) -> None:
    """Fail fast if a module mixes isolation styles (see the module docstring)."""
    by_module: Dict[Any, set] = {}
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        style = ("root aws" if "aws" in names else "env" if "env" in names
                 else "shared module" if "module_aws" in names else None)
        if style:
            by_module.setdefault(item.module, set()).add(style)
    mixed = {m.__name__: sorted(styles) for m, styles in by_module.items() if len(styles) > 1}
    if mixed:
        raise pytest.UsageError(f"test modules mix isolation styles: {mixed}")
