"""`make deploy STAGE=<name> REGION=<region>`: one stage, from a fresh clone, safe to re-run.

Steps (each is also a subcommand, and docs/operations.md gives the plain aws/chalice commands):

1. preflight  region, credentials and the options' syntax, before anything slow (one line and exit 2);
2. infra      create or update the `keyhole-<stage>` CloudFormation stack (infra/template.json), with
              the optional custom domains (a Route 53 hosted zone found for each, or given, or an
              existing certificate) and, during a key replacement, the sealing and previous keys;
3. project    lay out build/deploy/<stage>/ with the stack's outputs in its Chalice config
              (scripts/bundle.py); restore Chalice's deployed state from SSM if this clone has none;
4. app        `chalice deploy` from that directory with the deploy virtualenv's Chalice (python3.12),
              then save Chalice's deployed state to SSM (`/keyhole/<stage>/chalice-deployed`), so
              a re-run from another clone updates the same API instead of creating a second one;
5. post       scripts/post_deploy.py: the stream mapping's options, gateway responses, API name;
6. waf        attach the WAF web ACL to the API stage (a stack update with ApiStageArn);
7. smoke      robots.txt, a dead-link 404 and the OpenAPI document from the deployed URL, and the
              same through each custom domain (once DNS answers).

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
DOMAIN_PATTERN = re.compile(r"^(?=.{4,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")
ZONE_PATTERN = re.compile(r"^(/hostedzone/)?(Z[A-Z0-9]{1,32})$")
CERTIFICATE_PATTERN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate/[A-Za-z0-9-]+$")
KEY_PATTERN = re.compile(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key/[A-Za-z0-9-]+$")
CLEAR = "none"  # an option's value that clears what an earlier deploy set (the stack keeps values otherwise)
DNS_WAIT_SECONDS = 900.0  # a new custom domain: DNS and the regional endpoint's certificate take minutes
STACK_DONE = re.compile(r"_COMPLETE$")
NO_CHANGES = "No updates are to be performed"
POLL_SECONDS = 5.0


class DeployError(RuntimeError):
    """A deploy step failed; the message is the one line ops see."""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


# --- 1. preflight --------------------------------------------------------------------------


def check_names(stage: str, region: str | None, options: argparse.Namespace | None = None) -> None:
    """Stage, region and the options' syntax: what needs no AWS call."""
    if not STAGE_PATTERN.match(stage or ""):
        raise DeployError(f"STAGE must be 1-20 of a-z, 0-9 and '-' (got {stage!r})")
    if not region:
        raise DeployError("REGION is required, e.g. make deploy STAGE=prod REGION=eu-west-1")
    if not REGION_PATTERN.match(region):
        raise DeployError(f"REGION {region!r} is not an AWS region name (e.g. us-east-1)")
    if options is not None:
        check_options(options, region)


def preflight(
    stage: str,
    region: str | None,
    *,
    session_factory: Callable[..., Any] | None = None,
    options: argparse.Namespace | None = None,
) -> Any:
    """Fail at once, in one line, on what would fail later: stage, region, options, credentials."""
    check_names(stage, region, options)
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


# --- options: custom domains and a key replacement ------------------------------------------
# Make variable -> option -> stack parameter. Options not given keep the value the stack has (a
# re-run without DOMAIN= keeps the domain); the value `none` clears one.
DOMAINS = (
    # (option prefix, stack parameters: domain, zone, certificate; the name the certificate covers)
    ("", ("Domain", "DomainHostedZoneId", "DomainCertificateArn"), "{}"),
    ("content_", ("ContentDomain", "ContentHostedZoneId", "ContentCertificateArn"), "*.{}"),
)


def _given(value: str | None) -> bool:
    return value is not None and value != ""


def check_options(options: argparse.Namespace, region: str) -> None:
    """The syntax of the domain, zone, certificate and key options (one line each on failure)."""
    for prefix, _, _ in DOMAINS:
        what = f"{prefix.upper()}DOMAIN"
        domain = str(getattr(options, f"{prefix}domain", None) or "")
        if _given(domain) and domain != CLEAR and not DOMAIN_PATTERN.match(domain.lower()):
            raise DeployError(f"{what}={domain!r} is not a domain name (e.g. share.example.com)")
        zone = str(getattr(options, f"{prefix}hosted_zone_id", None) or "")
        if _given(zone) and not ZONE_PATTERN.match(zone):
            raise DeployError(f"{prefix.upper()}HOSTED_ZONE_ID={zone!r} is not a Route 53 hosted zone id (Z...)")
        certificate = str(getattr(options, f"{prefix}certificate_arn", None) or "")
        if _given(certificate) and certificate != CLEAR:
            match = CERTIFICATE_PATTERN.match(certificate)
            if not match:
                raise DeployError(f"{prefix.upper()}CERTIFICATE_ARN={certificate!r} is not an ACM certificate ARN")
            if match.group(1) != region:
                raise DeployError(
                    f"{prefix.upper()}CERTIFICATE_ARN is in {match.group(1)}: a regional custom domain needs "
                    f"a certificate in {region}"
                )
        if (_given(zone) or _given(certificate)) and not _given(domain):
            raise DeployError(f"{prefix.upper()}HOSTED_ZONE_ID and {prefix.upper()}CERTIFICATE_ARN go with {what}=")
    key = str(getattr(options, "kms_key_arn", None) or "")
    if _given(key) and key != CLEAR and not KEY_PATTERN.match(key):
        raise DeployError(f"KMS_KEY_ARN={key!r} is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)")
    previous = str(getattr(options, "kms_previous_key_arns", None) or "")
    if _given(previous) and previous != CLEAR:
        for arn in previous.split(","):
            if not KEY_PATTERN.match(arn):
                raise DeployError(f"KMS_PREVIOUS_KEY_ARNS: {arn!r} is not a KMS key ARN (comma-separated ARNs)")


def hosted_zone_for(route53: Any, name: str) -> str | None:
    """The public Route 53 zone whose name is the longest suffix of `name` (its id), or None."""
    labels = name.split(".")
    for start in range(len(labels) - 1):
        candidate = ".".join(labels[start:]) + "."
        found = route53.list_hosted_zones_by_name(DNSName=candidate, MaxItems="10").get("HostedZones", [])
        public = [z for z in found if z["Name"] == candidate and not z.get("Config", {}).get("PrivateZone")]
        if len(public) > 1:
            raise DeployError(f"{len(public)} public hosted zones are named {candidate}: pass the one to use")
        if public:
            return str(public[0]["Id"]).rsplit("/", 1)[-1]
    return None


def _check_zone(route53: Any, zone_id: str, name: str, variable: str) -> str:
    zone_id = zone_id.rsplit("/", 1)[-1]
    try:
        zone = route53.get_hosted_zone(Id=zone_id)["HostedZone"]
    except route53.exceptions.NoSuchHostedZone as error:
        raise DeployError(f"{variable}={zone_id}: no such hosted zone in this account") from error
    zone_name = zone["Name"].rstrip(".")
    if not (name == zone_name or name.endswith("." + zone_name)):
        raise DeployError(f"{variable}={zone_id} is the zone {zone_name}, which does not hold {name}")
    return zone_id


def _check_certificate(acm: Any, arn: str, name: str, variable: str) -> None:
    try:
        certificate = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    except acm.exceptions.ResourceNotFoundException as error:
        raise DeployError(f"{variable}: no such certificate in this account and region") from error
    names = {certificate.get("DomainName"), *certificate.get("SubjectAlternativeNames", [])}
    if certificate.get("Status") != "ISSUED":
        raise DeployError(f"{variable} is {certificate.get('Status')}, not ISSUED")
    if name not in names and ("*." + name.split(".", 1)[-1]) not in names:
        raise DeployError(f"{variable} covers {', '.join(sorted(n for n in names if n))}, not {name}")


def _check_key(kms: Any, arn: str, variable: str, account: str, region: str) -> None:
    match = KEY_PATTERN.match(arn)
    if match and (match.group(1), match.group(2)) != (region, account):
        raise DeployError(f"{variable}: {arn} is not in this account ({account}) and region ({region})")
    try:
        key = kms.describe_key(KeyId=arn)["KeyMetadata"]
    except kms.exceptions.NotFoundException as error:
        raise DeployError(f"{variable}: no such key {arn}") from error
    if key.get("KeyState") != "Enabled":
        raise DeployError(f"{variable}: key {arn} is {key.get('KeyState')}; it must stay enabled until re-sealed")
    usage, spec = key.get("KeyUsage") or "ENCRYPT_DECRYPT", key.get("KeySpec") or "SYMMETRIC_DEFAULT"  # (defaults)
    if (usage, spec) != ("ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT"):
        raise DeployError(f"{variable}: key {arn} is not a symmetric ENCRYPT_DECRYPT key")


def option_parameters(session: Any, options: argparse.Namespace, region: str) -> dict[str, str]:
    """Stack parameters for the options given (checked against the account); the others are
    left out, so the stack keeps what an earlier deploy set."""
    parameters: dict[str, str] = {}
    route53 = acm = None
    for prefix, (domain_key, zone_key, certificate_key), pattern in DOMAINS:
        domain = (getattr(options, f"{prefix}domain", None) or "").lower()
        if not domain:
            continue
        if domain == CLEAR:
            parameters.update({domain_key: "", zone_key: "", certificate_key: ""})
            continue
        name = pattern.format(domain)
        variable = f"{prefix.upper()}DOMAIN"
        route53 = route53 or session.client("route53")
        zone = str(getattr(options, f"{prefix}hosted_zone_id", None) or "")
        zone_id = (
            _check_zone(route53, zone, domain, f"{prefix.upper()}HOSTED_ZONE_ID")
            if zone
            else hosted_zone_for(route53, domain)
        )
        certificate = getattr(options, f"{prefix}certificate_arn", None) or ""
        if certificate:
            acm = acm or session.client("acm")
            _check_certificate(acm, certificate, name, f"{prefix.upper()}CERTIFICATE_ARN")
        elif zone_id is None:
            raise DeployError(
                f"{variable}={domain}: no Route 53 hosted zone for it in this account; pass "
                f"{prefix.upper()}HOSTED_ZONE_ID= (the certificate is validated and the record made there) or "
                f"{prefix.upper()}CERTIFICATE_ARN= (an issued certificate for {name}; you point DNS at the stack's "
                f"{'ContentDomainTarget' if prefix else 'DomainTarget'} output)"
            )
        say(
            f"{name}: "
            + (f"hosted zone {zone_id}" if zone_id else "DNS is yours to point")
            + (f", certificate {certificate}" if certificate else ", a new certificate validated by DNS")
        )
        parameters.update({domain_key: domain, zone_key: zone_id or "", certificate_key: certificate})
    account = None
    key = getattr(options, "kms_key_arn", None)
    previous = getattr(options, "kms_previous_key_arns", None)
    if key or previous:
        kms = session.client("kms")
        account = session.client("sts").get_caller_identity()["Account"]
    if key:
        if key != CLEAR:
            _check_key(kms, key, "KMS_KEY_ARN", str(account), region)
        parameters["SealingKeyArn"] = "" if key == CLEAR else key
    if previous:
        if previous != CLEAR:
            for arn in previous.split(","):
                _check_key(kms, arn, "KMS_PREVIOUS_KEY_ARNS", str(account), region)
        parameters["PreviousSealingKeyArns"] = "" if previous == CLEAR else previous
    return parameters


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


def deploy(args: argparse.Namespace, *, connect: Callable[[dict[str, str], dict[str, Any]], str] | None = None) -> int:
    """Every step, in order. `connect` (the rehearsal's) is called once the app is deployed, with
    the stack outputs and Chalice's deployed resources, and returns where the smoke test's
    requests go (each custom domain's then too, with its name as `Host`)."""
    session = preflight(args.stage, args.region, options=args)
    venv = Path(args.deploy_venv)
    python = deploy_python(venv)
    tracing = "Active" if args.tracing else "PassThrough"
    infra_parameters = {"Tracing": tracing, **option_parameters(session, args, args.region)}
    if args.alarm_email is not None:
        infra_parameters["AlarmEmail"] = args.alarm_email
    if args.files_upload_origins is not None:  # the files bucket's CORS rule (docs/files.md)
        infra_parameters["FilesUploadOrigins"] = args.files_upload_origins
    outputs = deploy_stack(session, args.stage, infra_parameters)

    directory_name = Path(args.project_dir) if getattr(args, "project_dir", None) else bundle.project_dir(args.stage)
    say(
        f"building {directory_name.relative_to(ROOT) if directory_name.is_relative_to(ROOT) else directory_name}"
        " (python3.12 bytecode, vendored runtime dependencies)"
    )
    config = bundle.stage_config(
        args.stage, outputs, tracing=args.tracing, reserved_concurrency=not args.no_reserved_concurrency
    )
    directory = bundle.build_project(args.stage, config, python, directory=directory_name, deps_cache=args.deps_cache)
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
    mapped = [name for name in ("PublicUrl", "ContentUrl") if name in outputs]
    say(f"WAF web ACL on {stage_arn}" + (" and the custom domains' base path mappings" if mapped else ""))
    outputs = deploy_stack(session, args.stage, {"Tracing": tracing, "ApiStageArn": stage_arn})

    via = connect(outputs, resources) if connect else None
    url = via or args.smoke_url or rest_api["rest_api_url"]
    say(f"smoke test against {url}")
    for line in smoke.run(url, openapi_required=smoke.app_serves_openapi(directory)):
        print(f"    {line}", flush=True)
    smoke_domains(session, args.stage, outputs, directory, via)
    say(f"stage {args.stage} deployed: {rest_api['rest_api_url']}")
    for name, what in (("PublicUrl", "share URLs"), ("ContentUrl", "origin links' content")):
        if name in outputs:
            say(f"{what}: {outputs[name]}")
    return 0


def smoke_domains(session: Any, stage: str, outputs: dict[str, str], directory: Path, via: str | None) -> None:
    """The smoke test through each custom domain: the share domain answers as the API does (and
    its OpenAPI document names it), a content host answers only its proxied surface. Waits for DNS
    when the stack made the record; says what to point when DNS is the operator's to set."""
    stack = describe_stack(session.client("cloudformation"), stack_name(stage)) or {}
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    checks = (
        ("PublicUrl", "DomainHostedZoneId", "DomainTarget", parameters.get("Domain", "")),
        ("ContentUrl", "ContentHostedZoneId", "ContentDomainTarget", "*." + parameters.get("ContentDomain", "")),
    )
    for output, zone, target, name in checks:
        if output not in outputs:
            continue
        if not via and not parameters.get(zone):
            say(
                f"smoke test of {name} skipped: point its DNS record at {outputs.get(target)} (alias or CNAME), "
                f"then run .venv/bin/python -m scripts.smoke {outputs[output]}"
            )
            continue
        wait = 0.0 if via else DNS_WAIT_SECONDS
        say(f"smoke test against {outputs[output]}" + (f" (through {via})" if via else ", waiting for DNS if need be"))
        if output == "PublicUrl":
            lines = smoke.run(
                outputs[output],
                openapi_required=smoke.app_serves_openapi(directory),
                connect_to=via,
                wait_seconds=wait,
                public_url=outputs[output],
            )
        else:
            lines = smoke.run_content(outputs[output], connect_to=via, wait_seconds=wait)
        for line in lines:
            print(f"    {line}", flush=True)


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


def add_stack_options(parser: argparse.ArgumentParser) -> None:
    """The options `make deploy` passes on (and the rehearsal): custom domains, key replacement, the
    files bucket's upload origins."""
    for prefix, what in (
        ("", "share URLs' domain (share.example.com)"),
        ("content-", "origin links' content domain (content.example.net: *.content.example.net)"),
    ):
        parser.add_argument(f"--{prefix}domain", default=None, help=f"the {what}; `none` removes it")
        parser.add_argument(
            f"--{prefix}hosted-zone-id",
            default=None,
            help="its Route 53 hosted zone (default: the zone found for it in the account)",
        )
        parser.add_argument(
            f"--{prefix}certificate-arn",
            default=None,
            help="an issued ACM certificate for it in the region (default: a new DNS-validated one)",
        )
    parser.add_argument(
        "--kms-key-arn",
        default=None,
        help="key replacement: the key that seals from now on (`none`: the stack's own key)",
    )
    parser.add_argument(
        "--kms-previous-key-arns",
        default=None,
        help="key replacement: comma-separated keys that still open sealed values (`none` when done)",
    )
    parser.add_argument(
        "--files-upload-origins",
        default=None,
        help="comma-separated https origins (consoles) that may PUT uploads into the files bucket (its CORS rule)",
    )


def describe_aws_error(error: Exception, hint: str | None = None) -> str:
    """An AWS (or emulator) refusal as one line: the operation, the code and the message."""
    from botocore.exceptions import ClientError

    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if hint is None:
        hint = (
            f" ({endpoint} is an emulator that lacks this: `make deploy-rehearsal` runs one that works around it)"
            if endpoint
            else ""
        )
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        message = " ".join(str(info.get("Message", "")).split())[:240]
        return f"AWS refused {error.operation_name}: {info.get('Code', 'error')}: {message}{hint}"
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    text = " ".join(first.replace("Further retries may succeed:", "").split()).rstrip(".,: ")
    return f"{endpoint or 'AWS'} answered what botocore cannot read ({type(error).__name__}: {text[:200]}){hint}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("preflight", help="stage, region, options and credentials only")
    check.add_argument("--stage", required=True)
    check.add_argument("--region", default=None)
    add_stack_options(check)
    check.set_defaults(handler=lambda args: preflight(args.stage, args.region, options=args) and 0)
    run = commands.add_parser("deploy", help="every step, in order")
    run.add_argument("--stage", required=True)
    run.add_argument("--region", default=None)
    run.add_argument("--tracing", action="store_true", help="X-Ray active tracing on the functions and the API")
    run.add_argument("--alarm-email", default=None, help="subscribe this address to the alarm topic")
    run.add_argument(
        "--no-reserved-concurrency",
        action="store_true",
        help="for accounts whose concurrency quota cannot spare reservations (new accounts)",
    )
    run.add_argument("--smoke-url", help="run the smoke test against this URL instead of the deployed one")
    run.add_argument("--project-dir", default=None, help="where the stage's Chalice project is built")
    add_stack_options(run)
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
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    try:
        return int(args.handler(args))
    except (DeployError, bundle.BundleError, smoke.SmokeFailed) as error:
        print(f"deploy: {error}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError, ResponseParserError) as error:
        print(f"deploy: {describe_aws_error(error)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
