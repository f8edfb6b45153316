"""The shared botocore session: its clients resolve, sign and load exactly what botocore's own
session gives, from less work (chalicelib/runtime/awsclients.py).

Real botocore, no network: clients are created and inspected, never called.
"""
from __future__ import annotations

import json
from typing import Any

import botocore.loaders
import botocore.regions
import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError

from chalicelib.runtime import awsclients
from chalicelib.runtime.config import Settings
from scripts import aws_endpoints

FULL = botocore.loaders.Loader().load_data("endpoints")
REGIONS = sorted({region for partition in FULL["partitions"] for region in partition["regions"]})
# Regions no partition lists: matched by a partition's pattern, or by none.
UNLISTED = ["us-west-9", "eu-north-7", "cn-east-5", "us-gov-north-3", "local", "mars-central-1"]
VARIANTS = [{}, {"use_fips_endpoint": True}, {"use_dualstack_endpoint": True},
            {"use_fips_endpoint": True, "use_dualstack_endpoint": True}]


def full_resolver() -> botocore.regions.EndpointResolver:
    return botocore.regions.EndpointResolver(FULL, uses_builtin_data=True)


def outcome(resolver: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return ("ok", resolver.construct_endpoint(*args, **kwargs))
    except Exception as error:  # the same refusal counts as the same answer
        return ("error", type(error).__name__)


def test_the_shipped_subset_is_the_installed_botocores_data() -> None:
    # GIVEN the endpoint data Keyhole ships THEN it is today's extract of botocore's own file
    # (after a botocore upgrade: `python -m scripts.aws_endpoints`)
    shipped = json.loads(awsclients.ENDPOINTS_FILE.read_text())
    assert shipped == json.loads(json.dumps(aws_endpoints.current()))
    assert {name for p in shipped["partitions"] for name in p["services"]} == set(awsclients.ENDPOINT_SERVICES)


@pytest.mark.parametrize("service", [*awsclients.ENDPOINT_SERVICES, "s3", "sts", "iam", "not-a-service"])
def test_the_subset_resolver_answers_as_the_full_data_for_every_region(service: str) -> None:
    # GIVEN the subset resolver and botocore's full one
    subset = awsclients.SubsetEndpointResolver(json.loads(awsclients.ENDPOINTS_FILE.read_text()), full_resolver)
    full = full_resolver()
    # WHEN both resolve the service in every region (listed, unlisted, none), with every variant
    for region in [*REGIONS, *UNLISTED, None]:
        for variant in VARIANTS:
            # THEN the answers are identical (endpoints, signing scopes, or the same refusal)
            assert outcome(subset, service, region, **variant) == outcome(full, service, region, **variant), (
                region, variant)
        for partition in ("aws", "aws-cn", "aws-us-gov", "nowhere"):
            assert outcome(subset, service, region, partition_name=partition) == outcome(
                full, service, region, partition_name=partition)
    assert subset.get_available_endpoints(service) == full.get_available_endpoints(service)


def test_listings_come_from_the_full_data() -> None:
    subset = awsclients.SubsetEndpointResolver(json.loads(awsclients.ENDPOINTS_FILE.read_text()), full_resolver)
    full = full_resolver()
    assert subset.get_available_partitions() == full.get_available_partitions()
    assert subset.get_partition_for_region("eu-west-1") == full.get_partition_for_region("eu-west-1")
    assert subset.get_service_endpoints_data("s3") == full.get_service_endpoints_data("s3")
    assert subset.get_partition_dns_suffix("aws-cn") == full.get_partition_dns_suffix("aws-cn")


def client_facts(client: Any) -> dict[str, Any]:
    signer = client._request_signer
    return {"endpoint": client.meta.endpoint_url, "region": client.meta.region_name,
            "partition": client.meta.partition, "signing_name": signer.signing_name,
            "signing_region": signer.region_name, "signature": signer.signature_version,
            "operations": sorted(client.meta.service_model.operation_names)}


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "ap-southeast-4", "cn-north-1", "us-gov-west-1",
                                    "us-east-1-fips-probe", "eu-west-9"])
@pytest.mark.parametrize("service", ["dynamodb", "kms", "dynamodbstreams", "sqs", "sts"])
def test_clients_match_botocores_own_session(region: str, service: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a fresh shared session and a plain botocore one
    monkeypatch.setattr(awsclients, "_session", None)
    settings = Settings(table_name="t", counters_table_name="c", kms_key_id="k", region=region)
    # WHEN each creates the client THEN endpoint, region, partition, signing and the model are the same
    mine = awsclients.client(settings, service)
    theirs = botocore.session.get_session().create_client(service, region_name=region)
    assert client_facts(mine) == client_facts(theirs)


def test_one_session_per_process_and_its_loader_lists_what_botocore_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(awsclients, "_session", None)
    session = awsclients.session()
    assert awsclients.session() is session
    loader = session.get_component("data_loader")
    assert isinstance(loader, awsclients.ScopedLoader)
    for type_name in ("service-2", "endpoint-rule-set-1"):
        listed = loader.list_available_services(type_name)
        assert list(listed) == botocore.loaders.Loader().list_available_services(type_name)
        assert "dynamodb" in listed and "kms" in listed and "no-such-service" not in listed
        assert "../dynamodb" not in listed and "" not in listed
    with pytest.raises(UnknownServiceError):
        session.create_client("no-such-service", region_name="us-east-1")


def test_the_store_and_kms_share_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a service container WHEN its DynamoDB client and a KMS client are created
    from chalicelib.service import Keyhole

    monkeypatch.setattr(awsclients, "_session", None)
    svc = Keyhole(Settings(table_name="t", counters_table_name="c", kms_key_id="k", region="eu-west-1"))
    dynamodb = svc.store.client
    kms = awsclients.client(svc.settings, "kms")
    # THEN both come from the process's one session (the endpoint data is read once)
    assert svc.store.connection.session is awsclients.session()
    assert dynamodb.meta.region_name == kms.meta.region_name == "eu-west-1"
    assert dynamodb.meta.endpoint_url == "https://dynamodb.eu-west-1.amazonaws.com"
    # AND the DynamoDB and KMS clients were made from the subset: botocore's full endpoint data
    # was never parsed
    resolver = awsclients.session()._get_internal_component("endpoint_resolver")
    assert isinstance(resolver, awsclients.SubsetEndpointResolver) and resolver._full is None
