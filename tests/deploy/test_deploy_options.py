"""`make deploy`'s custom-domain and key options, checked before the stack is touched: the hosted
zone each domain is found in, and the one line every wrong value gets (moto in process)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from scripts import deploy

REGION = "eu-west-1"


def options(**given: str) -> argparse.Namespace:
    names = ("domain", "hosted_zone_id", "certificate_arn", "content_domain", "content_hosted_zone_id",
             "content_certificate_arn", "kms_key_arn", "kms_previous_key_arns")
    return argparse.Namespace(**{name: given.get(name) for name in names})


@pytest.fixture
def account() -> Iterator[Any]:
    with mock_aws():
        yield boto3.Session(region_name=REGION, aws_access_key_id="x", aws_secret_access_key="y")


def zone(session: Any, name: str, private: bool = False) -> str:
    extra: dict = {"HostedZoneConfig": {"PrivateZone": True}, "VPC": {"VPCRegion": REGION, "VPCId": "vpc-1"}} if private else {}
    made = session.client("route53").create_hosted_zone(Name=name, CallerReference=name + str(private), **extra)
    return made["HostedZone"]["Id"].rsplit("/", 1)[-1]


def test_each_domain_goes_in_the_longest_public_zone_that_holds_it(account: Any) -> None:
    zone(account, "example.com")
    sub = zone(account, "share.example.com", private=True)  # a private zone never gets public records
    content = zone(account, "content.example-content.net")
    zone(account, "example-content.net")
    chosen = deploy.option_parameters(account, options(domain="share.example.com",
                                                       content_domain="content.example-content.net"), REGION)
    assert chosen["DomainHostedZoneId"] != sub and chosen["Domain"] == "share.example.com"
    assert chosen["ContentHostedZoneId"] == content and chosen["ContentDomain"] == "content.example-content.net"
    assert chosen["DomainCertificateArn"] == chosen["ContentCertificateArn"] == ""  # the stack requests them
    assert "SealingKeyArn" not in chosen  # options not given: the stack keeps what it has
    assert deploy.option_parameters(account, options(domain="none"), REGION) == {
        "Domain": "", "DomainHostedZoneId": "", "DomainCertificateArn": ""}


@pytest.mark.parametrize("given, expected", [
    ({"domain": "Share Example"}, "DOMAIN='Share Example' is not a domain name"),
    ({"domain": "share.example.com", "hosted_zone_id": "example.com"}, "HOSTED_ZONE_ID='example.com' is not a Route 53"),
    ({"content_domain": "c.example.net", "content_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"},
     "CONTENT_CERTIFICATE_ARN is in us-east-1: a regional custom domain needs a certificate in eu-west-1"),
    ({"certificate_arn": f"arn:aws:acm:{REGION}:123456789012:certificate/abc"}, "HOSTED_ZONE_ID and CERTIFICATE_ARN go with DOMAIN="),
    ({"kms_key_arn": "alias/keyhole-prod"}, "KMS_KEY_ARN='alias/keyhole-prod' is not a KMS key ARN"),
    ({"kms_previous_key_arns": f"arn:aws:kms:{REGION}:123456789012:key/1,"}, "KMS_PREVIOUS_KEY_ARNS: '' is not a KMS key ARN"),
])
def test_a_malformed_option_is_one_line_before_anything_runs(given: dict, expected: str) -> None:
    with pytest.raises(deploy.DeployError) as refused:
        deploy.check_names("prod", REGION, options(**given))
    assert str(refused.value).startswith(expected) and "\n" not in str(refused.value)


def test_what_the_account_cannot_back_is_refused_before_the_stack(account: Any) -> None:
    # no hosted zone and no certificate: nothing could validate a new certificate
    with pytest.raises(deploy.DeployError, match=r"^DOMAIN=share\.example\.org: no Route 53 hosted zone for it"):
        deploy.option_parameters(account, options(domain="share.example.org"), REGION)
    # a zone that does not hold the domain
    other = zone(account, "example.net")
    with pytest.raises(deploy.DeployError, match="is the zone example.net, which does not hold share.example.org"):
        deploy.option_parameters(account, options(domain="share.example.org", hosted_zone_id=other), REGION)
    # a certificate for another name, or not issued yet
    acm = account.client("acm")
    arn = acm.request_certificate(DomainName="other.example.org", ValidationMethod="DNS")["CertificateArn"]
    with pytest.raises(deploy.DeployError, match="CERTIFICATE_ARN is PENDING_VALIDATION, not ISSUED"):
        deploy.option_parameters(account, options(domain="share.example.org", certificate_arn=arn), REGION)
    # keys: another region, a disabled key
    kms = account.client("kms")
    elsewhere = boto3.client("kms", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    foreign = elsewhere.create_key()["KeyMetadata"]["Arn"]
    with pytest.raises(deploy.DeployError, match="is not in this account .* and region"):
        deploy.option_parameters(account, options(kms_key_arn=foreign), REGION)
    disabled = kms.create_key()["KeyMetadata"]["Arn"]
    kms.disable_key(KeyId=disabled.rsplit("/", 1)[-1])  # (moto takes the id here, not the ARN)
    with pytest.raises(deploy.DeployError, match="is Disabled; it must stay enabled until re-sealed"):
        deploy.option_parameters(account, options(kms_previous_key_arns=disabled), REGION)
    # and the good case: both keys named, or cleared with `none`
    new, old = kms.create_key()["KeyMetadata"]["Arn"], kms.create_key()["KeyMetadata"]["Arn"]
    assert deploy.option_parameters(account, options(kms_key_arn=new, kms_previous_key_arns=old), REGION) == {
        "SealingKeyArn": new, "PreviousSealingKeyArns": old}
    assert deploy.option_parameters(account, options(kms_previous_key_arns="none"), REGION) == {
        "PreviousSealingKeyArns": ""}
