"""`make deploy STAGE=test REGION=us-east-1` from a fresh copy of the repository, against moto.

The real deploy steps run (scripts/deploy.py through the Makefile, CloudFormation for infra/,
`chalice deploy` with the Python 3.12 deploy virtualenv, the post-deploy settings, the WAF stack
update, the smoke test); moto's gaps are worked around in devstack/emulator.py only (the emulator `make deploy-rehearsal` runs).
moto cannot run the Lambda behind API Gateway, so the smoke test's URL is `chalice local`
serving the same app against the stack the deploy created.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests

from devstack import emulator
from devstack.moto_server import free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
DEPLOY_VENV = ROOT / "build" / "venv-deploy"
DEPS_CACHE = ROOT / "build" / "deps"
REGION = "us-east-1"
FUNCTIONS = {
    "keyhole-test": "api_handler",
    "keyhole-test-stream_consumer": "stream_consumer",
    "keyhole-test-webhook_drain": "webhook_drain",
    "keyhole-test-sweep_expired_slots": "sweep_expired_slots",
    "keyhole-test-files_worker": "files_worker",
}


def fresh_copy(target: Path) -> Path:
    """The working tree as a clone would have it: tracked and unignored files only."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def make(copy: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-C", str(copy), *args, f"VENV={VENV}", f"DEPLOY_VENV={DEPLOY_VENV}",
                           f"DEPS_CACHE={DEPS_CACHE}"], env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def deploy_venv() -> Path:
    if not (DEPLOY_VENV / "bin" / "chalice").exists():
        subprocess.run(["make", "-C", str(ROOT), "deploy-venv", f"VENV={VENV}"], check=True, timeout=900)
    return DEPLOY_VENV


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory, deploy_venv: Path) -> Iterator[dict[str, str]]:
    """moto (with the harness's workarounds) and `chalice local` for the smoke test."""
    port, api_port = free_port(), free_port()
    moto = emulator.start(port)
    home = tmp_path_factory.mktemp("home")
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "AWS_ACCESS_KEY_ID": "test",
           "AWS_SECRET_ACCESS_KEY": "test", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
           "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled", "AWS_CONFIG_FILE": "/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    serve_env = {**env, "AWS_DEFAULT_REGION": REGION, "KEYHOLE_AWS_ENDPOINT": env["AWS_ENDPOINT_URL"],
                 "KEYHOLE_STAGE": "test", "KEYHOLE_TABLE": "keyhole-test", "KEYHOLE_COUNTERS_TABLE": "keyhole-test-counters",
                 "KEYHOLE_KMS_KEY_ID": "alias/keyhole-test"}
    api = subprocess.Popen([sys.executable, "-m", "devstack.serve", "--port", str(api_port), "--stage", "test"],
                           cwd=ROOT, env=serve_env, stdout=open(os.environ.get("KEYHOLE_TEST_SERVE_LOG", os.devnull), "a"),
                           stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, process=moto)
        wait_for_port(api_port, process=api)
        yield {**env, "SMOKE_URL": f"http://127.0.0.1:{api_port}/"}
    finally:
        stop_process(api)
        stop_process(moto)


@pytest.fixture(scope="module")
def deployed(harness: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Deploy twice, each time from a fresh copy (the second restores Chalice's state from SSM)."""
    runs = []
    for name in ("first", "second"):
        copy = fresh_copy(tmp_path_factory.mktemp(f"clone-{name}"))
        result = make(copy, harness, "deploy", "STAGE=test", f"REGION={REGION}", f"SMOKE_URL={harness['SMOKE_URL']}")
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        runs.append((copy, result.stdout + result.stderr))
    aws = boto3.Session(region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
    clients = {name: aws.client(name, endpoint_url=harness["AWS_ENDPOINT_URL"]) for name in
               ("cloudformation", "lambda", "apigateway", "events", "ssm", "logs", "iam", "dynamodb")}
    return {"runs": runs, "clients": clients, "env": harness}


def consumer_arn(clients: dict) -> str:
    # (moto matches mappings by the ARN Chalice created them with, not by the function's name)
    return clients["lambda"].get_function_configuration(FunctionName="keyhole-test-stream_consumer")["FunctionArn"]


def test_missing_region_or_credentials_fail_at_once_in_one_line(tmp_path: Path, deploy_venv: Path) -> None:
    copy = fresh_copy(tmp_path)
    bare = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true"}
    # GIVEN no region WHEN deploying THEN one line says so, before anything is built
    no_region = make(copy, bare, "-s", "deploy", "STAGE=test")
    assert no_region.returncode != 0
    assert no_region.stderr.strip().splitlines()[0] == (
        "make deploy: REGION is required, e.g. make deploy STAGE=prod REGION=eu-west-1")
    assert not (copy / "build").exists()
    # GIVEN a region but no credentials THEN one line says so, before anything is built
    no_credentials = make(copy, bare, "-s", "deploy", "STAGE=test", f"REGION={REGION}")
    assert no_credentials.returncode != 0
    lines = [line for line in no_credentials.stderr.splitlines() if not line.startswith("make")]
    assert lines == ["deploy: no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
                     "AWS_SECRET_ACCESS_KEY)"], no_credentials.stderr
    assert not (copy / "build").exists()


def test_deploy_runs_every_step_and_the_smoke_test(deployed: dict) -> None:
    (first, first_out), (second, second_out) = deployed["runs"]
    assert "creating stack keyhole-test" in first_out and "Creating Rest API" in first_out
    for line in ("GET /robots.txt: 200", "Keyhole's dead-link 404 with viewer headers", "/v1/openapi.json"):
        assert line in first_out and line in second_out
    # AND no tracked file was edited to carry account values: they live in build/deploy/test
    for copy in (first, second):
        for tracked in (".chalice/config.json", "infra/template.json", "infra/chalice-merge.json"):
            assert (copy / tracked).read_bytes() == (ROOT / tracked).read_bytes()
    built = json.loads((second / "build" / "deploy" / "test" / ".chalice" / "config.json").read_text())
    assert built["stages"]["test"]["environment_variables"]["KEYHOLE_STREAM_ARN"].startswith("arn:aws:dynamodb:")


def test_rerunning_from_another_clone_updates_the_same_stage(deployed: dict) -> None:
    clients = deployed["clients"]
    (_, _), (second, second_out) = deployed["runs"]
    assert "restored Chalice's deployed state from SSM" in second_out
    assert "Updating rest API" in second_out and "Creating Rest API" not in second_out
    assert len(clients["apigateway"].get_rest_apis()["items"]) == 1
    (api,) = clients["apigateway"].get_rest_apis()["items"]
    assert api["name"] == "keyhole-test"  # the ApiName the alarms and the dashboard use
    mappings = clients["lambda"].list_event_source_mappings(FunctionName=consumer_arn(clients))
    assert len(mappings["EventSourceMappings"]) == 1
    # AND the WAF stack update carried the deployed API stage
    stack = clients["cloudformation"].describe_stacks(StackName="keyhole-test")["Stacks"][0]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters["ApiStageArn"] == f"arn:aws:apigateway:{REGION}::/restapis/{api['id']}/stages/api"


def test_stream_mapping_has_partial_batches_bisect_retries_and_the_failure_queue(deployed: dict) -> None:
    clients = deployed["clients"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in
               clients["cloudformation"].describe_stacks(StackName="keyhole-test")["Stacks"][0]["Outputs"]}
    (mapping,) = clients["lambda"].list_event_source_mappings(FunctionName=consumer_arn(clients))["EventSourceMappings"]
    assert mapping["EventSourceArn"] == outputs["TableStreamArn"]  # the stack's real stream, from its outputs
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 5
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": outputs["StreamFailureQueueArn"]}}


def test_each_function_runs_as_its_own_role_with_the_stack_values(deployed: dict) -> None:
    clients = deployed["clients"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in
               clients["cloudformation"].describe_stacks(StackName="keyhole-test")["Stacks"][0]["Outputs"]}
    roles = {}
    for function, name in FUNCTIONS.items():
        config = clients["lambda"].get_function_configuration(FunctionName=function)
        roles[name] = config["Role"]
        assert config["Runtime"] == "python3.12"
        env = config["Environment"]["Variables"]
        assert env["KEYHOLE_TABLE"] == outputs["TableName"] and env["KEYHOLE_KMS_KEY_ID"] == outputs["KmsKeyArn"]
        assert env["KEYHOLE_STREAM_ARN"] == outputs["TableStreamArn"]
        assert env["KEYHOLE_FILES_BUCKET"] == outputs["FilesBucketName"]
    assert len(set(roles.values())) == 5
    assert roles == {"api_handler": outputs["ApiRoleArn"], "stream_consumer": outputs["StreamConsumerRoleArn"],
                     "webhook_drain": outputs["WebhookDrainRoleArn"], "sweep_expired_slots": outputs["SweepRoleArn"],
                     "files_worker": outputs["FilesWorkerRoleArn"]}
    assert clients["lambda"].get_function_configuration(FunctionName="keyhole-test")["Timeout"] < 29
    # AND the background functions have concurrency of their own that an API flood cannot take
    for function in ("keyhole-test-stream_consumer", "keyhole-test-webhook_drain", "keyhole-test-files_worker"):
        assert clients["lambda"].get_function_concurrency(FunctionName=function)["ReservedConcurrentExecutions"] > 0
    # AND each function's log group exists with a retention (created by the stack, named like the function)
    groups = {g["logGroupName"]: g for g in clients["logs"].describe_log_groups(logGroupNamePrefix="/aws/lambda/keyhole-test")["logGroups"]}
    for function in FUNCTIONS:
        assert groups[f"/aws/lambda/{function}"]["retentionInDays"] == 30


def test_schedules_invoke_the_drain_and_the_sweep(deployed: dict) -> None:
    events = deployed["clients"]["events"]
    schedules = {}
    for rule in events.list_rules()["Rules"]:
        (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        schedules[target["Arn"].rsplit(":", 1)[-1]] = rule["ScheduleExpression"]
    assert schedules == {"keyhole-test-webhook_drain": "rate(1 minute)",
                         "keyhole-test-sweep_expired_slots": "rate(5 minutes)",
                         "keyhole-test-files_worker": "rate(1 minute)"}


def test_the_deployed_code_is_the_compiled_package(deployed: dict) -> None:
    (first, _), _ = deployed["runs"]
    zips = sorted((first / "build" / "deploy" / "test" / ".chalice" / "deployments").glob("*.zip"))
    assert zips
    with zipfile.ZipFile(zips[-1]) as archive:
        names = set(archive.namelist())
    assert "app.py" in names and "__pycache__/app.cpython-312.pyc" in names
    assert not any(name.startswith(("botocore/", "boto3/")) for name in names)


def test_the_origin_proxy_route_and_binary_media_are_deployed(deployed: dict) -> None:
    # Chalice has no greedy routes of its own: `/share/{token}/o/{proxy+}` is registered as a route
    # whose only view argument is `token`, and post_deploy lets every media type through as binary.
    apigateway = deployed["clients"]["apigateway"]
    api = next(a for a in apigateway.get_rest_apis()["items"] if a["name"] == "keyhole-test")
    assert "*/*" in (apigateway.get_rest_api(restApiId=api["id"]).get("binaryMediaTypes") or [])
    paths = {r["path"]: r for r in apigateway.get_resources(restApiId=api["id"], limit=500)["items"]}
    proxy = paths["/share/{token}/o/{proxy+}"]
    assert {"GET", "HEAD", "POST"} <= set(proxy.get("resourceMethods") or {})
    assert "/share/{token}/o" in paths


def ops_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The ops CLI as ops run it against a deployed stage: credentials and region, nothing else."""
    cli_env = {k: v for k, v in env.items() if k != "SMOKE_URL"} | {"AWS_DEFAULT_REGION": REGION}
    return subprocess.run([sys.executable, "-m", "chalicelib.ops.cli", *args], cwd=ROOT, env=cli_env,
                          capture_output=True, text=True, timeout=300)


def test_the_ops_cli_works_on_a_stage_only_make_deploy_knows(deployed: dict) -> None:
    # GIVEN stage `test`, which .chalice/config.json does not name, deployed by `make deploy`
    assert "test" not in json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"]
    # WHEN ops create a tenant on it THEN the CLI finds the stage's tables and key in the stack's outputs
    created = ops_cli(deployed["env"], "--stage", "test", "tenant", "create", "--name", "Deployed Co", "--plan", "team")
    assert created.returncode == 0, created.stderr
    tenant = json.loads(created.stdout)["tenant"]
    item = deployed["clients"]["dynamodb"].get_item(TableName="keyhole-test", Key={"pk": {"S": f"TENANT#{tenant['id']}"},
                                                                                  "sk": {"S": "TENANT"}})
    assert "Item" in item
    listed = ops_cli(deployed["env"], "--stage", "test", "tenant", "list")
    assert tenant["id"] in {t["id"] for t in json.loads(listed.stdout)}
    # AND a stage that was never deployed is one line naming what to do
    missing = ops_cli(deployed["env"], "--stage", "staging", "tenant", "list")
    assert missing.returncode == 2 and len(missing.stderr.splitlines()) == 1, missing.stderr
    assert missing.stderr.startswith("error: no stack keyhole-staging in us-east-1") and "make deploy STAGE=staging" in missing.stderr


def _role_statements(iam, role: str) -> list[dict]:
    (name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    if isinstance(document, str):  # moto keeps a policy CloudFormation gave it as the dict's repr
        document = ast.literal_eval(document)
    return [s for s in document["Statement"] if s is not None]  # (moto keeps an AWS::NoValue as null)


def test_replacing_the_kms_key_is_commands_only(deployed: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    env, clients = deployed["env"], deployed["clients"]
    kms = boto3.client("kms", region_name=REGION, endpoint_url=env["AWS_ENDPOINT_URL"],
                       aws_access_key_id="test", aws_secret_access_key="test")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in
               clients["cloudformation"].describe_stacks(StackName="keyhole-test")["Stacks"][0]["Outputs"]}
    old = outputs["KmsKeyArn"]
    # GIVEN a link whose token is sealed under the stack's own key (created through the API)
    created = ops_cli(env, "--stage", "test", "tenant", "create", "--name", "Rekeyed Co", "--plan", "team")
    admin = json.loads(created.stdout)["admin_key"]
    api = env["SMOKE_URL"].rstrip("/")
    headers = {"authorization": f"Bearer {admin}"}
    put = requests.put(f"{api}/v1/resources/doc", headers=headers, timeout=30,
                       json={"type": "t", "name": "n", "document": {"a": 1}})
    assert put.status_code == 201, put.text
    link = requests.post(f"{api}/v1/resources/doc/links", headers=headers, json={}, timeout=30).json()

    # WHEN ops follow the runbook: a new key (`aws kms create-key`), a deploy naming both keys
    new = kms.create_key(Description="Keyhole test sealing key 2")["KeyMetadata"]["Arn"]
    kms.enable_key_rotation(KeyId=new)
    copy = fresh_copy(tmp_path_factory.mktemp("clone-rekey"))
    result = make(copy, env, "deploy", "STAGE=test", f"REGION={REGION}", f"SMOKE_URL={env['SMOKE_URL']}",
                  f"KMS_KEY_ARN={new}", f"KMS_PREVIOUS_KEY_ARNS={old}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # THEN every function seals with the new key and may still open the old one
    for function in FUNCTIONS:
        variables = clients["lambda"].get_function_configuration(FunctionName=function)["Environment"]["Variables"]
        assert variables["KEYHOLE_KMS_KEY_ID"] == new and variables["KEYHOLE_KMS_PREVIOUS_KEY_IDS"] == old
    for role in ("keyhole-test-api_handler", "keyhole-test-stream_consumer", "keyhole-test-webhook_drain"):
        by_sid = {s["Sid"]: s for s in _role_statements(clients["iam"], role)}
        assert by_sid["SealingKey"]["Resource"] == new
        assert by_sid["PreviousSealingKeys"]["Action"] == ["kms:Decrypt"]
        assert by_sid["PreviousSealingKeys"]["Resource"] in (old, [old])
        assert by_sid["PreviousSealingKeys"]["Condition"] == by_sid["SealingKey"]["Condition"]  # same context rules
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert new.endswith(aliases["alias/keyhole-test"])

    # WHEN ops re-seal with the CLI (the stage's keys come from the stack: no variable to export)
    state = str(tmp_path_factory.mktemp("reseal") / "state.json")
    check = ops_cli(env, "--stage", "test", "kms", "reseal", "--from", old, "--dry-run", "--state-file", state)
    assert check.returncode == 3 and json.loads(check.stdout)["total"]["resealed"] >= 1, check.stderr
    resealed = ops_cli(env, "--stage", "test", "kms", "reseal", "--from", old, "--state-file", state)
    assert resealed.returncode == 0, resealed.stderr
    again = ops_cli(env, "--stage", "test", "kms", "reseal", "--from", old, "--dry-run", "--state-file", state + "2")
    assert again.returncode == 0 and json.loads(again.stdout)["total"]["resealed"] == 0, again.stderr
    # AND the link is re-copied with the new key alone
    revealed = requests.post(f"{api}/v1/links/{link['id']}/reveal", headers=headers, timeout=30)
    assert revealed.status_code == 200 and revealed.json()["token"] == link["token"]

    # WHEN the previous key is dropped (`none`) THEN the variable and the Decrypt grant are gone
    result = make(fresh_copy(tmp_path_factory.mktemp("clone-rekey-done")), env, "deploy", "STAGE=test",
                  f"REGION={REGION}", f"SMOKE_URL={env['SMOKE_URL']}", "KMS_PREVIOUS_KEY_ARNS=none")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    variables = clients["lambda"].get_function_configuration(FunctionName="keyhole-test")["Environment"]["Variables"]
    assert variables["KEYHOLE_KMS_KEY_ID"] == new and "KEYHOLE_KMS_PREVIOUS_KEY_IDS" not in variables
    assert "PreviousSealingKeys" not in {s["Sid"] for s in _role_statements(clients["iam"], "keyhole-test-api_handler")}
