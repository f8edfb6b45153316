"""`make deploy-rehearsal` as ops run it: from a fresh copy, with no AWS credentials or settings at
all, against the emulator it starts itself (moto with devstack/emulator.py), custom domains included.

What the emulator cannot do (ACM reading public DNS, TLS, DNS resolution, WAF, alarms) is asserted
on the template in tests/deploy/test_package_and_templates.py; what it can, is proven here.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path

import pytest

from devstack.moto_server import moto_server
from tests.deploy.test_make_deploy import deploy_venv, fresh_copy, make  # noqa: F401 (a fixture)


def bare_environment(home: Path) -> dict[str, str]:
    """A shell with nothing of AWS: no credentials, no region, no configuration files."""
    return {"PATH": os.environ["PATH"], "HOME": str(home), "AWS_CONFIG_FILE": str(home / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "none"), "AWS_EC2_METADATA_DISABLED": "true"}


def _closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def test_the_rehearsal_deploys_a_stage_with_its_domains_smoke_tests_it_and_stops(
    tmp_path_factory: pytest.TempPathFactory, deploy_venv: Path  # noqa: F811 (the fixture)
) -> None:
    copy = fresh_copy(tmp_path_factory.mktemp("rehearsal"))
    # WHEN ops rehearse a stage with both custom domains
    result = make(copy, bare_environment(tmp_path_factory.mktemp("home")), "-s", "deploy-rehearsal", "STAGE=qa",
                  "DOMAIN=share.example.com", "CONTENT_DOMAIN=content.example-content.net")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    assert "Traceback" not in out
    # THEN the deploy ran every step of `make deploy`, and its smoke test passed on all three names
    for step in ("creating stack keyhole-qa", "chalice deploy --stage qa", "post-deploy:", "updating stack keyhole-qa"):
        assert step in out
    smoke = out.split("smoke test against", 1)[1]
    assert smoke.count("GET /robots.txt: 200, disallows /share/") == 3
    assert "served as https://share.example.com" in smoke
    assert re.search(r"k[0-9a-v]{20}\.content\.example-content\.net: GET /v1/openapi.json on a content host: the one 404",
                     smoke)
    # AND it printed what it created: certificates issued by DNS validation, regional custom domains
    # mapped to the REST API's stage, alias records, the validation records, the functions
    created = out.split("created in the emulator:", 1)[1]
    api = re.search(r"REST API (\w+) keyhole-qa: stages api, binary media \*/\*", created)
    assert api, created
    for name in ("share.example.com", "*.content.example-content.net"):
        assert f"certificate {name}: ISSUED (DNS validation)" in created
        assert re.search(rf"custom domain {re.escape(name)}: regional d-\w+\.execute-api\.us-east-1\.amazonaws\.com, "
                         rf"TLS_1_2, mapped to {api.group(1)}/api", created)
        assert re.search(rf"DNS {re.escape(name)}\.? A alias -> d-\w+\.execute-api", created)
        assert re.search(rf"DNS _\w+\.{re.escape(name.removeprefix('*.'))}\. CNAME -> \S+\.acm-validations\.aws", created)
    assert created.count("function keyhole-qa") == 5  # API, stream consumer, webhook drain, sweep, files worker
    assert "not made by the emulator (moto has no model; checked on the template by tests/deploy)" in created
    assert "AWS::WAFv2::WebACL" in created
    # AND the emulator it started is stopped
    port = int(re.search(r"deploy emulator on http://127\.0\.0\.1:(\d+)", out).group(1))
    assert _closed(port)


def test_a_refused_option_or_an_emulator_refusal_is_one_line(
    tmp_path_factory: pytest.TempPathFactory, deploy_venv: Path  # noqa: F811 (the fixture)
) -> None:
    copy = fresh_copy(tmp_path_factory.mktemp("rehearsal-refused"))
    env = bare_environment(tmp_path_factory.mktemp("home"))
    for option, expected in (("DOMAIN=not a domain", "rehearsal: DOMAIN='not a domain' is not a domain name"),
                             ("KMS_KEY_ARN=arn:aws:kms:us-east-1:123456789012:key/1234",
                              "rehearsal: KMS_KEY_ARN and KMS_PREVIOUS_KEY_ARNS name keys of your account")):
        result = make(copy, env, "-s", "deploy-rehearsal", option)
        lines = [line for line in result.stderr.splitlines() if not line.startswith("make")]
        assert result.returncode != 0 and lines and lines[0].startswith(expected), result.stderr
        assert len(lines) == 1 and "Traceback" not in result.stdout + result.stderr


def test_make_deploy_against_plain_moto_fails_in_one_line_not_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, deploy_venv: Path  # noqa: F811 (the fixture)
) -> None:
    # GIVEN moto in server mode without the emulator's workarounds (what an ops engineer tries first)
    copy = fresh_copy(tmp_path_factory.mktemp("plain-moto"))
    with moto_server() as moto:
        env = {**bare_environment(tmp_path_factory.mktemp("home")), "AWS_ACCESS_KEY_ID": "test",
               "AWS_SECRET_ACCESS_KEY": "test", "AWS_ENDPOINT_URL": moto.endpoint}
        result = make(copy, env, "-s", "deploy", "STAGE=plain", "REGION=us-east-1")
    # THEN the deploy stops with one line naming the refusal and the rehearsal, never a traceback
    lines = [line for line in result.stderr.splitlines() if not line.startswith("make")]
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert len(lines) == 1 and lines[0].startswith(f"deploy: {moto.endpoint} answered what botocore cannot read"), \
        result.stderr
    assert f"{moto.endpoint} is an emulator that lacks this: `make deploy-rehearsal`" in lines[0]
