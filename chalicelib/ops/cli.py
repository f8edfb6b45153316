"""The ops command-line tool: tenants, plans, keys, usage, and the incident-response and data tools.

It is configured like the Lambda: by KEYHOLE_* environment variables. `--stage NAME` fills in the
ones the stage's infra stack (`keyhole-NAME`, in AWS_REGION) gives its functions, for any stage
`make deploy` created; a stage with no stack falls back to its section of `.chalice/config.json`.
Explicit environment variables still win. `--local` points at the stack `make run` started (it
reads `.keyhole/local.json`). AWS credentials and region come from the usual AWS environment
(AWS_PROFILE, AWS_REGION, ...).

Output is JSON on stdout (`--table` for a table); progress and errors go to stderr, one line each.
Exit status: 0 done, 1 the operation failed, 2 bad usage or configuration, 3 something needs
attention (drift found and not repaired, queue messages left).

    python -m chalicelib.ops.cli --local tenant create --name "Acme" --plan team
    python -m chalicelib.ops.cli --stage prod tenant list --table
    python -m chalicelib.ops.cli --stage prod tenant suspend ten_0123456789abcdef --reason "abuse report 42"
    python -m chalicelib.ops.cli --stage prod links revoke --tenant ten_0123456789abcdef --created-by key_0123
    python -m chalicelib.ops.cli --stage prod stream replay
    python -m chalicelib.ops.cli --stage prod views recount --tenant ten_0123456789abcdef --repair
    python -m chalicelib.ops.cli --stage prod kms reseal --from arn:aws:kms:...:key/OLD
    python -m chalicelib.ops.cli --stage prod platform-key create --name "Acme backend" --namespace acme
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from chalicelib.runtime.config import MissingSettings, Settings
from chalicelib.service import Keyhole

PROJECT_DIR = Path(__file__).resolve().parents[2]  # chalicelib/ops/cli.py -> the project
EXIT_FAILED, EXIT_USAGE, EXIT_ATTENTION = 1, 2, 3


class UsageError(Exception):
    """Bad arguments or configuration: printed as one line, exit status 2."""


def stage_environment(stage: str, project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """Environment variables a Chalice stage gives its Lambda (global ones, then the stage's)."""
    config_file = project_dir / ".chalice" / "config.json"
    try:
        config = json.loads(config_file.read_text())
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {config_file}: {error}") from error
    if stage not in config.get("stages", {}):
        known = ", ".join(sorted(config.get("stages", {}))) or "none"
        raise UsageError(f"no stage {stage!r} in .chalice/config.json (stages: {known})")
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def deployed_stage_environment(stage: str, project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """`--stage NAME`: the settings the stage's infra stack gives its functions (its outputs, as
    `make deploy` applies them), else the stage's section of `.chalice/config.json`."""
    import boto3
    from botocore.exceptions import ClientError

    from chalicelib.ops import stage as deployed

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    endpoint = os.environ.get("KEYHOLE_AWS_ENDPOINT") or None
    cloudformation = boto3.client("cloudformation", region_name=region, endpoint_url=endpoint)
    try:
        outputs = deployed.stack_outputs(stage, cloudformation)
    except ClientError as error:
        denied = error.response.get("Error", {}).get("Code") in ("AccessDenied", "AccessDeniedException")
        if not (denied and _configured_stage(stage, project_dir)):
            raise
        print(
            f"warning: cannot read stack {deployed.stack_name(stage)} ({error}); using .chalice/config.json",
            file=sys.stderr,
        )
        outputs = None
    if outputs is not None:
        try:
            return deployed.environment(stage, outputs)
        except KeyError as error:
            raise UsageError(f"{error.args[0]}: run `make deploy STAGE={stage}` to finish the stage") from error
    if _configured_stage(stage, project_dir):
        return stage_environment(stage, project_dir)
    raise UsageError(
        f"no stack {deployed.stack_name(stage)} in {region} and no stage {stage!r} in .chalice/config.json: "
        f"deploy it with `make deploy STAGE={stage} REGION=...`, or set AWS_REGION to the stage's region"
    )


def _configured_stage(stage: str, project_dir: Path) -> bool:
    try:
        return stage in json.loads((project_dir / ".chalice" / "config.json").read_text()).get("stages", {})
    except (OSError, ValueError):
        return False


def local_environment(project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    state_file = project_dir / ".keyhole" / "local.json"
    if not state_file.exists():
        raise UsageError("no local stack found (.keyhole/local.json): start one with `make run` first")
    state = json.loads(state_file.read_text())
    env = stage_environment("local", project_dir)
    env.update(
        {
            "KEYHOLE_AWS_ENDPOINT": state["aws_endpoint"],
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": state.get("region", "us-east-1"),
            "KEYHOLE_STREAM_ARN": state.get("stream_arn", ""),
        }
    )
    return env


def build_service(args: argparse.Namespace) -> Keyhole:
    if args.local:
        env = local_environment()
        # botocore reads credentials and region from the process environment.
        os.environ.update({k: v for k, v in env.items() if k.startswith("AWS_")})
    else:
        env = deployed_stage_environment(args.stage) if args.stage else {}
        env.update({k: v for k, v in os.environ.items() if k.startswith(("KEYHOLE_", "AWS_"))})
    return Keyhole(Settings.from_env(env))


# --- output --------------------------------------------------------------------------------


class Output:
    """One output format for every command: JSON (default) or a plain-text table (`--table`)."""

    def __init__(self, table: bool, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.table = table
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def emit(self, data: Any, columns: list[str] | None = None) -> None:
        if self.table and isinstance(data, dict) and columns is None:  # one object: a field/value table
            self.out.write(render_table([{"field": key, "value": _cell(value)} for key, value in data.items()]))
            return
        if self.table and isinstance(data, (list, dict)):
            rows = data if isinstance(data, list) else [data]
            if not rows:
                self.out.write("(none)\n")
                return
            if all(isinstance(row, dict) for row in rows):
                self.out.write(render_table(rows, columns))
                return
        self.out.write(json.dumps(data, indent=2, default=str) + "\n")

    def progress(self, line: str) -> None:
        print(line, file=self.err, flush=True)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), default=str)
    return str(value)


def _flatten(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict) and value and len(value) <= 4:
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def render_table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    """Rows as aligned columns (nested objects of up to four fields become dotted columns)."""
    flat = [_flatten(row) for row in rows]
    if columns is None:
        columns = []
        for row in flat:
            columns += [name for name in row if name not in columns]
    cells = [[_cell(row.get(name)) for name in columns] for row in flat]
    widths = [max([len(name), *(len(line[i]) for line in cells)]) for i, name in enumerate(columns)]
    lines = ["  ".join(name.upper().ljust(widths[i]) for i, name in enumerate(columns)).rstrip()]
    lines += ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip() for line in cells]
    return "\n".join(lines) + "\n"


# --- errors as one line --------------------------------------------------------------------


def _causes(error: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [getattr(current, "cause", None), current.__cause__, current.__context__]


def describe_failure(error: BaseException, settings: Settings | None) -> tuple[int, str] | None:
    """A known failure as (exit status, one line naming what is wrong and how to fix it)."""
    from botocore.exceptions import (
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    from chalicelib.ops.exceptions import OpsError
    from chalicelib.runtime.errors import KeyholeError
    from chalicelib.sealing import SealingError

    region = settings.region if settings else "the configured region"
    for cause in _causes(error):
        if isinstance(cause, (NoCredentialsError, PartialCredentialsError)):
            return EXIT_USAGE, (
                "no AWS credentials found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
                "or run where a role provides them; --local needs none"
            )
        if isinstance(cause, NoRegionError):
            return EXIT_USAGE, "no AWS region configured: set AWS_REGION (for example AWS_REGION=us-east-1)"
        if isinstance(cause, (EndpointConnectionError, ConnectTimeoutError)):
            where = settings.aws_endpoint if settings and settings.aws_endpoint else f"AWS in {region}"
            hint = " (is `make run` still running?)" if settings and settings.aws_endpoint else ""
            return EXIT_FAILED, f"cannot reach {where}{hint}: {cause}"
        if isinstance(cause, ClientError):
            code = cause.response.get("Error", {}).get("Code", "")
            operation = getattr(cause, "operation_name", "the request")
            if code in (
                "UnrecognizedClientException",
                "InvalidClientTokenId",
                "ExpiredToken",
                "ExpiredTokenException",
                "InvalidSignatureException",
                "SignatureDoesNotMatch",
            ):
                return EXIT_USAGE, f"AWS rejected the credentials ({code}): refresh them (e.g. `aws sso login`)"
            if code in ("AccessDenied", "AccessDeniedException"):
                return EXIT_FAILED, (
                    f"AWS denied {operation} ({code}): these credentials lack a permission the ops tools need "
                    "(docs/operations.md lists them)"
                )
            if code in ("ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"):
                table = settings.table_name if settings else "the table"
                return EXIT_USAGE, (
                    f"{operation}: not found in {region} ({code}): check --stage, AWS_REGION and that the "
                    f"infra stack for {table} is deployed"
                )
    for cause in _causes(error):  # no AWS-level cause: Keyhole's own message says what went wrong
        if isinstance(cause, KeyholeError):
            return EXIT_FAILED, cause.message
        if isinstance(cause, (OpsError, SealingError, ValueError)):
            return EXIT_FAILED, str(cause)
    return None


# --- commands ------------------------------------------------------------------------------


def _parse_limits(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"expected limit=value, got {pair!r}")
        name, value = pair.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def tenant_json(tenant: Any, svc: Keyhole) -> dict[str, Any]:
    """The tenant as the admin API shows it, plus what only ops see (suspension)."""
    return tenants_json([tenant], svc)[0]


def tenants_json(records: list[Any], svc: Keyhole) -> list[dict[str, Any]]:
    """Tenants as the admin API shows them, their `embed_origins` (an item of their own) read in
    one BatchGetItem, plus what only ops see (suspension)."""
    from chalicelib.tenancy import embedding, tenants

    stored = svc.store.batch_get([embedding.item_key(t.tenant_id) for t in records])
    return [
        {
            **tenants.to_json(tenant, embedding.origins_of(item)),
            "suspended": bool(tenant.suspended),
            "suspended_at": tenant.suspended_at,
        }
        for tenant, item in zip(records, stored, strict=True)
    ]


def build_parser() -> argparse.ArgumentParser:
    from chalicelib.tenancy import apikeys

    parser = argparse.ArgumentParser(
        prog="keyhole-ops", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--stage", help="take KEYHOLE_* settings from this stage's infra stack or .chalice/config.json (env vars win)"
    )
    where.add_argument("--local", action="store_true", help="use the stack started by `make run`")
    parser.add_argument("--table", action="store_true", help="print a table instead of JSON")
    parser.add_argument("-v", "--verbose", action="store_true", help="also print warnings logged on the way")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--table", action="store_true", default=argparse.SUPPRESS, help="print a table, not JSON")
    sub = parser.add_subparsers(dest="area", required=True)

    def area(name: str, help_text: str) -> Any:
        return sub.add_parser(name, help=help_text).add_subparsers(dest="action", required=True)

    def command(group: Any, name: str, help_text: str) -> argparse.ArgumentParser:
        made: argparse.ArgumentParser = group.add_parser(name, help=help_text, parents=[common])
        return made

    tenant = area("tenant", "tenants")
    create = command(tenant, "create", "create a tenant and print its first admin key (shown once)")
    create.add_argument("--name", required=True)
    create.add_argument("--plan", default="free")
    create.add_argument("--override", action="append", default=[], metavar="LIMIT=VALUE")
    command(tenant, "list", "list tenants")
    command(tenant, "show", "one tenant with limits and usage").add_argument("tenant_id")
    set_plan = command(tenant, "set-plan", "move a tenant to another plan")
    set_plan.add_argument("tenant_id")
    set_plan.add_argument("plan")
    override = command(tenant, "override", "override one limit for one tenant")
    override.add_argument("tenant_id")
    override.add_argument("limit")
    override.add_argument("value", nargs="?", help="a whole number or 'unlimited'")
    override.add_argument("--clear", action="store_true", help="drop the override (back to the plan's value)")
    for name, text in (
        ("suspend", "suspend a tenant at once: its keys answer 401 and its links 404; nothing is deleted"),
        ("resume", "lift a suspension: keys and links work again as they were"),
    ):
        action = command(tenant, name, text)
        action.add_argument("tenant_id")
        action.add_argument("--reason", help="recorded in the tenant's audit log")

    plan = area("plan", "plans")
    command(plan, "list", "built-in and stored plans")
    put = command(plan, "put", "create or change a plan (tenants on it are updated)")
    put.add_argument("name")
    put.add_argument("limits", nargs="*", metavar="LIMIT=VALUE")

    usage = area("usage", "slot counters")
    recount = command(usage, "recount", "recount usage from the link records; report (or --repair) drift")
    recount.add_argument("--tenant", action="append", help="only these tenants (default: all)")
    recount.add_argument("--repair", action="store_true", help="set drifted counters to the recounted values")
    sweep = command(usage, "sweep", "free the slots of expired links now (the scheduled sweep)")
    sweep.add_argument("--tenant", action="append", help="only these tenants (default: all)")

    key = area("key", "API keys")
    key_create = command(key, "create", "mint a key for a tenant (e.g. a lost admin key); printed once")
    key_create.add_argument("tenant_id")
    key_create.add_argument("--name", default="ops-issued key")
    key_create.add_argument("--role", default="admin", choices=sorted(apikeys.ROLES))
    command(key, "list", "a tenant's API keys (never the keys themselves)").add_argument("tenant_id")
    key_revoke = command(key, "revoke", "revoke a key at once (a leaked key; even the last admin key)")
    key_revoke.add_argument("tenant_id")
    key_revoke.add_argument("key_id")

    link = area("links", "links in bulk")
    revoke = command(link, "revoke", "revoke active links in bulk: a resource's, a tenant's, or one key's")
    revoke.add_argument("--tenant", required=True, help="the tenant whose links to revoke")
    revoke.add_argument("--resource", help="only this resource's links")
    revoke.add_argument("--created-by", metavar="KEY_ID", help="only links this API key created")
    revoke.add_argument("--link", action="append", metavar="LINK_ID", help="only these links (repeatable)")
    revoke.add_argument("--reason", default="incident response", help="recorded in each link's audit event")
    revoke.add_argument("--dry-run", action="store_true", help="list what would be revoked, change nothing")

    views = area("views", "view counters")
    views_recount = command(views, "recount", "recount view_count from access events; --repair adds missing views")
    views_recount.add_argument("--tenant", action="append", help="only these tenants (default: all)")
    views_recount.add_argument("--resource", help="only this resource's links (with one --tenant)")
    views_recount.add_argument("--link", action="append", help="only these links")
    views_recount.add_argument("--repair", action="store_true", help="count the views the consumer never counted")
    views_recount.add_argument(
        "--settle-seconds", type=int, default=60, help="leave events younger than this to the consumer (default 60)"
    )
    views_recount.add_argument("--all", action="store_true", help="list every link, not only drifted ones")

    stream = area("stream", "the table stream")
    replay = command(stream, "replay", "replay the records named in the stream-failure queue through the consumer")
    replay.add_argument("--queue", help="queue name or URL (default: <table>-stream-failures)")
    replay.add_argument("--max-messages", type=int, default=100)
    replay.add_argument("--dry-run", action="store_true", help="read the records back, replay nothing")
    replay.add_argument(
        "--drop-expired", action="store_true", help="delete messages whose records the stream no longer holds"
    )

    platform = area("platform-key", "platform keys: a product's backend managing its own tenants (docs/platform.md)")
    platform_create = command(platform, "create", "mint a platform key for a namespace (made if new); printed once")
    platform_create.add_argument("--name", required=True, help="who holds it, e.g. the product's backend")
    platform_create.add_argument("--namespace", required=True, help="the product's namespace of tenants")
    command(platform, "list", "platform keys (never the keys themselves)").add_argument(
        "--namespace", help="only this namespace's keys"
    )
    platform_revoke = command(platform, "revoke", "revoke a platform key at once (its tenants stay)")
    platform_revoke.add_argument("key_id")
    platform_revoke.add_argument("--reason", help="recorded in the namespace's audit trail")
    command(platform, "audit", "a namespace's own audit trail (keys, tenants, plans), newest first").add_argument(
        "--namespace", required=True
    )

    kms = area("kms", "the sealing key")
    reseal = command(kms, "reseal", "re-seal every sealed token and webhook secret under KEYHOLE_KMS_KEY_ID")
    reseal.add_argument("--from", dest="source", required=True, metavar="OLD_KEY", help="the key to move away from")
    reseal.add_argument("--tenant", action="append", help="only these tenants (default: all)")
    reseal.add_argument(
        "--state-file", type=Path, help="where finished tenants are recorded (default .keyhole/reseal-<table>.json)"
    )
    reseal.add_argument("--dry-run", action="store_true", help="count what would be re-sealed, write nothing")

    files = area("files", "the files worker's jobs (docs/files.md)")
    command(files, "failed-jobs", "files jobs that failed every retry, newest first, with their last error")
    command(files, "retry-job", "put a failed files job back in the queue").add_argument("job_id")
    command(files, "drain", "run the files jobs that are due now (what the files_worker function does)")
    return parser


def _quiet_logs(verbose: bool) -> None:
    """The CLI speaks in its own one-line errors; library warnings (a retried request, an outage
    already reported as the error) only with --verbose. Secrets are masked either way."""
    from chalicelib.runtime.logs import ScrubSecretsFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubSecretsFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.WARNING if verbose else logging.CRITICAL)


def main(
    argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None, standalone: bool = False
) -> int:
    """Run one command. `standalone` (the console entry point) also sets up the process's logging."""
    args = build_parser().parse_args(argv)
    output = Output(bool(args.table), out, err)
    if standalone:
        _quiet_logs(args.verbose)
    settings: Settings | None = None
    try:
        svc = build_service(args)
        settings = svc.settings
        return run(args, svc, output)
    except UsageError as error:
        output.progress(f"error: {error}")
        return EXIT_USAGE
    except MissingSettings as error:
        output.progress(
            f"error: {', '.join(error.missing)} not set: pass --stage NAME (reads the stage's stack), "
            "--local (the stack `make run` started), or export them"
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        output.progress("interrupted")
        return EXIT_FAILED
    except Exception as error:
        known = describe_failure(error, settings)
        if known is None:
            raise
        output.progress(f"error: {known[1]}")
        return known[0]


def run(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    handler = COMMANDS[(args.area, args.action)]
    return handler(args, svc, output) or 0


def _tenant_create(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.tenancy import tenants

    record, admin_key = tenants.create_tenant(
        svc, name=args.name, plan=args.plan, overrides=_parse_limits(args.override)
    )
    output.emit(
        {
            "tenant": tenant_json(record, svc),
            "admin_key": admin_key,
            "note": "the admin key is shown once; store it now",
        }
    )
    return 0


def _tenant_list(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.storage.models import Tenant

    rows: list[dict[str, Any]] = []
    keys: list[tuple[str, str]] = []
    for key in [*Tenant.by_created.query("TENANTS"), None]:  # None: flush the last chunk
        if key is not None:
            keys.append((key.pk, key.sk))
        if keys and (key is None or len(keys) == 100):
            found = svc.store.batch_get([(Tenant, k) for k in keys])
            rows += tenants_json([t for t in found if isinstance(t, Tenant)], svc)
            keys = []
    output.emit(
        rows,
        columns=["id", "plan", "usage.active_links", "usage.shared_resources", "suspended", "created_at", "name"],
    )
    return 0


def _tenant_show(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.tenancy import tenants

    output.emit(tenant_json(tenants.get_tenant(svc, args.tenant_id), svc))
    return 0


def _tenant_set_plan(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.tenancy import tenants

    output.emit(tenant_json(tenants.set_plan(svc, args.tenant_id, args.plan), svc))
    return 0


def _tenant_override(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.tenancy import tenants

    if not args.clear and args.value is None:
        raise UsageError("give a value (a number or 'unlimited'), or --clear")
    output.emit(tenant_json(tenants.set_override(svc, args.tenant_id, args.limit, args.value, clear=args.clear), svc))
    return 0


def _tenant_suspension(suspended: bool) -> Callable[[argparse.Namespace, Keyhole, Output], int]:
    def handler(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
        from chalicelib.tenancy import tenants

        record, changed = tenants.set_suspended(svc, args.tenant_id, suspended, reason=args.reason)
        output.emit({**tenant_json(record, svc), "changed": changed})
        if not changed:
            output.progress(f"{args.tenant_id} was already {'suspended' if suspended else 'active'}; nothing changed")
        return 0

    return handler


def _plan_list(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.tenancy import tenants

    plans = tenants.list_plans(svc)
    output.emit([{"plan": name, **limits} for name, limits in plans.items()] if output.table else plans)
    return 0


def _plan_put(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.tenancy import tenants

    limits, refreshed = tenants.put_plan(svc, args.name, _parse_limits(args.limits))
    output.emit({"plan": args.name, "limits": limits, "tenants_updated": refreshed})
    return 0


def _usage_recount(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.links import limits
    from chalicelib.tenancy import tenants

    reports = [
        limits.recount(svc, tenant_id, repair=args.repair)
        for tenant_id in (args.tenant or tenants.list_tenant_ids(svc))
    ]
    output.emit([r.to_json() for r in reports])
    drifted = [r for r in reports if r.drifted and not r.repaired]
    output.progress(
        f"{len(reports)} tenant(s) checked, {sum(r.drifted for r in reports)} with drift"
        f"{', repaired' if args.repair else ''}"
    )
    return EXIT_ATTENTION if drifted else 0


def _existing_tenants(svc: Keyhole, tenant_ids: list[str] | None) -> list[str] | None:
    """The `--tenant` ids given, each checked: an unknown tenant is an error, never "0 checked"."""
    from chalicelib.ops.exceptions import OpsError
    from chalicelib.storage.models import Tenant

    for tenant_id in tenant_ids or []:
        if svc.store.get(Tenant, Tenant.key(tenant_id)) is None:
            raise OpsError(f"no tenant {tenant_id}")
    return tenant_ids


def _usage_sweep(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.links import limits

    _existing_tenants(svc, args.tenant)
    output.emit({"slots_freed": limits.sweep_expired_slots(svc, args.tenant)})
    return 0


def _key_create(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.tenancy import apikeys, audit, tenants

    record = tenants.get_tenant(svc, args.tenant_id)
    new_key, item = apikeys.new_key_item(
        record.tenant_id, name=args.name, role=args.role, created_by="ops", now=svc.clock.now()
    )
    item.save()
    audit.new_event(
        record.tenant_id,
        actor=tenants.OPS_ACTOR,
        action="api_key.created",
        at=svc.clock.now(),
        target_type="api_key",
        target_id=item.key_id,
        details={"name": args.name, "role": args.role},
    ).save()
    output.emit({**apikeys.to_json(item), "key": new_key.value, "note": "shown once; store it now"})
    return 0


def _key_list(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.storage.models import ApiKeyItem
    from chalicelib.tenancy import apikeys, tenants

    tenant = tenants.get_tenant(svc, args.tenant_id)
    keys = ApiKeyItem.query(f"TENANT#{tenant.tenant_id}", ApiKeyItem.sk.startswith("KEY#"), consistent_read=True)
    output.emit([apikeys.to_json(item) for item in keys])
    return 0


def _key_revoke(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    import uuid

    from chalicelib.service import RequestInfo
    from chalicelib.tenancy import apikeys, tenants

    principal = apikeys.ops_principal(tenants.get_tenant(svc, args.tenant_id))
    removed = apikeys.delete_key(
        svc, principal, args.key_id, RequestInfo(request_id=f"ops-{uuid.uuid4().hex}"), allow_last_admin=True
    )
    output.emit({**apikeys.to_json(removed), "revoked": True})
    if removed.role == "admin":
        output.progress(
            "revoked an admin key; if the tenant has no other admin key, mint one with `key create --role admin`"
        )
    return 0


def _links_revoke(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.ops import revocation

    rows = []
    for n, result in enumerate(
        revocation.revoke_links(
            svc,
            args.tenant,
            resource_id=args.resource,
            created_by=args.created_by,
            link_ids=args.link,
            reason=args.reason,
            dry_run=args.dry_run,
        ),
        start=1,
    ):
        rows.append(result.to_json())
        if n % 100 == 0:
            output.progress(f"{n} link(s) {'found' if args.dry_run else 'revoked'} so far")
    output.emit(rows, columns=["link_id", "resource_id", "created_by", "token_preview", "status"])
    revoked = sum(1 for row in rows if row["status"] == "revoked")
    output.progress(
        f"{len(rows)} active link(s) would be revoked (dry run)"
        if args.dry_run
        else f"{revoked} link(s) revoked, {len(rows) - revoked} already revoked"
    )
    return 0


def _views_recount(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.ops import viewcounts

    if args.resource and len(args.tenant or []) != 1:
        raise UsageError("--resource needs exactly one --tenant")
    _existing_tenants(svc, args.tenant)
    checked = drifted = repaired = 0
    rows = []
    for result in viewcounts.recount(
        svc,
        tenant_ids=args.tenant,
        resource_id=args.resource,
        link_ids=args.link,
        repair=args.repair,
        settle_seconds=args.settle_seconds,
    ):
        checked += 1
        drifted += result.drifted
        repaired += result.repaired
        if args.all or result.drifted:
            rows.append(result.to_json())
        if checked % 500 == 0:
            output.progress(f"{checked} link(s) checked so far")
    output.emit(
        rows,
        columns=[
            "link_id",
            "view_count",
            "viewed_events",
            "uncounted",
            "repaired",
            "view_count_now",
            "log_complete",
            "over_counted",
        ],
    )
    output.progress(
        f"{checked} link(s) checked, {drifted} drifted"
        + (f", {repaired} missing view(s) counted" if args.repair else "")
    )
    unrepaired = drifted if not args.repair else sum(1 for row in rows if row["over_counted"])
    return EXIT_ATTENTION if unrepaired else 0


def _stream_replay(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.ops import replay

    rows = []
    for result in replay.replay_queue(
        svc,
        queue=args.queue,
        max_messages=args.max_messages,
        dry_run=args.dry_run,
        drop_expired=args.drop_expired,
    ):
        rows.append(result.to_json())
        output.progress(
            f"message {result.message_id}: {result.status}, {result.records} record(s)"
            + (f" ({result.detail})" if result.detail else "")
        )
    output.emit(
        rows, columns=["message_id", "status", "shard_id", "start_sequence", "end_sequence", "records", "deleted"]
    )
    left = sum(1 for row in rows if not row["deleted"] and row["status"] != "planned")
    output.progress(
        f"{len(rows)} message(s) read, {sum(row['deleted'] for row in rows)} done, {left} left on the queue"
    )
    return EXIT_ATTENTION if left else 0


def _kms_reseal(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.ops import reseal

    _existing_tenants(svc, args.tenant)
    state_file = args.state_file or PROJECT_DIR / ".keyhole" / f"reseal-{svc.settings.table_name}.json"
    reports = []
    for report in reseal.reseal(
        svc,
        source_key_id=args.source,
        tenant_ids=args.tenant,
        state_file=state_file,
        dry_run=args.dry_run,
        progress=output.progress,
    ):
        reports.append(report)
    rows = [{"tenant_id": r.tenant_id, **vars(r.total), "skipped": r.skipped} for r in reports]
    total = reseal.Counts()
    for r in reports:
        total.add(r.total)
    if output.table:
        output.emit(rows)
    else:
        output.emit({"tenants": [r.to_json() for r in reports], "total": vars(total)})
    output.progress(
        f"{total.resealed} value(s) {'to re-seal' if args.dry_run else 're-sealed'}, {total.already} already under "
        f"the new key, {total.unopenable} unopenable, {total.changed} changed meanwhile (run again)"
    )
    return EXIT_ATTENTION if (total.unopenable or total.changed or (args.dry_run and total.resealed)) else 0


def _files_failed_jobs(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.files import jobs

    output.emit(jobs.failed_jobs(svc))
    return 0


def _files_retry_job(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.files import jobs

    if not jobs.retry_failed(svc, args.job_id):
        raise UsageError(f"no failed files job {args.job_id}")
    output.emit({"job_id": args.job_id, "status": "queued"})
    return 0


def _files_drain(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.files import jobs

    output.emit(jobs.drain(svc))
    return 0


def _platform_key_create(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.platform import keys

    item, value = keys.create_key(svc, name=args.name, namespace=args.namespace)
    output.emit({**keys.to_json(item), "key": value, "note": "shown once; store it now"})
    return 0


def _platform_key_list(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.platform import keys

    output.emit(keys.list_keys(svc, args.namespace), columns=["id", "namespace", "name", "prefix", "created_at"])
    return 0


def _platform_key_revoke(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.platform import keys

    output.emit({**keys.to_json(keys.revoke_key(svc, args.key_id, reason=args.reason)), "revoked": True})
    return 0


def _platform_key_audit(args: argparse.Namespace, svc: Keyhole, output: Output) -> int:
    from chalicelib.platform import keys

    output.emit(keys.namespace_events(args.namespace), columns=["at", "action", "target_id", "actor", "details"])
    return 0


COMMANDS: dict[tuple[str, str], Callable[[argparse.Namespace, Keyhole, Output], int]] = {
    ("tenant", "create"): _tenant_create,
    ("tenant", "list"): _tenant_list,
    ("tenant", "show"): _tenant_show,
    ("tenant", "set-plan"): _tenant_set_plan,
    ("tenant", "override"): _tenant_override,
    ("tenant", "suspend"): _tenant_suspension(True),
    ("tenant", "resume"): _tenant_suspension(False),
    ("plan", "list"): _plan_list,
    ("plan", "put"): _plan_put,
    ("usage", "recount"): _usage_recount,
    ("usage", "sweep"): _usage_sweep,
    ("key", "create"): _key_create,
    ("key", "list"): _key_list,
    ("key", "revoke"): _key_revoke,
    ("links", "revoke"): _links_revoke,
    ("views", "recount"): _views_recount,
    ("stream", "replay"): _stream_replay,
    ("kms", "reseal"): _kms_reseal,
    ("files", "failed-jobs"): _files_failed_jobs,
    ("files", "retry-job"): _files_retry_job,
    ("files", "drain"): _files_drain,
    ("platform-key", "create"): _platform_key_create,
    ("platform-key", "list"): _platform_key_list,
    ("platform-key", "revoke"): _platform_key_revoke,
    ("platform-key", "audit"): _platform_key_audit,
}


if __name__ == "__main__":
    sys.exit(main(standalone=True))
