"""How long Keyhole takes to answer each kind of dead token, seen from a client: the figure behind
docs/design.md, "Timing of dead tokens". Not part of `make bench` (it measures time, not cost).

    .venv/bin/python -m bench.dead_timing [--samples 300]

Starts moto in server mode and `chalice local` (as `make run` does, on free ports of 127.0.0.1),
makes one link of each kind, then times `GET /share/<token>/data` for an unknown, a revoked and an
expired token, and `POST /v1/introspect` for an unknown token and another tenant's live one,
interleaved round by round over kept-alive connections (so drift hits every kind alike). Prints
each kind's median, quartiles and standard deviation, the differences of medians, and how many
samples of each kind a two-sided test (alpha 0.05, power 0.8) would need to tell two kinds apart
at this machine's own jitter, with no network in between.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.credentials.tokens import parse_share_token  # noqa: E402
from chalicelib.ops.cli import stage_environment  # noqa: E402
from chalicelib.runtime.config import Settings  # noqa: E402
from chalicelib.service import Keyhole  # noqa: E402
from chalicelib.storage.models import Capability  # noqa: E402
from chalicelib.tenancy import tenants  # noqa: E402
from devstack import infra  # noqa: E402
from devstack.moto_server import free_port, moto_server, stop_process, wait_for_port  # noqa: E402

Z_ALPHA, Z_BETA = 1.96, 0.84  # two-sided 5 %, power 80 %


def _call(
    conn: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, bytes, float]:
    data = json.dumps(body).encode() if body is not None else None
    started = time.perf_counter()
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    return response.status, payload, (time.perf_counter() - started) * 1000


def _expect(condition: bool, what: object) -> None:
    """Stop the measurement when the stack did not answer as a measurement needs."""
    if not condition:
        raise SystemExit(f"unexpected answer: {what}")


def _random_token(like: str) -> str:
    import base64
    import secrets

    raw = base64.urlsafe_b64decode(like + "=" * (-len(like) % 4))
    return base64.urlsafe_b64encode(secrets.token_bytes(32) + raw[32:]).decode().rstrip("=")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    with moto_server(serial=True) as moto:
        env = {
            **os.environ,
            **stage_environment("local"),
            "KEYHOLE_AWS_ENDPOINT": moto.endpoint,
            "KEYHOLE_STAGE": "test",
            "KEYHOLE_TRUST_FORWARDED_FOR": "1",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")})
        outputs = infra.deploy(boto3.Session(region_name="us-east-1"), stage="local", endpoint_url=moto.endpoint)
        env["KEYHOLE_STREAM_ARN"] = outputs["TableStreamArn"]
        svc = Keyhole(Settings.from_env(env))
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "devstack.serve", "--port", str(port), "--stage", "local"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, process=server)
            return _measure(svc, port, args.samples)
        finally:
            stop_process(server)


def _measure(svc: Keyhole, port: int, samples: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    overrides = {"api_requests_per_min": None, "failed_resolves_per_min_per_ip": None}
    _, admin = tenants.create_tenant(svc, name="Timing", plan="enterprise", overrides=overrides)
    _, other_admin = tenants.create_tenant(svc, name="Other", plan="enterprise", overrides=overrides)
    auth = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    other = {"Authorization": f"Bearer {other_admin}", "Content-Type": "application/json"}
    document = {"type": "doc", "name": "r", "document": {"status": "up", "rows": list(range(50))}}
    _expect(_call(conn, "PUT", "/v1/resources/r1", auth, document)[0] == 201, "PUT r1")
    _expect(_call(conn, "PUT", "/v1/resources/o1", other, document)[0] == 201, "PUT o1")

    def link(headers: dict[str, str], resource: str) -> dict[str, Any]:
        status, body, _ = _call(conn, "POST", f"/v1/resources/{resource}/links", headers, {})
        _expect(status == 201, body)
        return json.loads(body)

    revoked, expired, theirs = link(auth, "r1"), link(auth, "r1"), link(other, "o1")
    _expect(_call(conn, "DELETE", f"/v1/links/{revoked['id']}", auth)[0] == 204, "revoke")
    parsed = parse_share_token(expired["token"])
    if parsed is None:
        raise SystemExit("a link's token did not parse")
    cap = svc.store.get(Capability, Capability.key(parsed.hash))
    if cap is None:
        raise SystemExit("the expired link has no capability")
    cap.expires_at = "2000-01-01T00:00:00Z"  # expired; TTL has not removed it (as for up to 48 h on AWS)
    cap.save()
    _, made, _ = _call(conn, "POST", "/v1/api-keys", auth, {"name": "i", "role": "introspect"})
    introspect = {"Authorization": f"Bearer {json.loads(made)['key']}", "Content-Type": "application/json"}
    unknown = _random_token(revoked["token"])
    kinds = {
        "viewer: unknown": ("GET", f"/share/{unknown}/data", None, None),
        "viewer: revoked": ("GET", f"/share/{revoked['token']}/data", None, None),
        "viewer: expired": ("GET", f"/share/{expired['token']}/data", None, None),
        "introspect: unknown": ("POST", "/v1/introspect", introspect, {"token": unknown}),
        "introspect: another tenant's live": ("POST", "/v1/introspect", introspect, {"token": theirs["token"]}),
    }
    times: dict[str, list[float]] = {kind: [] for kind in kinds}
    bodies: dict[str, set[bytes]] = {kind: set() for kind in kinds}
    for round_ in range(samples + 20):  # 20 rounds of warm-up, not kept
        for kind, (method, path, headers, sent_body) in kinds.items():
            sent = {**(headers or {}), "X-Forwarded-For": f"10.{round_ % 200}.{len(kind)}.1"}
            status, payload, millis = _call(conn, method, path, sent, sent_body)
            _expect(status in (200, 404), (kind, status, payload))
            if round_ >= 20:
                times[kind].append(millis)
                bodies[kind].add(payload)
    rows = {}
    for kind, values in times.items():
        q1, median, q3 = statistics.quantiles(values, n=4)
        rows[kind] = {
            "median_ms": round(median, 3),
            "q1_ms": round(q1, 3),
            "q3_ms": round(q3, 3),
            "stdev_ms": round(statistics.stdev(values), 3),
            "min_ms": round(min(values), 3),
        }
        print(
            f"{kind:36s} median {median:6.2f} ms  quartiles {q1:6.2f}-{q3:6.2f}  stdev "
            f"{statistics.stdev(values):5.2f}  min {min(values):6.2f}"
        )
    for a, b in (
        ("viewer: unknown", "viewer: revoked"),
        ("viewer: unknown", "viewer: expired"),
        ("introspect: unknown", "introspect: another tenant's live"),
    ):
        difference = rows[b]["median_ms"] - rows[a]["median_ms"]
        sigma = (rows[a]["stdev_ms"] + rows[b]["stdev_ms"]) / 2
        needed = 2 * ((Z_ALPHA + Z_BETA) * sigma / abs(difference)) ** 2 if difference else float("inf")
        print(f"{b} - {a}: {difference:+.3f} ms; samples of each needed at this jitter: {needed:,.0f}")
    print(
        "identical bodies per surface:",
        len({b for k in kinds if k.startswith("viewer") for b in bodies[k]}) == 1,
        len({b for k in kinds if k.startswith("introspect") for b in bodies[k]}) == 1,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
