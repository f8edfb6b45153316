"""A deployed stage's settings, read from its infra stack (`keyhole-<stage>`, infra/template.json).

One table of which stack output sets which `KEYHOLE_*` variable, used twice: `make deploy` writes
those values into the stage's generated Chalice config (scripts/bundle.py), and the ops CLI reads
them for `--stage NAME` (any stage `make deploy` created, not only those in .chalice/config.json).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# stack output -> the variable it sets; the outputs after the first four exist only when the stack
# was deployed with them (a previous key during a key replacement, the custom domains).
STACK_OUTPUTS: dict[str, str] = {
    "TableName": "KEYHOLE_TABLE",
    "CountersTableName": "KEYHOLE_COUNTERS_TABLE",
    "KmsKeyArn": "KEYHOLE_KMS_KEY_ID",
    "TableStreamArn": "KEYHOLE_STREAM_ARN",
    "KmsPreviousKeyArns": "KEYHOLE_KMS_PREVIOUS_KEY_IDS",
    "PublicUrl": "KEYHOLE_PUBLIC_URL",
    "ContentUrl": "KEYHOLE_CONTENT_URL",
    "FilesBucketName": "KEYHOLE_FILES_BUCKET",
}
REQUIRED_OUTPUTS = ("TableName", "CountersTableName", "KmsKeyArn", "TableStreamArn")


def stack_name(stage: str) -> str:
    return f"keyhole-{stage}"


def environment(stage: str, outputs: Mapping[str, str]) -> dict[str, str]:
    """The `KEYHOLE_*` variables the stack's outputs give the stage's functions."""
    missing = [name for name in REQUIRED_OUTPUTS if not outputs.get(name)]
    if missing:
        raise KeyError(f"stack {stack_name(stage)} has no output {', '.join(missing)}")
    env = {"KEYHOLE_STAGE": stage}
    env.update({variable: outputs[output] for output, variable in STACK_OUTPUTS.items() if outputs.get(output)})
    return env


def stack_outputs(stage: str, cloudformation: Any) -> dict[str, str] | None:
    """The stack's outputs, or None when the stack does not exist (in the client's region)."""
    from botocore.exceptions import ClientError

    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name(stage))["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error.response.get("Error", {}).get("Message", "")):
            return None
        raise
    if not stacks or stacks[0].get("StackStatus") in ("ROLLBACK_COMPLETE", "DELETE_COMPLETE"):
        return None  # a stack that failed to create, or was deleted: no stage
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
