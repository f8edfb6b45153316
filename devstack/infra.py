"""Deploy `infra/template.json` through CloudFormation, the way ops do, into moto.

moto's CloudFormation has gaps; they are worked around here, never in the template:
- it wants a KMS `KeyPolicy` as a JSON string, not an object;
- it ignores `TimeToLiveSpecification`, so TTL is switched on with UpdateTimeToLive afterwards;
- it skips resource types it does not know (the WAF web ACL, CloudWatch alarms), with a warning,
  but refuses a template whose outputs `Fn::GetAtt` such a resource: those resources and outputs
  are left out of what is sent (moto would create nothing for them anyway, and its pure-Python
  YAML parse of the template costs every test that deploys the stack time in proportion to size).
  Their definitions are checked by cfn-lint and asserted on the template instead (tests/deploy/).
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
