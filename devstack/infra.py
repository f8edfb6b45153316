"""Deploy `infra/template.json` through CloudFormation, the way ops do, into moto.

moto's CloudFormation has gaps; they are worked around here, never in the template:
- it wants a KMS `KeyPolicy` as a JSON string, not an object;
- it ignores `TimeToLiveSpecification`, so TTL is switched on with UpdateTimeToLive afterwards;
- it skips resource types it does not know (the WAF web ACL, CloudWatch alarms), with a warning,
  but refuses a template whose outputs `Fn::GetAtt` such a resource: those resources and outputs
  are left out of what is sent (moto would create nothing for them anyway, and its pure-Python
  YAML parse of the template costs every test that deploys the stack time in proportion to size).
  Their definitions are checked by cfn-lint and asserted on the template instead (tests/deploy/).
- it creates an `AWS::S3::Bucket` with its default encryption only (and drops the Bucket Key), and
  skips `AWS::S3::BucketPolicy`: `apply_bucket_settings` puts the rest of the files bucket's
  definition (encryption with Bucket Key, public access block, ownership, versioning, lifecycle,
  CORS) through the S3 API, read from the template itself. moto stores them but runs no lifecycle
  rule. The bucket policy (TLS only, Keyhole's key only) is not put: moto evaluates a policy's
  statements without their conditions, so its conditional denials would refuse every request
  (docs/files.md, "Local stack").
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "infra" / "template.json"


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE_PATH.read_text())


def adapt_for_moto(template: dict[str, Any]) -> dict[str, Any]:
    adapted = copy.deepcopy(template)
    for resource in adapted["Resources"].values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::KMS::Key" and isinstance(props.get("KeyPolicy"), dict):
            props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
    known = _moto_resource_types()
    skipped = {name for name, resource in adapted["Resources"].items() if resource["Type"] not in known}
    for name in skipped:
        del adapted["Resources"][name]
    for name, output in list(adapted.get("Outputs", {}).items()):
        value = output.get("Value")
        target = value.get("Fn::GetAtt", [None])[0] if isinstance(value, dict) else None
        if target in skipped:
            del adapted["Outputs"][name]
    return adapted


def _moto_resource_types() -> set[str]:
    """CloudFormation resource types moto can create (the others it skips)."""
    from moto.cloudformation.parsing import get_model_map

    return set(get_model_map())


def ttl_attributes(template: dict[str, Any], outputs: dict[str, str]) -> dict[str, str]:
    """Table name -> TTL attribute, for every table the template gives a TTL specification."""
    result = {}
    by_logical = {"MainTable": outputs.get("TableName"), "CountersTable": outputs.get("CountersTableName")}
    for logical_id, resource in template["Resources"].items():
        spec = resource.get("Properties", {}).get("TimeToLiveSpecification")
        if resource["Type"] == "AWS::DynamoDB::Table" and spec and spec.get("Enabled"):
            table = by_logical.get(logical_id)
            if table:
                result[table] = spec["AttributeName"]
    return result


def deploy(
    session: Any, *, stage: str, endpoint_url: str | None = None, stack_name: str | None = None, timeout: float = 60.0
) -> dict[str, str]:
    """Create (or reuse) the stack and return its outputs. `session` is a boto3 Session."""
    stack_name = stack_name or f"keyhole-{stage}"
    cfn = session.client("cloudformation", endpoint_url=endpoint_url)
    ddb = session.client("dynamodb", endpoint_url=endpoint_url)
    template = load_template()
    existing = _describe(cfn, stack_name)
    if existing is None:
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(adapt_for_moto(template), separators=(",", ":")),
            Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
        )
        deadline = time.time() + timeout
        while True:
            existing = _describe(cfn, stack_name)
            status = existing["StackStatus"] if existing else "MISSING"
            if status.endswith("_COMPLETE") and "ROLLBACK" not in status:
                break
            if "FAILED" in status or "ROLLBACK" in status or time.time() > deadline:
                raise RuntimeError(f"stack {stack_name} ended in {status}")
            time.sleep(0.2)
    if existing is None:
        raise RuntimeError(f"stack {stack_name} disappeared")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in existing.get("Outputs", [])}
    apply_bucket_settings(session, template, outputs, endpoint_url=endpoint_url)
    for table, attribute in ttl_attributes(template, outputs).items():
        current = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            ddb.update_time_to_live(
                TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
            )
    return outputs


def _describe(cfn: Any, stack_name: str) -> dict[str, Any] | None:
    try:
        stacks = cfn.describe_stacks(StackName=stack_name)["Stacks"]
    except Exception as error:  # moto and AWS both raise ValidationError for unknown stacks
        if "does not exist" in str(error):
            return None
        raise
    return stacks[0] if stacks else None


def _resolver(template: dict[str, Any], values: dict[str, Any]) -> Any:
    """A resolver of the intrinsic functions the bucket's definition uses, with parameter defaults."""
    no_value = object()
    params = {name: p.get("Default", "") for name, p in template.get("Parameters", {}).items()}
    for name, p in template.get("Parameters", {}).items():
        if p.get("Type") == "CommaDelimitedList":
            params[name] = (
                [v for v in str(params[name]).split(",") if v] if isinstance(params[name], str) else params[name]
            )
    params.update(values)

    def resolve(node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (resolve(x) for x in node) if v is not no_value]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return no_value if arg == "AWS::NoValue" else params[arg]
            if key == "Fn::GetAtt":
                return params[f"{arg[0]}.{arg[1]}"]
            if key == "Fn::Sub":
                text = arg
                for name, value in params.items():
                    text = text.replace("${" + name + "}", str(value))
                return text
            if key == "Fn::Join":
                return arg[0].join(str(v) for v in resolve(arg[1]))
            if key == "Fn::If":
                condition = resolve(template["Conditions"][arg[0]])
                return resolve(arg[1] if condition else arg[2])
            if key == "Fn::Not":
                return not resolve(arg[0])
            if key == "Fn::Equals":
                return resolve(arg[0]) == resolve(arg[1])
        return {k: r for k, r in ((k, resolve(v)) for k, v in node.items()) if r is not no_value}

    return resolve


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A lifecycle rule as CloudFormation states it -> as the S3 API takes it."""
    out: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"]}
    tags = rule.get("TagFilters") or []
    out["Filter"] = {"Tag": tags[0]} if tags else {"Prefix": rule.get("Prefix", "")}
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if rule.get("ExpiredObjectDeleteMarker"):
        out["Expiration"] = {"ExpiredObjectDeleteMarker": True}
    if "AbortIncompleteMultipartUpload" in rule:
        out["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
    if "NoncurrentVersionExpiration" in rule:
        out["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        }
    return out


def apply_bucket_settings(
    session: Any, template: dict[str, Any], outputs: dict[str, str], *, endpoint_url: str | None = None
) -> None:
    """Put what moto's CloudFormation leaves out of the files bucket, from the template."""
    bucket = outputs.get("FilesBucketName")
    if not bucket or "FilesBucket" not in template["Resources"]:
        return
    region = session.region_name or "us-east-1"
    resolve = _resolver(
        template,
        {
            "FilesBucket": bucket,
            "FilesBucket.Arn": outputs.get("FilesBucketArn", f"arn:aws:s3:::{bucket}"),
            "SealingKey.Arn": outputs["KmsKeyArn"],
            "AWS::Region": region,
            "AWS::AccountId": outputs["KmsKeyArn"].split(":")[4],
            "AWS::Partition": "aws",
        },
    )
    props = resolve(template["Resources"]["FilesBucket"]["Properties"])
    s3 = session.client("s3", endpoint_url=endpoint_url)
    (encryption,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": encryption["ServerSideEncryptionByDefault"],
                    "BucketKeyEnabled": bool(encryption.get("BucketKeyEnabled")),
                }
            ]
        },
    )
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=props["OwnershipControls"])
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration=props["VersioningConfiguration"])
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in props["LifecycleConfiguration"]["Rules"]]},
    )
    if props.get("CorsConfiguration"):
        rules = [
            {k: v for k, v in r.items() if k != "Id"} | {"ID": r["Id"]} for r in props["CorsConfiguration"]["CorsRules"]
        ]
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
