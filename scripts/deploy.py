"""`make deploy STAGE=<name> REGION=<region>`: one stage, from a fresh clone, safe to re-run.

Steps (each is also a subcommand, and docs/operations.md gives the plain aws/chalice commands):

1. preflight  region and credentials, before anything slow (one line and exit 2 when missing);
2. infra      create or update the `keyhole-<stage>` CloudFormation stack (infra/template.json);
3. project    lay out build/deploy/<stage>/ with the stack's outputs in its Chalice config
              (scripts/bundle.py); restore Chalice's deployed state from SSM if this clone has none;
4. app        `chalice deploy` from that directory with the deploy virtualenv's Chalice (python3.12),
              then save Chalice's deployed state to SSM (`/keyhole/<stage>/chalice-deployed`), so
              a re-run from another clone updates the same API instead of creating a second one;
5. post       scripts/post_deploy.py: the stream mapping's options, gateway responses, API name;
6. waf        attach the WAF web ACL to the API stage (a stack update with ApiStageArn);
7. smoke      robots.txt, a dead-link 404 and the OpenAPI document from the deployed URL.

`package` builds build/package/{deployment.zip,sam.json} for CloudFormation instead (no stack or
credentials needed; a region is).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scripts import bundle, post_deploy, smoke

ROOT = bundle.ROOT
TEMPLATE = ROOT / "infra" / "template.json"
MERGE_TEMPLATE = ROOT / "infra" / "chalice-merge.json"
DEFAULT_DEPLOY_VENV = ROOT / "build" / "venv-deploy"
STAGE_PATTERN = re.compile(r"^[a-z0-9-]{1,20}$")
REGION_PATTERN = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
STACK_DONE = re.compile(r"_COMPLETE$")
NO_CHANGES = "No updates are to be performed"
POLL_SECONDS = 5.0


class DeployError(RuntimeError):
    """A deploy step failed; the message is the one line ops see."""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


# --- 1. preflight --------------------------------------------------------------------------


def preflight(stage: str, region: str | None, *, session_factory: Callable[..., Any] | None = None) -> Any:
    """Fail at once, in one line, on what would fail later: stage, region, credentials."""
    if not STAGE_PATTERN.match(stage or ""):
        raise DeployError(f"STAGE must be 1-20 of a-z, 0-9 and '-' (got {stage!r})")
    if not region:
        raise DeployError("REGION is required, e.g. make deploy STAGE=prod REGION=eu-west-1")
    if not REGION_PATTERN.match(region):
        raise DeployError(f"REGION {region!r} is not an AWS region name (e.g. us-east-1)")
    import boto3
    from botocore.config import Config

    session = (session_factory or boto3.Session)(region_name=region)
    if session.get_credentials() is None:
        raise DeployError("no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
    sts = session.client("sts", config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2}))
    try:
        identity = sts.get_caller_identity()
    except Exception as error:
        raise DeployError(f"AWS credentials were refused: {type(error).__name__}: {str(error)[:160]}") from error
    say(f"deploying stage {stage} to account {identity['Account']} in {region} as {identity['Arn']}")
    return session


# --- 2. infra stack ------------------------------------------------------------------------


def stack_name(stage: str) -> str:
    return f"keyhole-{stage}"


def describe_stack(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        return cfn.describe_stacks(StackName=name)["Stacks"][0]
    except cfn.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def stack_parameters(
    existing: dict[str, Any] | None, wanted: dict[str, str], template: dict[str, Any]
) -> list[dict[str, Any]]:
    """Wanted values; every other parameter keeps the value the stack has (an ops override of a
    threshold survives a re-deploy), the rest take the template's defaults. Previous values are
    passed explicitly (no parameter is NoEcho), which reads the same on AWS and in an emulator."""
    have = {p["ParameterKey"]: p.get("ParameterValue", "") for p in (existing or {}).get("Parameters", [])}
    values = {key: have[key] for key in template["Parameters"] if key in have}
    values.update(wanted)
    return [{"ParameterKey": key, "ParameterValue": value} for key, value in sorted(values.items())]


def wait_for_stack(cfn: Any, name: str, timeout: float = 1800.0) -> dict[str, Any]:
    deadline = time.time() + timeout
    while True:
        stack = describe_stack(cfn, name)
        status = stack["StackStatus"] if stack else "MISSING"
        if stack and STACK_DONE.search(status) and "ROLLBACK" not in status:
            return stack
        if stack is None or "FAILED" in status or "ROLLBACK" in status or time.time() > deadline:
            raise DeployError(f"stack {name} ended in {status}: {_first_failure(cfn, name)}")
        time.sleep(POLL_SECONDS)


def _first_failure(cfn: Any, name: str) -> str:
    try:
        events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    except Exception:
        return "see the stack's events in the CloudFormation console"
    failed = [e for e in events if e.get("ResourceStatus", "").endswith("FAILED")]
    if not failed:
        return "see the stack's events"
    event = failed[-1]
    return f"{event['LogicalResourceId']}: {event.get('ResourceStatusReason', '')}"


def deploy_stack(session: Any, stage: str, parameters: dict[str, str]) -> dict[str, str]:
    """Create the stack (with termination protection) or update it; returns its outputs."""
    cfn = session.client("cloudformation")
    name = stack_name(stage)
    template = json.loads(TEMPLATE.read_text())
    existing = describe_stack(cfn, name)
    if existing and existing["StackStatus"] == "ROLLBACK_COMPLETE":
        hint = f"aws cloudformation delete-stack --stack-name {name}"
        raise DeployError(f"stack {name} failed to create and must be deleted first: {hint}")
    arguments = {
        "StackName": name,
        "TemplateBody": json.dumps(template),
        "Parameters": stack_parameters(existing, {"Stage": stage, **parameters}, template),
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "Tags": [{"Key": "app", "Value": "keyhole"}, {"Key": "stage", "Value": stage}],
    }
    if existing is None:
        say(f"creating stack {name}")
        cfn.create_stack(EnableTerminationProtection=True, **arguments)
    else:
        say(f"updating stack {name}")
        try:
            cfn.update_stack(**arguments)
        except cfn.exceptions.ClientError as error:
            if NO_CHANGES not in str(error):
                raise DeployError(f"stack {name} update refused: {error}") from error
            say(f"stack {name} is up to date")
    stack = wait_for_stack(cfn, name)
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


# --- 3./4. project and app -----------------------------------------------------------------


def state_parameter(stage: str) -> str:
    return f"/keyhole/{stage}/chalice-deployed"


def deployed_file(stage: str, directory: Path) -> Path:
    return directory / ".chalice" / "deployed" / f"{stage}.json"


def restore_state(session: Any, stage: str, directory: Path) -> bool:
    """Chalice finds its REST API by the deployed state: bring it from SSM into a fresh clone."""
    target = deployed_file(stage, directory)
    if target.exists():
        return False
    ssm = session.client("ssm")
    try:
        value = ssm.get_parameter(Name=state_parameter(stage))["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(json.loads(value), indent=2) + "\n")
    say(f"restored Chalice's deployed state from SSM {state_parameter(stage)}")
    return True


def save_state(session: Any, stage: str, directory: Path) -> None:
    state = json.loads(deployed_file(stage, directory).read_text())
    value = json.dumps(state, separators=(",", ":"))
    session.client("ssm").put_parameter(
        Name=state_parameter(stage),
        Value=value,
        Type="String",
        Overwrite=True,
        Tier="Advanced" if len(value) > 4096 else "Standard",
        Description="Chalice's .chalice/deployed state for this Keyhole stage (written by make deploy)",
    )


def deploy_python(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        raise DeployError(f"no deploy virtualenv at {venv}: run `make deploy-venv` (Python 3.12)")
    return python


def chalice(args: list[str], directory: Path, region: str, venv: Path) -> None:
    """Run the deploy virtualenv's Chalice CLI on the stage's project directory."""
    env = {**os.environ, "AWS_REGION": region, "AWS_DEFAULT_REGION": region}
    command = [str(venv / "bin" / "chalice"), "--project-dir", str(directory), *args]
    result = subprocess.run(command, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise DeployError(f"`chalice {' '.join(args)}` failed (exit {result.returncode}); its output is above")


def deployed_resources(stage: str, directory: Path) -> dict[str, dict[str, Any]]:
    state = json.loads(deployed_file(stage, directory).read_text())
    return {r["name"]: r for r in state["resources"]}


# --- 6. WAF --------------------------------------------------------------------------------


def api_stage_arn(region: str, rest_api_id: str, api_stage: str) -> str:
    return f"arn:aws:apigateway:{region}::/restapis/{rest_api_id}/stages/{api_stage}"


# --- the whole deploy ----------------------------------------------------------------------


def deploy(args: argparse.Namespace) -> int:
    session = preflight(args.stage, args.region)
    venv = Path(args.deploy_venv)
    python = deploy_python(venv)
    tracing = "Active" if args.tracing else "PassThrough"
    infra_parameters = {"Tracing": tracing}
    if args.alarm_email is not None:
        infra_parameters["AlarmEmail"] = args.alarm_email
    if args.files_upload_origins is not None:  # the files bucket's CORS rule (docs/files.md)
        infra_parameters["FilesUploadOrigins"] = args.files_upload_origins
    outputs = deploy_stack(session, args.stage, infra_parameters)

    say(f"building build/deploy/{args.stage} (python3.12 bytecode, vendored runtime dependencies)")
    config = bundle.stage_config(
        args.stage, outputs, tracing=args.tracing, reserved_concurrency=not args.no_reserved_concurrency
    )
    directory = bundle.build_project(args.stage, config, python, deps_cache=args.deps_cache)
    restore_state(session, args.stage, directory)

    say(f"chalice deploy --stage {args.stage}")
    chalice(["deploy", "--stage", args.stage], directory, args.region, venv)
    save_state(session, args.stage, directory)
    resources = deployed_resources(args.stage, directory)
    rest_api = resources["rest_api"]

    say("post-deploy: stream mapping options, gateway responses, API name")
    post_deploy.apply(
        session,
        stage=args.stage,
        function=resources["stream_consumer"]["lambda_arn"],
        stream_arn=outputs["TableStreamArn"],
        failure_queue_arn=outputs["StreamFailureQueueArn"],
        rest_api_id=rest_api["rest_api_id"],
        api_stage=config.get("api_gateway_stage", "api"),
    )

    stage_arn = api_stage_arn(args.region, rest_api["rest_api_id"], config.get("api_gateway_stage", "api"))
    say(f"WAF web ACL on {stage_arn}")
    deploy_stack(session, args.stage, {**infra_parameters, "ApiStageArn": stage_arn})

    url = args.smoke_url or rest_api["rest_api_url"]
    say(f"smoke test against {url}")
    for line in smoke.run(url, openapi_required=smoke.app_serves_openapi(directory)):
        print(f"    {line}", flush=True)
    say(f"stage {args.stage} deployed: {rest_api['rest_api_url']}")
    return 0


def package(args: argparse.Namespace) -> int:
    if not args.region:
        raise DeployError("REGION is required, e.g. make package REGION=eu-west-1 (Chalice needs one to package)")
    venv = Path(args.deploy_venv)
    python = deploy_python(venv)
    out = Path(args.out).resolve()
    config = bundle.stage_config(args.stage, bundle.package_outputs(), reserved_concurrency=True)
    directory = bundle.build_project(
        args.stage, config, python, directory=ROOT / "build" / "package-project", deps_cache=args.deps_cache
    )
    merge = ["--merge-template", str(MERGE_TEMPLATE)]
    chalice(["package", "--stage", args.stage, *merge, str(out)], directory, args.region, venv)
    facts = bundle.check_package(out / "deployment.zip")
    say(f"{out / 'deployment.zip'}: {facts['bytes'] / 1e6:.2f} MB, {facts['modules']} modules; {out / 'sam.json'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("preflight", help="stage, region and credentials only")
    check.add_argument("--stage", required=True)
    check.add_argument("--region", default=None)
    check.set_defaults(handler=lambda args: preflight(args.stage, args.region) and 0)
    run = commands.add_parser("deploy", help="every step, in order")
    run.add_argument("--stage", required=True)
    run.add_argument("--region", default=None)
    run.add_argument("--tracing", action="store_true", help="X-Ray active tracing on the functions and the API")
    run.add_argument("--alarm-email", default=None, help="subscribe this address to the alarm topic")
    run.add_argument(
        "--files-upload-origins",
        default=None,
        help="comma-separated https origins (consoles) that may PUT uploads into the files bucket (its CORS rule)",
    )
    run.add_argument(
        "--no-reserved-concurrency",
        action="store_true",
        help="for accounts whose concurrency quota cannot spare reservations (new accounts)",
    )
    run.add_argument("--smoke-url", help="run the smoke test against this URL instead of the deployed one")
    run.set_defaults(handler=deploy)
    pack = commands.add_parser("package", help="build/package/{deployment.zip,sam.json} for CloudFormation")
    pack.add_argument("--stage", default="prod")
    pack.add_argument("--region", default=None)
    pack.add_argument("--out", default=str(ROOT / "build" / "package"))
    pack.set_defaults(handler=package)
    for command in (run, pack):
        command.add_argument("--deploy-venv", default=str(DEFAULT_DEPLOY_VENV), help="the Python 3.12 virtualenv")
        command.add_argument("--deps-cache", default=None, help="where vendored dependencies are cached")
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except (DeployError, bundle.BundleError, smoke.SmokeFailed) as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
