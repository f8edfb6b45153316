"""The ops command-line tool: tenants, plans, limit overrides, emergency keys, usage recounts.

It is configured like the Lambda: by KEYHOLE_* environment variables. `--stage NAME` fills in the
ones that stage's `.chalice/config.json` sets (explicit environment variables still win), and
`--local` points at the stack `make run` started (it reads `.keyhole/local.json`).

    python -m chalicelib.opscli --local tenant create --name "Acme" --plan team
    python -m chalicelib.opscli --stage prod tenant list
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from .config import Settings
from .service import Keyhole

PROJECT_DIR = Path(__file__).resolve().parent.parent


def stage_environment(stage: str, project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """Environment variables a Chalice stage gives its Lambda (global ones, then the stage's)."""
    config = json.loads((project_dir / ".chalice" / "config.json").read_text())
    if stage not in config.get("stages", {}):
        raise SystemExit(f"no stage {stage!r} in .chalice/config.json")
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"][stage].get("environment_variables", {}))
    return env


def local_environment(project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    state_file = project_dir / ".keyhole" / "local.json"
    if not state_file.exists():
        raise SystemExit("no local stack found: start one with `make run` first")
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
        env = stage_environment(args.stage) if args.stage else {}
        env.update({k: v for k, v in os.environ.items() if k.startswith(("KEYHOLE_", "AWS_"))})
    return Keyhole(Settings.from_env(env))


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False, default=str))


def _parse_limits(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise SystemExit(f"expected limit=value, got {pair!r}")
        name, value = pair.split("=", 1)
        out[name.strip()] = value.strip()
    return out


def main(argv: list[str] | None = None) -> int:
    from . import apikeys, audit, tenants
    from .tenants import OPS_ACTOR

    parser = argparse.ArgumentParser(
        prog="keyhole-ops", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stage", help="take KEYHOLE_* settings from this Chalice stage (env vars still win)")
    where.add_argument("--local", action="store_true", help="use the stack started by `make run`")
    sub = parser.add_subparsers(dest="area", required=True)

    tenant = sub.add_parser("tenant", help="tenants").add_subparsers(dest="action", required=True)
    create = tenant.add_parser("create", help="create a tenant and print its first admin key (shown once)")
    create.add_argument("--name", required=True)
    create.add_argument("--plan", default="free")
    create.add_argument("--override", action="append", default=[], metavar="LIMIT=VALUE")
    tenant.add_parser("list", help="list tenants")
    show = tenant.add_parser("show", help="one tenant with limits and usage")
    show.add_argument("tenant_id")
    set_plan = tenant.add_parser("set-plan", help="move a tenant to another plan")
    set_plan.add_argument("tenant_id")
    set_plan.add_argument("plan")
    override = tenant.add_parser("override", help="override one limit for one tenant")
    override.add_argument("tenant_id")
    override.add_argument("limit")
    override.add_argument("value", nargs="?", help="a whole number or 'unlimited'")
    override.add_argument("--clear", action="store_true", help="drop the override (back to the plan's value)")

    plan = sub.add_parser("plan", help="plans").add_subparsers(dest="action", required=True)
    plan.add_parser("list", help="built-in and stored plans")
    put = plan.add_parser("put", help="create or change a plan (tenants on it are updated)")
    put.add_argument("name")
    put.add_argument("limits", nargs="*", metavar="LIMIT=VALUE")

    usage = sub.add_parser("usage", help="slot counters").add_subparsers(dest="action", required=True)
    recount = usage.add_parser("recount", help="recount usage from the link records; report (or --repair) drift")
    recount.add_argument("--tenant", action="append", help="only these tenants (default: all)")
    recount.add_argument("--repair", action="store_true", help="set drifted counters to the recounted values")
    sweep = usage.add_parser("sweep", help="free the slots of expired links now (the scheduled sweep)")
    sweep.add_argument("--tenant", action="append", help="only these tenants (default: all)")

    key = sub.add_parser("key", help="API keys").add_subparsers(dest="action", required=True)
    key_create = key.add_parser("create", help="mint a key for a tenant (e.g. a lost admin key); printed once")
    key_create.add_argument("tenant_id")
    key_create.add_argument("--name", default="ops-issued key")
    key_create.add_argument("--role", default="admin", choices=sorted(apikeys.ROLES))

    args = parser.parse_args(argv)
    svc = build_service(args)
    try:
        if args.area == "tenant" and args.action == "create":
            record, admin_key = tenants.create_tenant(
                svc, name=args.name, plan=args.plan, overrides=_parse_limits(args.override)
            )
            _print(
                {
                    "tenant": tenants.to_json(record),
                    "admin_key": admin_key,
                    "note": "the admin key is shown once; store it now",
                }
            )
        elif args.area == "tenant" and args.action == "list":
            cursor = None
            while True:
                page = tenants.list_tenants(svc, cursor=cursor)
                for item in page["items"]:
                    print(
                        f"{item['id']}  {item['plan']:<10}  links={item['usage']['active_links']:<5} "
                        f"shared={item['usage']['shared_resources']:<5} {item['name']}"
                    )
                cursor = page["next_cursor"]
                if not cursor:
                    break
        elif args.area == "tenant" and args.action == "show":
            _print(tenants.to_json(tenants.get_tenant(svc, args.tenant_id)))
        elif args.area == "tenant" and args.action == "set-plan":
            _print(tenants.to_json(tenants.set_plan(svc, args.tenant_id, args.plan)))
        elif args.area == "tenant" and args.action == "override":
            if not args.clear and args.value is None:
                raise SystemExit("give a value (a number or 'unlimited'), or --clear")
            _print(tenants.to_json(tenants.set_override(svc, args.tenant_id, args.limit, args.value, clear=args.clear)))
        elif args.area == "plan" and args.action == "list":
            _print(tenants.list_plans(svc))
        elif args.area == "plan" and args.action == "put":
            limits, refreshed = tenants.put_plan(svc, args.name, _parse_limits(args.limits))
            _print({"plan": args.name, "limits": limits, "tenants_updated": refreshed})
        elif args.area == "usage" and args.action == "recount":
            from . import limits

            reports = [
                limits.recount(svc, tenant_id, repair=args.repair)
                for tenant_id in (args.tenant or tenants.list_tenant_ids(svc))
            ]
            _print([r.to_json() for r in reports])
            drifted = [r for r in reports if r.drifted and not r.repaired]
            print(
                f"{len(reports)} tenant(s) checked, {sum(r.drifted for r in reports)} with drift"
                f"{', repaired' if args.repair else ''}",
                file=sys.stderr,
            )
            return 3 if drifted else 0
        elif args.area == "usage" and args.action == "sweep":
            from . import limits

            print(json.dumps({"slots_freed": limits.sweep_expired_slots(svc, args.tenant)}))
        elif args.area == "key" and args.action == "create":
            record = tenants.get_tenant(svc, args.tenant_id)
            new_key, item = apikeys.new_key_item(
                record.tenant_id, name=args.name, role=args.role, created_by="ops", now=svc.clock.now()
            )
            item.save()
            audit.new_event(
                record.tenant_id,
                actor=OPS_ACTOR,
                action="api_key.created",
                at=svc.clock.now(),
                target_type="api_key",
                target_id=item.key_id,
                details={"name": args.name, "role": args.role},
            ).save()
            _print({**apikeys.to_json(item), "key": new_key.value, "note": "shown once; store it now"})
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # surfaced to the operator without a traceback full of internals
        from .errors import KeyholeError

        if isinstance(error, KeyholeError):
            print(f"error: {error.message}", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
