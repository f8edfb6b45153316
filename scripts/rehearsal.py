"""`make deploy-rehearsal [STAGE=rehearsal] [REGION=us-east-1] [DOMAIN=...] [CONTENT_DOMAIN=...]`:
`make deploy` from start to finish against the deploy emulator, on this machine; nothing reaches AWS.

1. starts the emulator (moto in server mode with devstack/emulator.py: what moto lacks, worked
   around there only) and points every AWS client of this process and its children at it, with
   stand-in credentials (AWS_ENDPOINT_URL; your AWS configuration and credentials are not read);
2. with DOMAIN / CONTENT_DOMAIN, creates a Route 53 hosted zone for each in the emulator (your
   account's zone, in a rehearsal);
3. runs the deploy exactly as `make deploy` does (scripts/deploy.py: preflight, the infra stack,
   `chalice deploy` of the build in build/rehearsal/<stage>/, the post-deploy settings, the WAF and
   base path mapping stack update), then the smoke test. moto runs no Lambda behind API Gateway, so
   the smoke test's requests go to `chalice local` serving this code with the deployed API
   function's own environment (read back from the emulator), against the emulated stack; a custom
   domain's requests go there too, with the domain as `Host`;
4. prints what was created (the stack's resources, what the emulator skipped, the functions, the
   API, custom domains, certificates and DNS records), and stops everything it started.

Any failure is one line (an emulator answer botocore cannot read included) and exit status 2.
The emulator's and the app server's logs are in build/rehearsal/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

from devstack import emulator
from devstack.moto_server import free_port, stop_process, wait_for_port
from scripts import bundle, deploy, smoke

ROOT = bundle.ROOT
WORK = ROOT / "build" / "rehearsal"
ACCESS_KEY = "rehearsal"  # stand-in credentials: the emulator accepts any


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def isolate(endpoint: str, region: str) -> dict[str, str]:
    """Point this process (and the chalice it runs) at the emulator, away from any real account."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.startswith("KEYHOLE_"):
            del os.environ[name]  # profiles, tokens, web identities, per-service endpoints: none may reach AWS
    aws = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }
    os.environ.update(aws)
    return aws


def zone_name(domain: str) -> str:
    """The zone a rehearsal creates for a domain: its last two labels (`example.com.`)."""
    return ".".join(domain.lower().split(".")[-2:]) + "."


def create_zones(session: Any, domains: list[str]) -> None:
    route53 = session.client("route53")
    for name in sorted({zone_name(d) for d in domains}):
        zone = route53.create_hosted_zone(Name=name, CallerReference=f"keyhole-rehearsal-{name}")["HostedZone"]
        say(f"hosted zone {name} ({zone['Id'].rsplit('/', 1)[-1]}) in the emulator, standing in for your account's")


class AppServer:
    """`chalice local` serving this code with the deployed API function's environment."""

    def __init__(self, session: Any, endpoint: str, stage: str, log: Path) -> None:
        self.session, self.endpoint, self.stage, self.log = session, endpoint, stage, log
        self.process: subprocess.Popen[bytes] | None = None

    def __call__(self, outputs: dict[str, str], resources: dict[str, Any]) -> str:
        function = resources["api_handler"]["lambda_arn"]
        configuration = self.session.client("lambda").get_function_configuration(FunctionName=function)
        variables = configuration.get("Environment", {}).get("Variables", {})
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", ""),
            **variables,
            "KEYHOLE_AWS_ENDPOINT": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
            "AWS_DEFAULT_REGION": os.environ["AWS_REGION"],
            "AWS_REGION": os.environ["AWS_REGION"],
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "PYTHONUNBUFFERED": "1",
        }
        port = free_port()
        command = [sys.executable, "-m", "devstack.serve", "--port", str(port), "--stage", self.stage]
        self.process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT
        )
        wait_for_port(port, process=self.process)
        say(
            f"the API function's code and its {len(variables)} environment variables, served by chalice local on "
            f"127.0.0.1:{port} (moto runs no Lambda behind API Gateway)"
        )
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


# --- what was created ----------------------------------------------------------------------


def _condition(name: str, conditions: dict[str, Any], parameters: dict[str, str]) -> bool:
    def value(node: Any) -> Any:
        if isinstance(node, dict) and "Ref" in node:
            return parameters.get(node["Ref"], "")
        if isinstance(node, dict) and "Condition" in node:
            return _condition(node["Condition"], conditions, parameters)
        if isinstance(node, dict):
            ((function, arguments),) = node.items()
            if function == "Fn::Equals":
                return value(arguments[0]) == value(arguments[1])
            if function == "Fn::Not":
                return not value(arguments[0])
            if function == "Fn::And":
                return all(value(a) for a in arguments)
            if function == "Fn::Or":
                return any(value(a) for a in arguments)
        return node

    return bool(value(conditions[name]))


def report(session: Any, stage: str) -> list[str]:
    """What the deploy created in the emulator, one line each."""
    cfn = session.client("cloudformation")
    name = deploy.stack_name(stage)
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    template = json.loads(deploy.TEMPLATE.read_text())
    conditions = template.get("Conditions", {})
    active = {
        logical_id: resource["Type"]
        for logical_id, resource in template["Resources"].items()
        if not resource.get("Condition") or _condition(resource["Condition"], conditions, parameters)
    }
    modelled = emulator.modelled_types()
    lines = [f"stack {name}: {stack['StackStatus']}, {sum(t in modelled for t in active.values())} resources"]
    by_type: dict[str, list[str]] = {}
    for logical_id, kind in active.items():
        if kind in modelled:
            by_type.setdefault(kind, []).append(logical_id)
    lines += [f"  {kind}: {', '.join(ids)}" for kind, ids in sorted(by_type.items())]
    skipped = sorted({kind for kind in active.values() if kind not in modelled})
    if skipped:
        count = sum(kind in skipped for kind in active.values())
        lines.append(
            f"  not made by the emulator (moto has no model; checked on the template by tests/deploy): "
            f"{count} resources of {', '.join(skipped)}"
        )
    lambda_client = session.client("lambda")
    for function in lambda_client.list_functions()["Functions"]:
        if function["FunctionName"].startswith(f"keyhole-{stage}"):
            lines.append(
                f"function {function['FunctionName']}: {function['Runtime']}, role "
                f"{function['Role'].rsplit('/', 1)[-1]}, {len(function.get('Environment', {}).get('Variables', {}))}"
                " environment variables"
            )
    apigateway = session.client("apigateway")
    for api in apigateway.get_rest_apis()["items"]:
        stages = [s["stageName"] for s in apigateway.get_stages(restApiId=api["id"])["item"]]
        lines.append(
            f"REST API {api['id']} {api['name']}: stages {', '.join(stages)}, binary media "
            f"{', '.join(api.get('binaryMediaTypes') or []) or 'none'}"
        )
    acm = session.client("acm")
    for summary in acm.list_certificates()["CertificateSummaryList"]:
        certificate = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
        lines.append(f"certificate {certificate['DomainName']}: {certificate['Status']} (DNS validation)")
    for domain in apigateway.get_domain_names().get("items", []):
        mappings = apigateway.get_base_path_mappings(domainName=domain["domainName"]).get("items", [])
        mapped = ", ".join(f"{m['restApiId']}/{m.get('stage', '')}" for m in mappings) or "not mapped"
        lines.append(
            f"custom domain {domain['domainName']}: regional {domain['regionalDomainName']}, "
            f"{domain.get('securityPolicy', '')}, mapped to {mapped}"
        )
    route53 = session.client("route53")
    for zone in route53.list_hosted_zones()["HostedZones"]:
        for record in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]:
            if record["Type"] in ("A", "CNAME"):
                target = record.get("AliasTarget", {}).get("DNSName") or record["ResourceRecords"][0]["Value"]
                lines.append(
                    f"DNS {record['Name']} {record['Type']}{' alias' if 'AliasTarget' in record else ''} -> {target}"
                )
    state = deploy.state_parameter(stage)
    session.client("ssm").get_parameter(Name=state)
    lines.append(f"SSM parameter {state} (Chalice's deployed state)")
    return lines


# --- the rehearsal -------------------------------------------------------------------------


def rehearse(args: argparse.Namespace) -> int:
    deploy.check_names(args.stage, args.region, args)
    if args.kms_key_arn or args.kms_previous_key_arns:
        raise deploy.DeployError(
            "KMS_KEY_ARN and KMS_PREVIOUS_KEY_ARNS name keys of your account, which a "
            "rehearsal's empty emulator does not hold (tests/deploy/ rehearses a key replacement)"
        )
    WORK.mkdir(parents=True, exist_ok=True)
    project = WORK / args.stage
    shutil.rmtree(project / ".chalice" / "deployed", ignore_errors=True)  # state of an emulator now gone
    port = args.emulator_port or free_port()
    endpoint = f"http://127.0.0.1:{port}"
    say(
        f"starting the deploy emulator on {endpoint} (moto with devstack/emulator.py; log build/rehearsal/emulator.log)"
    )
    process = emulator.start(port, log=(WORK / "emulator.log").open("wb"))
    server: AppServer | None = None
    try:
        wait_for_port(port, process=process)
        isolate(endpoint, args.region)
        import boto3

        session = boto3.Session(region_name=args.region)
        domains = [d for d in (args.domain, args.content_domain) if d and d != deploy.CLEAR]
        if domains:
            create_zones(session, domains)
        server = AppServer(session, endpoint, args.stage, WORK / "serve.log")
        options = argparse.Namespace(**vars(args), smoke_url=None, project_dir=str(project))
        deploy.deploy(options, connect=server)
        say("created in the emulator:")
        for line in report(session, args.stage):
            print(f"    {line}", flush=True)
        say(f"rehearsal of stage {args.stage} passed; the emulator is stopped and everything in it is gone")
        return 0
    finally:
        if server is not None:
            server.stop()
        stop_process(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="rehearsal")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--tracing", action="store_true")
    parser.add_argument("--alarm-email", default=None)
    parser.add_argument("--no-reserved-concurrency", action="store_true")
    parser.add_argument("--deploy-venv", default=str(deploy.DEFAULT_DEPLOY_VENV))
    parser.add_argument("--deps-cache", default=None)
    parser.add_argument("--emulator-port", type=int, default=0, help="default: a free port")
    deploy.add_stack_options(parser)
    args = parser.parse_args(argv)
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    try:
        return rehearse(args)
    except (deploy.DeployError, bundle.BundleError, smoke.SmokeFailed) as error:
        print(f"rehearsal: {error}", file=sys.stderr)
    except (ClientError, BotoCoreError, ResponseParserError) as error:
        hint = " (the emulator's answer; its log is build/rehearsal/emulator.log)"
        print(f"rehearsal: {deploy.describe_aws_error(error, hint)}", file=sys.stderr)
    except RuntimeError as error:  # a server that did not start (its log is in build/rehearsal/)
        print(f"rehearsal: {error} (see build/rehearsal/*.log)", file=sys.stderr)
    except KeyboardInterrupt:
        print("rehearsal: interrupted; the emulator is stopped", file=sys.stderr)
    except Exception as error:  # an emulator answer nobody expected: one line, the traceback in a file
        WORK.mkdir(parents=True, exist_ok=True)
        (WORK / "error.log").write_text(traceback.format_exc())
        print(
            f"rehearsal: unexpected {type(error).__name__}: {' '.join(str(error).split())[:200]} "
            "(traceback in build/rehearsal/error.log)",
            file=sys.stderr,
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())
