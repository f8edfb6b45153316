"""`make run`: Keyhole on this machine, the way it runs on AWS.

1. moto in server mode (a child process);
2. `infra/template.json` deployed into it through CloudFormation (devstack.infra);
3. a demo tenant, admin key, resource and share link, and a resource with files (a PDF, an
   image and evidence in a folder: the page previews the image and offers the zip); a platform key
   (namespace `demo`) for a product's backend managing its own tenants (docs/platform.md);
4. the API under `chalice local` on 127.0.0.1:$PORT (default 8000);
5. the stream pump, feeding the table stream to the same consumer code Lambda runs.

It prints the admin key, a curl example and the share URL, writes `.keyhole/local.json` for
scripts, and stops everything it started on Ctrl-C. A port already taken (a `make run` still going)
stops it first, in one line, before anything starts or that file is touched.
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from . import infra
from .moto_server import free_port, moto_command, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = ROOT / ".keyhole"
REGION = "us-east-1"
PLATFORM_NAMESPACE = "demo"


def _demo_document() -> dict[str, Any]:
    """An uptime monitor's share page: status, a response-time chart, a 90-day status strip, regions,
    the last 200 checks (a table that must read on a phone), incidents, and a credential the page
    shows as `***`. Deterministic, so screenshots and tests see the same page every run."""
    draws = iter(range(1, 10_000))

    def uniform(low: float, high: float) -> float:
        return low + (high - low) * _noise(next(draws))

    now = datetime(2026, 11, 20, 9, 58, tzinfo=UTC)
    hours = [now.replace(minute=0) - timedelta(hours=23 - i) for i in range(24)]
    response = []
    for index, hour in enumerate(hours):
        spike = 170 if index == 15 else 0  # the ap-southeast-2 DNS slowdown, visible on the chart
        median = round(78 + 14 * math.sin(index / 3.2) + uniform(-6, 6) + spike * 0.6)
        response.append({"at": _stamp(hour), "p50_ms": median, "p95_ms": round(median * 1.9 + uniform(0, 30) + spike)})
    days = [(now - timedelta(days=89 - i)).date().isoformat() for i in range(90)]
    daily = {61: "degraded", 62: "down", 83: "degraded"}
    uptime = [{"day": day, "status": daily.get(i, "up")} for i, day in enumerate(days)]
    regions = ["eu-west-1", "us-east-1", "ap-southeast-2"]
    checks = []
    for index in range(200):
        at = now - timedelta(minutes=index * 2, seconds=int(uniform(0, 40)))
        region = regions[index % 3]
        status = "up"
        millis = round(uniform(35, 95) + (120 if region == "ap-southeast-2" else 0) + uniform(0, 25), 1)
        if index in (37, 38):
            status, millis = "degraded", round(millis + 640.5, 1)
        if index == 122:
            status, millis = "down", 10000.0
        checks.append(
            {
                "at": _stamp(at),
                "region": region,
                "status": status,
                "response_ms": millis,
                "http_status": 503 if status == "down" else 200,
            }
        )
    return {
        "summary": "Checkout API: all systems operational.",
        "status": "operational",
        "uptime_30d_percent": 99.982,
        "last_checked_at": "2026-11-20T09:58:00Z",
        "response_time_ms": response,
        "uptime_90d": uptime,
        "check": {
            "url": "https://api.example.com/health",
            "method": "GET",
            "interval_seconds": 60,
            "headers": {"Authorization": "Bearer sk_live_do_not_show"},
            "bearer_token": "sk_live_do_not_show",
        },
        "regions": [
            {"region": "eu-west-1", "latency_ms": 84, "status": "up"},
            {"region": "us-east-1", "latency_ms": 41, "status": "up"},
            {"region": "ap-southeast-2", "latency_ms": 212, "status": "degraded"},
        ],
        "recent_checks": checks,
        "incidents": [
            {
                "opened_at": "2026-11-12T03:14:00Z",
                "title": "Elevated latency in ap-southeast-2",
                "resolved": True,
                "notes": "A regional DNS provider was slow; traffic moved to a secondary.",
            },
        ],
        "owner": {"team": "Payments platform", "contact": "payments-oncall@example.com"},
    }


def _noise(n: int) -> float:
    """A fixed pseudo-random number in [0, 1) (Knuth's multiplicative hash): demo data that is the
    same on every run."""
    return ((n * 2654435761) % 2**32) / 2**32


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


DEMO_DOCUMENT = _demo_document()
# How the page shows it (display hints: docs/viewer.md): the response-time chart, the strip and
# the checks table get readable names; the checks stay a table (three regions interleave).
DEMO_DISPLAY = {
    "fields": {
        "response_time_ms": {
            "as": "area",
            "label": "Response time, last 24 hours",
            "labels": {"p50_ms": "Median", "p95_ms": "95th percentile"},
        },
        "uptime_90d": {"label": "Uptime, last 90 days"},
        "recent_checks": {
            "as": "table",
            "label": "Recent checks",
            "columns": ["at", "region", "status", "response_ms", "http_status"],
            "labels": {"at": "Checked at", "response_ms": "Response (ms)", "http_status": "HTTP"},
        },
    }
}


def aws_environment(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "KEYHOLE_AWS_ENDPOINT": endpoint,
    }


def deploy_and_seed(endpoint: str, api_url: str, origin_url: str = "", product_url: str = "") -> dict[str, str]:
    """Deploy the infra template into moto and create the demo tenant, resource and link (and,
    with `product_url`, let the demo product embed the share dialog: `embed_origins`)."""
    os.environ.update(aws_environment(endpoint))
    outputs = infra.deploy(boto3.Session(region_name=REGION), stage="local", endpoint_url=endpoint)
    from chalicelib.links import links
    from chalicelib.ops.cli import stage_environment
    from chalicelib.resources import resources
    from chalicelib.runtime.config import Settings
    from chalicelib.service import Keyhole, RequestInfo
    from chalicelib.tenancy import tenants
    from chalicelib.tenancy.apikeys import authenticate

    env = {
        **stage_environment("local"),
        **aws_environment(endpoint),
        "KEYHOLE_STREAM_ARN": outputs["TableStreamArn"],
        "KEYHOLE_FILES_BUCKET": outputs["FilesBucketName"],
    }
    svc = Keyhole(Settings.from_env(env))
    tenant, admin_key = tenants.create_tenant(svc, name="Demo Co", plan="team")
    principal, _ = authenticate(svc, admin_key)
    req = RequestInfo(request_id="make-run-seed", base_url=api_url)
    resources.put_resource(
        svc,
        principal,
        "checkout-api",
        {
            "type": "monitor",
            "name": "Checkout API",
            "document": DEMO_DOCUMENT,
            "redact": ["bearer_token", "Authorization"],
            "scopes": {"status": ["summary", "status", "regions"]},
            "display": DEMO_DISPLAY,
        },
        None,
        req,
    )
    _, head = authenticate(
        svc, admin_key, [(resources.ResourceHead, resources.ResourceHead.key(tenant.tenant_id, "checkout-api"))]
    )
    link = links.create_link(
        svc,
        principal,
        "checkout-api",
        {
            "label": "Status for Globex",
            "description": "Live status of our Checkout API, shared with the Globex integration team.",
            "expires_in": "30d",
        },
        head[0],
        req,
    )
    origin_state = _seed_origin(svc, principal, admin_key, tenant.tenant_id, origin_url, req) if origin_url else {}
    files_state = _seed_files(svc, principal, admin_key, tenant.tenant_id, req)
    from chalicelib.platform import keys

    _, platform_key = keys.create_key(svc, name="make run", namespace=PLATFORM_NAMESPACE)
    console_state: dict[str, str] = {}
    if product_url:
        tenants.patch_settings(svc, principal, {"embed_origins": [product_url]}, req)
        from chalicelib.console import sessions

        minted = sessions.mint(svc, principal, {"role": "admin"}, req)
        console_state = {"product_url": product_url, "console_url": minted["url"]}
    return {
        **origin_state,
        **files_state,
        **console_state,
        "api_url": api_url,
        "admin_key": admin_key,
        "platform_key": platform_key,
        "platform_namespace": PLATFORM_NAMESPACE,
        "share_url": link["url"],
        "tenant_id": tenant.tenant_id,
        "aws_endpoint": endpoint,
        "region": REGION,
        "stream_arn": outputs["TableStreamArn"],
        "files_bucket": outputs["FilesBucketName"],
        "link_id": link["id"],
        "resource_id": "checkout-api",
    }


def _seed_files(svc: Any, principal: Any, admin_key: str, tenant_id: str, req: Any) -> dict[str, str]:
    """A scan passport with files: uploaded through presigned PUTs into moto's S3 as a client
    would, completed, and linked. The files worker (the pump) builds the zip within seconds."""
    import hashlib
    import urllib.request

    from chalicelib.links import links
    from chalicelib.resources import resource_files, resources
    from chalicelib.tenancy.apikeys import authenticate

    from .demo_files import chart_png, evidence_csv, report_pdf

    resources.put_resource(
        svc,
        principal,
        "scan-passport",
        {
            "type": "passport",
            "name": "Scan passport: checkout-api",
            "document": {"summary": "214 checks, 0 critical, 2 low findings", "scanned_at": "2026-11-20T09:58:00Z"},
            "scopes": {"report": ["summary", "file:report.pdf"]},
        },
        None,
        req,
    )

    def head() -> Any:
        _, found = authenticate(
            svc, admin_key, [(resources.ResourceHead, resources.ResourceHead.key(tenant_id, "scan-passport"))]
        )
        return found[0]

    for name, content_type, data in (
        ("report.pdf", "application/pdf", report_pdf()),
        ("response-times.png", "image/png", chart_png()),
        ("evidence/checks.csv", "text/csv", evidence_csv()),
    ):
        body = {
            "name": name,
            "content_type": content_type,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        started = resource_files.start_upload(svc, principal, head(), body, req)
        upload = started["upload"]
        request = urllib.request.Request(upload["url"], data=data, method="PUT", headers=upload["headers"])  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (moto on loopback)
            answer.read()
        resource_files.complete(svc, principal, head(), started["file_id"], req)
    link = links.create_link(
        svc,
        principal,
        "scan-passport",
        {"label": "Scan passport for the Globex audit", "expires_in": "30d"},
        head(),
        req,
    )
    return {"files_share_url": link["url"], "files_resource_id": "scan-passport"}


def _seed_origin(svc: Any, principal: Any, admin_key: str, tenant_id: str, origin_url: str, req: Any) -> dict[str, str]:
    """An origin resource in front of the demo origin (devstack/origin.py), and a link to it."""
    from chalicelib.links import links
    from chalicelib.resources import resources
    from chalicelib.tenancy.apikeys import authenticate

    _, body = resources.put_resource(
        svc,
        principal,
        "checkout-live",
        {
            "type": "monitor",
            "name": "Checkout API (live)",
            "origin": {
                "url": origin_url,
                "allowed_paths": ["/", "/app.js", "/style.css", "/api/*"],
                "allowed_methods": ["GET", "HEAD"],
                "banner": True,
            },
        },
        None,
        req,
    )
    _, head = authenticate(
        svc, admin_key, [(resources.ResourceHead, resources.ResourceHead.key(tenant_id, "checkout-live"))]
    )
    link = links.create_link(
        svc, principal, "checkout-live", {"label": "Live dashboard for Globex", "expires_in": "30d"}, head[0], req
    )
    return {
        "origin_url": origin_url,
        "origin_secret": body["origin_secret"],
        "origin_share_url": link["url"],
        "origin_token": link["token"],
        "origin_link_id": link["id"],
    }


def port_taken(port: int) -> bool:
    """Whether something listens on 127.0.0.1:`port` (bound as the servers bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def port_problem(environ: Mapping[str, str]) -> str | None:
    """Before anything starts (and before .keyhole/local.json is written): the one line that says
    which port is taken, or not a port, and which variable picks another; None when all is well."""
    for variable, default in (("PORT", "8000"), ("MOTO_PORT", "")):
        value = environ.get(variable, default) or ""
        if not value and variable == "MOTO_PORT":
            continue  # a free port is picked
        if not value.isdigit() or not 0 < int(value) < 65536:
            return f"make run: {variable}={value!r} is not a port number (1-65535)"
        port = int(value)
        if port_taken(port):
            running = ""
            state = STATE_DIR / "local.json"
            if variable == "PORT" and state.exists() and f'127.0.0.1:{port}"' in state.read_text():
                running = ", by the Keyhole an earlier `make run` started (.keyhole/local.json is left as it is)"
            hint = (
                f"pick another with PORT={port + 1} make run"
                if variable == "PORT"
                else "pick another MOTO_PORT, or leave it unset for a free one"
            )
            return f"make run: port {port} on 127.0.0.1 is taken{running}; {hint}"
    return None


def main() -> int:
    problem = port_problem(os.environ)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    port = int(os.environ.get("PORT", "8000"))
    moto_port = int(os.environ.get("MOTO_PORT", "0")) or free_port()
    api_url = f"http://127.0.0.1:{port}"
    endpoint = f"http://127.0.0.1:{moto_port}"
    children: list[subprocess.Popen] = []

    def stop(*_: object) -> None:
        for child in reversed(children):
            stop_process(child)

    def terminate(*_: object) -> None:
        stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, terminate)
    try:
        print(f"Starting moto server on {endpoint} ...", flush=True)
        # One request at a time, as DynamoDB makes each request atomic: moto's threaded server loses
        # writes and breaks plan limits under parallel clients (devstack/moto_server.py).
        children.append(
            subprocess.Popen(
                moto_command(moto_port, serial=True),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for_port(moto_port, process=children[-1])
        print("Deploying infra/template.json into moto through CloudFormation ...", flush=True)
        origin_port, product_port = free_port(), free_port()
        product_url = f"http://product.localhost:{product_port}"
        state = deploy_and_seed(endpoint, api_url, f"http://127.0.0.1:{origin_port}", product_url)
        print(f"Starting the demo origin on 127.0.0.1:{origin_port} ...", flush=True)
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "devstack.origin", "--port", str(origin_port)],
                cwd=ROOT,
                env={**os.environ, "DEMO_ORIGIN_SECRETS": state["origin_secret"]},
            )
        )
        wait_for_port(origin_port, process=children[-1])
        print(f"Starting the demo product on {product_url} ...", flush=True)
        children.append(
            subprocess.Popen(
                [sys.executable, "-m", "devstack.product", "--port", str(product_port), "--api", api_url],
                cwd=ROOT,
                env={**os.environ, "DEMO_PRODUCT_KEY": state["admin_key"]},
            )
        )
        wait_for_port(product_port, process=children[-1])
        STATE_DIR.mkdir(exist_ok=True)
        (STATE_DIR / "local.json").write_text(json.dumps(state, indent=2) + "\n")
        child_env = {
            **os.environ,
            **aws_environment(endpoint),
            "KEYHOLE_STREAM_ARN": state["stream_arn"],
            "KEYHOLE_FILES_BUCKET": state["files_bucket"],
            "PYTHONUNBUFFERED": "1",
            # One EMF metrics line per request would bury the terminal; POWERTOOLS_METRICS_DISABLED=false shows them.
            "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
        }
        children.append(
            subprocess.Popen([sys.executable, "-m", "devstack.serve", "--port", str(port)], cwd=ROOT, env=child_env)
        )
        wait_for_port(port, process=children[-1])
        if (ROOT / "devstack" / "pump.py").exists():
            children.append(
                subprocess.Popen([sys.executable, "-m", "devstack.pump", "--stage", "local"], cwd=ROOT, env=child_env)
            )
        print_banner(state)
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A child process stopped; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping Keyhole ...", flush=True)
        return 0
    finally:
        stop()


def print_banner(state: dict[str, str]) -> None:
    key, api = state["admin_key"], state["api_url"]
    print(
        f"""
Keyhole is running.

  API         {api}
  Admin key   {key}
  Platform    {state.get("platform_key", "")}  (a platform key, namespace {state.get("platform_namespace", "")})
  Share URL   {state["share_url"]}
  Files URL   {state.get("files_share_url", "(none)")}
  Origin URL  {state.get("origin_share_url", "(none)")}
  Console     {state.get("console_url", "(none)")}
              (opens once, within 5 minutes; a fresh one each time: {state.get("product_url", "")}/console)
  Product     {state.get("product_url", "(none)")}/
              (a product page on its own origin: its Share button opens Keyhole's share dialog in an iframe)
  Tenant      {state["tenant_id"]}
  moto        {state["aws_endpoint"]}

Try it:
  curl -s {api}/v1/tenant -H 'Authorization: Bearer {key}'
  open the share URL above in a browser: the share page (an HTML page); the same as JSON:
  curl -s {state["share_url"]}/data
  open the files URL: a PDF, an image preview, a folder, and "Download all" (a zip, ready in seconds)
  curl -s {state.get("files_share_url", "")}/data      # the files, with their download URLs
  open the origin URL in a browser: the demo origin's live dashboard, through Keyhole
    (it answers on its own content origin, http://<label>.localhost:{api.rsplit(":", 1)[-1]})
  curl -s -L {state.get("origin_share_url", "")}/o/api/status     # allowed
  curl -s -L {state.get("origin_share_url", "")}/o/echo/secret    # outside the allow-list: 403
  curl -s {state.get("origin_url", "")}/api/status  # not through Keyhole: 401
  curl -s -X POST {api}/v1/introspect -H 'Authorization: Bearer {key}' \\
       -d '{{"token": "{state.get("origin_token", "")}"}}'
  curl -s -X PUT {api}/v1/tenants/org-1 -H 'Authorization: Bearer {state.get("platform_key", "")}' \\
       -d '{{"name": "Org One", "plan": "team"}}'     # a product's organisation (docs/platform.md)

State for scripts: .keyhole/local.json   Stop with Ctrl-C.
""",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
