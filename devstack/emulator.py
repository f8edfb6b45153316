"""The deploy emulator: moto in server mode with what `make deploy` meets and moto lacks worked
around here (and only here: the deploy steps and the templates stay as on AWS). `make
deploy-rehearsal` (scripts/rehearsal.py) and the deploy tests (tests/deploy/) run it.

- API Gateway: moto's ImportRestApi/PutRestApi accept only OpenAPI 3 with `info.description`;
  Chalice imports Swagger 2.0. The document is relabelled as OpenAPI 3 before moto reads it (the
  paths and `x-amazon-apigateway-integration`s moto uses have the same shape in both).
- CloudFormation: moto wants a KMS `KeyPolicy` as a JSON string, not an object.
- CloudFormation: moto skips resource types it cannot model (WAF, CloudWatch alarms) but then
  refuses outputs that `Fn::GetAtt` them; such outputs are left unvalidated and unresolved.
- CloudFormation: on a stack update moto neither creates a resource whose condition became true
  (the custom domains' base path mappings once `ApiStageArn` is set) nor skips one whose condition
  is still false; here it does both, as AWS does.
- CloudFormation: moto has no `AWS::CertificateManager::Certificate`, `AWS::ApiGateway::DomainName`
  or `AWS::ApiGateway::BasePathMapping`. They are modelled here on moto's own ACM, API Gateway and
  Route 53 backends, with CloudFormation's DNS validation: the certificate's validation CNAME is
  written into the hosted zone its `DomainValidationOptions` name, and the certificate is issued
  once that record is in the zone (never without it). A domain name needs an issued certificate
  that covers it, as on AWS. What the emulator cannot show (ACM checking public DNS, TLS, DNS
  resolution) is asserted on the template instead (tests/deploy/).
- API Gateway: AWS reads an `add` of `/binaryMediaTypes/<type, / as ~1>` from the path (no value);
  moto appends the operation's value (an empty string). The type is taken from the path here.
- CloudFormation: on a stack update moto changes a role's description only, not its inline
  policies (a key replacement changes them); here they are replaced too, as AWS does.
- DynamoDB: once `chalice deploy` subscribed the stream consumer to the table's stream, moto runs
  the function (in Docker) on every write and fails the write when it cannot; here the records stay
  in the stream, as for a consumer that has not read them yet (moto runs no Lambda).
- API Gateway: moto reads a domain name from the request path without decoding it, so the wildcard
  content domain (`%2A.content...`) is never found; it is decoded here.

Run: `python -m devstack.emulator --port N` (serves requests one at a time).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
# The AWS types the emulator creates through CloudFormation beyond moto's own (see above).
EMULATED_TYPES = (
    "AWS::CertificateManager::Certificate",
    "AWS::ApiGateway::DomainName",
    "AWS::ApiGateway::BasePathMapping",
)


class EmulatorRefusal(Exception):
    """What AWS would refuse too (a certificate nobody can validate, a domain without one)."""


def _as_openapi3(document: dict[str, Any]) -> dict[str, Any]:
    if "swagger" not in document:
        return document
    converted = {k: v for k, v in document.items() if k not in ("swagger", "definitions", "securityDefinitions")}
    converted["openapi"] = "3.0.1"
    converted["info"] = {"description": "", **document.get("info", {})}
    return converted


def patch_moto() -> None:
    """Every workaround above, in this process (the ignores: the patches' signatures are looser
    than the moto methods they replace, which is what mypy compares them with)."""
    from moto.apigateway.models import APIGatewayBackend
    from moto.cloudformation import parsing
    from moto.kms.models import Key

    import_rest_api, put_rest_api = APIGatewayBackend.import_rest_api, APIGatewayBackend.put_rest_api

    def import_swagger(self: Any, api_doc: dict[str, Any], fail_on_warnings: bool) -> Any:
        return import_rest_api(self, _as_openapi3(api_doc), fail_on_warnings)

    def put_swagger(self: Any, function_id: str, api_doc: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return put_rest_api(self, function_id, _as_openapi3(api_doc), *args, **kwargs)

    APIGatewayBackend.import_rest_api = import_swagger  # type: ignore[method-assign]
    APIGatewayBackend.put_rest_api = put_swagger  # type: ignore[method-assign]

    create_key = Key.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def key_with_policy_object(cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kw: Any) -> Any:
        props = cloudformation_json.get("Properties", {})
        if isinstance(props.get("KeyPolicy"), dict):
            props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
        return create_key(cls, resource_name, cloudformation_json, *args, **kw)

    Key.create_from_cloudformation_json = classmethod(key_with_policy_object)  # type: ignore[assignment]

    from moto.apigateway.models import RestAPI

    apply_patch = RestAPI.apply_patch_operations

    def media_type_from_path(self: Any, operations: list[dict[str, Any]]) -> None:
        fixed = []
        for op in operations:
            path = op.get("path", "")
            if op.get("op") == "add" and path.startswith("/binaryMediaTypes/") and "value" not in op:
                op = {**op, "value": path.split("/", 2)[2].replace("~1", "/").replace("~0", "~")}
            fixed.append(op)
        apply_patch(self, fixed)

    RestAPI.apply_patch_operations = media_type_from_path  # type: ignore[method-assign,assignment]

    from urllib.parse import unquote

    def unquoting(method: Any) -> Any:
        def named(self: Any, domain_name: str, *args: Any, **kwargs: Any) -> Any:
            return method(self, unquote(domain_name), *args, **kwargs)

        return named

    for name in (
        "get_domain_name",
        "delete_domain_name",
        "create_base_path_mapping",
        "get_base_path_mappings",
        "get_base_path_mapping",
        "delete_base_path_mapping",
        "update_base_path_mapping",
    ):
        setattr(APIGatewayBackend, name, unquoting(getattr(APIGatewayBackend, name)))

    from moto.iam.models import Role

    update_role = Role.update_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def update_with_policies(
        cls: Any,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
    ) -> Any:
        role = update_role(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        wanted = {p["PolicyName"]: p["PolicyDocument"] for p in cloudformation_json["Properties"].get("Policies", [])}
        for name in [n for n in role.policies if n not in wanted]:
            role.delete_policy(name)
        for name, document in wanted.items():
            role.put_policy(name, document)
        return role

    Role.update_from_cloudformation_json = classmethod(update_with_policies)  # type: ignore[assignment]

    from moto.dynamodb.models.table import StreamShard

    add_record = StreamShard.add

    def add_without_invoking(self: Any, old: Any, new: Any) -> None:
        mappings, self.table.lambda_event_source_mappings = self.table.lambda_event_source_mappings, {}
        try:
            add_record(self, old, new)
        finally:
            self.table.lambda_event_source_mappings = mappings

    StreamShard.add = add_without_invoking  # type: ignore[method-assign]

    _define_models()
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()  # the models above join moto's (it lists CloudFormationModel's subclasses)
    known = set(parsing.get_model_map())
    validate_outputs, parse_output = parsing.ResourceMap.validate_outputs, parsing.parse_output

    def of_skipped_resource(resources: Any, output: Any) -> bool:
        value = output.get("Value") if isinstance(output, dict) else None
        target = value.get("Fn::GetAtt", [None])[0] if isinstance(value, dict) else None
        return bool(target) and resources._resource_json_map.get(target, {}).get("Type") not in known

    def validate_known_outputs(self: Any) -> None:
        outputs = self._template.get("Outputs")
        if outputs:
            self._template["Outputs"] = {k: v for k, v in outputs.items() if not of_skipped_resource(self, v)}
        try:
            validate_outputs(self)
        finally:
            if outputs:
                self._template["Outputs"] = outputs

    def parse_known_output(logical_id: str, output_json: Any, resources: Any) -> Any:
        return None if of_skipped_resource(resources, output_json) else parse_output(logical_id, output_json, resources)

    parsing.ResourceMap.validate_outputs = validate_known_outputs  # type: ignore[method-assign]
    parsing.parse_output = parse_known_output  # type: ignore[assignment]

    update_resource = parsing.parse_and_update_resource

    def update_as_conditions_say(
        logical_id: str, resource_json: dict[str, Any], resources_map: Any, account_id: str, region_name: str
    ) -> Any:
        condition = resource_json.get("Condition")
        existing = resources_map._parsed_resources.get(logical_id)
        if condition and not resources_map.lazy_condition_map[condition]:
            if existing is not None and hasattr(existing, "delete"):
                existing.delete(account_id, region_name)  # its condition turned false: AWS deletes it
            resources_map._parsed_resources.pop(logical_id, None)
            return None
        if existing is None:  # its condition turned true: AWS creates it
            resources_map._parsed_resources.pop(logical_id, None)
            return resources_map[logical_id]
        return update_resource(logical_id, resource_json, resources_map, account_id, region_name)

    parsing.parse_and_update_resource = update_as_conditions_say


def _define_models() -> None:
    """CloudFormation models for what moto lacks (EMULATED_TYPES), on moto's own backends."""
    from moto.acm.models import acm_backends
    from moto.apigateway.models import apigateway_backends
    from moto.core.common_models import CloudFormationModel
    from moto.route53.models import route53_backends

    def zone(account_id: str, zone_id: str) -> Any:
        return route53_backends[account_id]["aws"].get_hosted_zone(zone_id.rsplit("/", 1)[-1])

    class Certificate(CloudFormationModel):
        """An ACM certificate requested by the stack, validated by DNS in the zones it names."""

        __module__ = "devstack.emulator"  # moto files models by module (even when run as __main__)

        def __init__(self, arn: str, account_id: str, region_name: str) -> None:
            self.arn, self.account_id, self.region_name = arn, account_id, region_name

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::CertificateManager::Certificate"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return False

        @property
        def physical_resource_id(self) -> str:
            return self.arn

        @classmethod
        def create_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
        ) -> Certificate:
            props = cloudformation_json["Properties"]
            acm = acm_backends[account_id][region_name]
            tags = [{"Key": t["Key"], "Value": str(t["Value"])} for t in props.get("Tags", [])]
            arn = acm.request_certificate(
                props["DomainName"], uuid.uuid4().hex, props.get("SubjectAlternativeNames") or [], tags
            )
            if props.get("ValidationMethod") != "DNS":
                raise EmulatorRefusal(f"{props['DomainName']}: only DNS validation is emulated")
            zones = {o["DomainName"]: o.get("HostedZoneId") for o in props.get("DomainValidationOptions", [])}
            bundle = acm.get_certificate(arn)
            for option in bundle.describe()["Certificate"]["DomainValidationOptions"]:
                zone_id = zones.get(option["DomainName"])
                if not zone_id:  # CloudFormation would wait for a record nobody writes
                    raise EmulatorRefusal(f"{option['DomainName']}: no hosted zone to write its DNS validation record")
                record = option["ResourceRecord"]
                zone(account_id, zone_id).upsert_rrset(
                    {"Name": record["Name"], "Type": record["Type"], "TTL": 300, "ResourceRecords": [record["Value"]]}
                )
            for option in bundle.describe()["Certificate"]["DomainValidationOptions"]:  # ACM looks the records up
                record = option["ResourceRecord"]
                found = [
                    r
                    for r in zone(account_id, zones[option["DomainName"]]).rrsets
                    if r.name == record["Name"] and r.type == record["Type"] and record["Value"] in r.records
                ]
                if not found:
                    raise EmulatorRefusal(f"{option['DomainName']}: its DNS validation record is missing")
            bundle.status = "ISSUED"
            return cls(arn, account_id, region_name)

        @classmethod
        def update_from_cloudformation_json(
            cls,
            original_resource: Any,
            new_resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
        ) -> Any:
            return original_resource  # every property of a certificate replaces it; the stack keeps one

        @classmethod
        def delete_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            acm_backends[account_id][region_name].delete_certificate(resource_name)

        def delete(self, account_id: str, region_name: str) -> None:
            acm_backends[account_id][region_name].delete_certificate(self.arn)

    class DomainName(CloudFormationModel):
        """An API Gateway custom domain: refused, as on AWS, without an issued certificate for it."""

        __module__ = "devstack.emulator"  # moto files models by module (even when run as __main__)

        def __init__(self, model: Any) -> None:
            self.model = model

        @staticmethod
        def cloudformation_name_type() -> str:
            return "DomainName"

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::ApiGateway::DomainName"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr in (
                "RegionalDomainName",
                "RegionalHostedZoneId",
                "DistributionDomainName",
                "DistributionHostedZoneId",
            )

        def get_cfn_attribute(self, attribute_name: str) -> Any:
            return {
                "RegionalDomainName": self.model.regional_domain_name,
                "RegionalHostedZoneId": self.model.regional_hosted_zone_id,
                "DistributionDomainName": self.model.distribution_domain_name,
                "DistributionHostedZoneId": self.model.distribution_hosted_zone_id,
            }[attribute_name]

        @property
        def physical_resource_id(self) -> str:
            return str(self.model.domain_name)

        @classmethod
        def create_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
        ) -> DomainName:
            props = cloudformation_json["Properties"]
            name = props["DomainName"]
            arn = props.get("RegionalCertificateArn") or props.get("CertificateArn")
            certificate = acm_backends[account_id][region_name].get_certificate(arn).describe()["Certificate"]
            covered = {certificate["DomainName"], *certificate.get("SubjectAlternativeNames", [])}
            if certificate["Status"] != "ISSUED" or name not in covered:
                raise EmulatorRefusal(f"{name}: certificate {arn} is {certificate['Status']} for {sorted(covered)}")
            model = apigateway_backends[account_id][region_name].create_domain_name(
                domain_name=name,
                certificate_name="",
                tags=cast(Any, {t["Key"]: str(t["Value"]) for t in props.get("Tags", [])}),  # a map, as the API's
                certificate_arn=props.get("CertificateArn") or "",
                certificate_body="",
                certificate_private_key="",
                certificate_chain="",
                regional_certificate_name="",
                regional_certificate_arn=props.get("RegionalCertificateArn") or "",
                endpoint_configuration={"types": props.get("EndpointConfiguration", {}).get("Types", ["EDGE"])},
                security_policy=props.get("SecurityPolicy", "TLS_1_0"),
            )
            return cls(model)

        @classmethod
        def update_from_cloudformation_json(
            cls,
            original_resource: Any,
            new_resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
        ) -> Any:
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            apigateway_backends[account_id][region_name].delete_domain_name(resource_name)

        def delete(self, account_id: str, region_name: str) -> None:
            apigateway_backends[account_id][region_name].delete_domain_name(self.model.domain_name)

    class BasePathMapping(CloudFormationModel):
        """A custom domain's mapping to a REST API stage (moto checks the API and the stage exist)."""

        __module__ = "devstack.emulator"  # moto files models by module (even when run as __main__)

        def __init__(self, domain_name: str, base_path: str) -> None:
            self.domain_name, self.base_path = domain_name, base_path

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::ApiGateway::BasePathMapping"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return False

        @property
        def physical_resource_id(self) -> str:
            return f"{self.domain_name}/{self.base_path}"

        @classmethod
        def create_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
        ) -> BasePathMapping:
            props = cloudformation_json["Properties"]
            mapping = apigateway_backends[account_id][region_name].create_base_path_mapping(
                props["DomainName"], props["RestApiId"], props.get("BasePath", ""), props.get("Stage")
            )
            return cls(props["DomainName"], mapping.base_path)

        @classmethod
        def update_from_cloudformation_json(
            cls,
            original_resource: Any,
            new_resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
        ) -> Any:
            if original_resource is not None:
                original_resource.delete(account_id, region_name)
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

        @classmethod
        def delete_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            domain, _, base_path = resource_name.rpartition("/")
            apigateway_backends[account_id][region_name].delete_base_path_mapping(domain, base_path)

        def delete(self, account_id: str, region_name: str) -> None:
            apigateway_backends[account_id][region_name].delete_base_path_mapping(self.domain_name, self.base_path)


def modelled_types() -> set[str]:
    """The CloudFormation types the emulator creates: moto's own and EMULATED_TYPES."""
    from moto.cloudformation.parsing import get_model_map

    return set(get_model_map()) | set(EMULATED_TYPES)


def command(port: int) -> list[str]:
    return [sys.executable, "-m", "devstack.emulator", "--port", str(port)]


def start(port: int, log: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """The emulator in a child process (stop it with devstack.moto_server.stop_process)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command(port), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    patch_moto()
    from devstack.moto_server import serve

    serve("127.0.0.1", args.port, serial=True)


if __name__ == "__main__":
    main()
