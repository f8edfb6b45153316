"""The deployment package, the packaged template and infra/: what moto cannot show, checked on paper.

`make package` builds build/package/{deployment.zip,sam.json}; cfn-lint errors fail here, checkov
reports (its findings are printed, never fail the build).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts import bundle

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
DEPLOY_VENV = ROOT / "build" / "venv-deploy"
CHECKOV = ROOT / "build" / "venv-checkov" / "bin" / "checkov"
PACKAGE = ROOT / "build" / "package"
TEMPLATE = json.loads((ROOT / "infra" / "template.json").read_text())


@pytest.fixture(scope="module")
def package() -> Path:
    if not (DEPLOY_VENV / "bin" / "chalice").exists():
        subprocess.run(["make", "-C", str(ROOT), "deploy-venv", f"VENV={VENV}"], check=True, timeout=900)
    result = subprocess.run(["make", "-C", str(ROOT), "-s", "package", "REGION=us-east-1", f"VENV={VENV}"],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return PACKAGE


def test_chalice_deploy_validation_accepts_the_app() -> None:
    # GIVEN the config `make deploy` generates for a stage (roles and values from the stack)
    from chalice.cli.factory import CLIFactory
    from chalice.deploy.validate import validate_configuration

    outputs = {**bundle.package_outputs(), "TableStreamArn": "arn:aws:dynamodb:us-east-1:1:table/t/stream/s"}
    config_json = bundle.stage_config("test", outputs)

    class GeneratedConfig(CLIFactory):
        def load_project_config(self) -> dict:
            return config_json

    config = GeneratedConfig(str(ROOT), environ=dict(os.environ)).create_config_obj(chalice_stage_name="test")
    # WHEN Chalice's own deploy-time validation runs (the one `chalice deploy` runs, `package` does not)
    validate_configuration(config)  # THEN it raises nothing: every route's content types agree on binary
    assert config.lambda_python_version  # (and the config resolves)
    assert config.scope("test", "stream_consumer").iam_role_arn == outputs["StreamConsumerRoleArn"]


def test_package_is_small_compiled_for_the_runtime_and_without_the_sdk(package: Path) -> None:
    facts = bundle.check_package(package / "deployment.zip")  # raises with the reason otherwise
    assert facts["bytes"] < 8_000_000
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        names = set(archive.namelist())
    assert {"app.py", "__pycache__/app.cpython-312.pyc", "chalice/__pycache__/app.cpython-312.pyc"} <= names
    assert any(n.startswith("cryptography/") and n.endswith("-x86_64-linux-gnu.so") or n.endswith(".abi3.so")
               for n in names)  # manylinux wheels, not this machine's
    assert not any(n.startswith(("botocore/", "boto3/", "s3transfer/")) for n in names)


def test_unpacked_package_imports_with_the_runtime_python(package: Path, tmp_path: Path) -> None:
    # GIVEN the zip unpacked as Lambda does, and the runtime's boto3 (the deploy venv's, Python 3.12)
    with zipfile.ZipFile(package / "deployment.zip") as archive:
        archive.extractall(tmp_path)
    site = subprocess.run([str(DEPLOY_VENV / "bin" / "python"), "-c",
                           "import boto3, os; print(os.path.dirname(os.path.dirname(boto3.__file__)))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    script = ("import sys, pkgutil, importlib; sys.dont_write_bytecode = True; import app, chalicelib; "
              "[importlib.import_module(m.name) for m in pkgutil.walk_packages(chalicelib.__path__, 'chalicelib.')]; "
              "import chalicelib.access.consumer as c; print(sys.version_info[:2], c.__cached__)")
    # WHEN every Keyhole module is imported from it THEN nothing is missing (pruned parts included)
    result = subprocess.run([str(DEPLOY_VENV / "bin" / "python"), "-I", "-c", f"import sys; sys.path[:0] = "
                             f"[{str(tmp_path)!r}, {site!r}]; " + script], cwd=tmp_path, capture_output=True,
                            text=True, env={"PATH": os.environ["PATH"], "KEYHOLE_STREAM_ARN": "arn:x"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "(3, 12)" in result.stdout


def test_packaged_template_is_parameterised_and_lint_clean(package: Path) -> None:
    sam = json.loads((package / "sam.json").read_text())
    assert bundle.PACKAGE_PLACEHOLDER not in json.dumps(sam)  # the merge template replaced every stand-in
    functions = {k: v for k, v in sam["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}
    assert {f["Properties"]["Runtime"] for f in functions.values()} == {"python3.12"}
    assert {json.dumps(f["Properties"]["Role"]) for f in functions.values()} == {
        '{"Ref": "ApiRoleArn"}', '{"Ref": "StreamConsumerRoleArn"}', '{"Ref": "WebhookDrainRoleArn"}',
        '{"Ref": "SweepRoleArn"}', '{"Ref": "FilesWorkerRoleArn"}'}
    lint = subprocess.run([str(VENV / "bin" / "cfn-lint"), "--format", "parseable", str(package / "sam.json"),
                           str(ROOT / "infra" / "template.json")], capture_output=True, text=True)
    errors = [line for line in lint.stdout.splitlines() if ":E" in line.split(" ")[0] or ":E" in line]
    assert not errors, lint.stdout


def test_packaged_api_has_the_origin_proxy_route_and_binary_media(package: Path) -> None:
    sam = json.loads((package / "sam.json").read_text())
    body = sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    assert body["x-amazon-apigateway-binary-media-types"] == ["*/*"]
    route = body["paths"]["/share/{token}/o/{proxy+}"]
    assert {"get", "head", "post", "put", "patch", "delete", "options"} <= set(route)
    for method in ("get", "post"):
        assert route[method]["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
        assert {p["name"] for p in route[method]["parameters"]} == {"token", "proxy"}
    assert "/share/{token}/o" in body["paths"]


def test_checkov_reports_on_infra_and_the_package(package: Path) -> None:
    if not CHECKOV.exists():
        subprocess.run(["make", "-C", str(ROOT), "checkov-venv"], check=True, timeout=900)
    result = subprocess.run([str(CHECKOV), "--quiet", "--compact", "--framework", "cloudformation", "-f",
                             str(ROOT / "infra" / "template.json"), "-f", str(package / "sam.json")],
                            capture_output=True, text=True, timeout=600)
    print(result.stdout[-6000:], file=sys.stderr)  # a report: findings are read, not gated
    assert "Passed checks" in result.stdout, result.stderr[-2000:]


def _statements(role: str) -> list[dict]:
    (policy,) = TEMPLATE["Resources"][role]["Properties"]["Policies"]
    return [s for s in policy["PolicyDocument"]["Statement"] if "Fn::If" not in s]


@pytest.mark.parametrize("role", ["ApiRole", "StreamConsumerRole", "WebhookDrainRole", "SweepRole", "FilesWorkerRole"])
def test_every_role_names_its_resources(role: str) -> None:
    for statement in _statements(role):
        # no wildcard resource (X-Ray, which has no resource-level permissions, is behind the Tracing condition)
        assert statement["Resource"] != "*", statement
        assert not any(action.endswith(":*") for action in statement["Action"]), statement
    logs = next(s for s in _statements(role) if s["Sid"] == "OwnLogGroup")
    assert logs["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert "/aws/lambda/keyhole-${Stage}" in logs["Resource"]["Fn::Sub"]


def test_the_stream_consumer_may_keep_the_view_counters_and_nothing_else_there() -> None:
    # The consumer counts views in the counters table (`LV#<link>` items, chalicelib/links/viewcounts.py):
    # one conditional UpdateItem per link per batch (in a transaction for a link that has no item
    # yet), a GetItem when a condition failed, and a DeleteItem when the link's record is removed.
    counters = [s for s in _statements("StreamConsumerRole") if s["Resource"] == {"Fn::GetAtt": ["CountersTable", "Arn"]}]
    assert [s["Action"] for s in counters] == [["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]]


SEALING_KEY = {"Fn::If": ["UseSealingKeyArn", {"Ref": "SealingKeyArn"}, {"Fn::GetAtt": ["SealingKey", "Arn"]}]}


def _previous_keys_statement(role: str, sid: str = "PreviousSealingKeys") -> dict:
    (policy,) = TEMPLATE["Resources"][role]["Properties"]["Policies"]
    (found,) = [s["Fn::If"] for s in policy["PolicyDocument"]["Statement"]
                if "Fn::If" in s and s["Fn::If"][0] == "HasPreviousSealingKeys" and s["Fn::If"][1]["Sid"] == sid]
    assert found[2] == {"Ref": "AWS::NoValue"}  # no previous key: no statement at all
    return found[1]


def test_key_use_is_bound_to_keyholes_encryption_context() -> None:
    api = next(s for s in _statements("ApiRole") if s["Sid"] == "SealingKey")
    assert api["Resource"] == SEALING_KEY  # a key's ARN (the stack's, or the replacement's), never an alias
    assert api["Condition"]["ForAllValues:StringEquals"]["kms:EncryptionContextKeys"] == ["keyhole:tenant",
                                                                                          "keyhole:purpose"]
    for role in ("StreamConsumerRole", "WebhookDrainRole"):  # they only open webhook secrets, never tokens
        kms = next(s for s in _statements(role) if s["Sid"] == "SealingKey")
        assert kms["Action"] == ["kms:Decrypt"]
        assert kms["Condition"]["StringEquals"]["kms:EncryptionContext:keyhole:purpose"] == ["webhook-secret"]
    assert not any(s["Sid"] == "SealingKey" for s in _statements("SweepRole"))
    # During a key replacement the previous keys may only open, under the same encryption context
    for role in ("ApiRole", "StreamConsumerRole", "WebhookDrainRole"):
        current = next(s for s in _statements(role) if s["Sid"] == "SealingKey")
        previous = _previous_keys_statement(role)
        assert previous["Action"] == ["kms:Decrypt"] and previous["Condition"] == current["Condition"]
        assert previous["Resource"] == {"Fn::Split": [",", {"Ref": "PreviousSealingKeyArns"}]}
    resources = TEMPLATE["Resources"]
    assert resources["SealingKeyAlias"]["Properties"]["TargetKeyId"] == {
        "Fn::If": ["UseSealingKeyArn", {"Ref": "SealingKeyArn"}, {"Ref": "SealingKey"}]}
    assert TEMPLATE["Outputs"]["KmsKeyArn"]["Value"] == SEALING_KEY
    assert TEMPLATE["Outputs"]["KmsPreviousKeyArns"]["Condition"] == "HasPreviousSealingKeys"
    import re

    key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    for parameter, good, bad in (("SealingKeyArn", key_arn, "alias/keyhole-prod"),
                                 ("PreviousSealingKeyArns", f"{key_arn},{key_arn}", f"{key_arn},")):
        pattern = re.compile(TEMPLATE["Parameters"][parameter]["AllowedPattern"])
        assert pattern.match("") and pattern.match(good) and not pattern.match(bad)


@pytest.mark.parametrize("prefix, parameter, name", [
    ("Public", "Domain", {"Ref": "Domain"}),
    ("Content", "ContentDomain", {"Fn::Sub": "*.${ContentDomain}"}),
])
def test_custom_domains_are_certified_by_dns_mapped_and_pointed_at(prefix: str, parameter: str, name: dict) -> None:
    """What the emulator cannot prove (ACM reading public DNS, TLS, the regional endpoint), on paper."""
    resources, conditions, outputs = TEMPLATE["Resources"], TEMPLATE["Conditions"], TEMPLATE["Outputs"]
    zone = "DomainHostedZoneId" if prefix == "Public" else "ContentHostedZoneId"
    certificate_arn = "DomainCertificateArn" if prefix == "Public" else "ContentCertificateArn"
    has = "HasDomain" if prefix == "Public" else "HasContentDomain"
    needs = "DomainNeedsCertificate" if prefix == "Public" else "ContentNeedsCertificate"
    # a certificate for the name (the wildcard for content), validated by DNS records CloudFormation
    # writes in the hosted zone, only when no certificate was given
    certificate = resources[f"{prefix}Certificate"]
    assert certificate["Type"] == "AWS::CertificateManager::Certificate" and certificate["Condition"] == needs
    assert conditions[needs] == {"Fn::And": [{"Condition": has}, {"Fn::Equals": [{"Ref": certificate_arn}, ""]}]}
    assert certificate["Properties"]["DomainName"] == name and certificate["Properties"]["ValidationMethod"] == "DNS"
    assert certificate["Properties"]["DomainValidationOptions"] == [{"DomainName": name, "HostedZoneId": {"Ref": zone}}]
    # a regional custom domain (the certificate in the stack's region), TLS 1.2, with that certificate
    domain = resources[f"{prefix}DomainName"]["Properties"]
    assert resources[f"{prefix}DomainName"]["Condition"] == has
    assert domain["DomainName"] == name and domain["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert domain["SecurityPolicy"] == "TLS_1_2"
    assert domain["RegionalCertificateArn"] == {"Fn::If": [needs, {"Ref": f"{prefix}Certificate"}, {"Ref": certificate_arn}]}
    # mapped with an empty base path to the stage's API, once `make deploy` knows it (ApiStageArn)
    mapping = resources[f"{prefix}BasePathMapping"]
    assert conditions[mapping["Condition"]] == {"Fn::And": [{"Condition": has}, {"Condition": "AttachWebAcl"}]}
    assert "BasePath" not in mapping["Properties"] and mapping["Properties"]["Stage"] == {"Ref": "ApiGatewayStage"}
    assert mapping["Properties"]["RestApiId"] == {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "ApiStageArn"}]}]}
    assert "arn:aws:apigateway:eu-west-1::/restapis/a1b2c3d4e5/stages/api".split("/")[2] == "a1b2c3d4e5"
    # an alias record to the regional domain, in the zone, when one is given
    record = resources[f"{prefix}DnsRecord"]["Properties"]
    assert record["HostedZoneId"] == {"Ref": zone} and record["Name"] == name and record["Type"] == "A"
    assert record["AliasTarget"]["DNSName"] == {"Fn::GetAtt": [f"{prefix}DomainName", "RegionalDomainName"]}
    assert record["AliasTarget"]["HostedZoneId"] == {"Fn::GetAtt": [f"{prefix}DomainName", "RegionalHostedZoneId"]}
    # and the URL the app is configured with (make deploy reads the output)
    url = outputs["PublicUrl" if prefix == "Public" else "ContentUrl"]
    assert url["Condition"] == has
    assert url["Value"] == ({"Fn::Sub": "https://${Domain}"} if prefix == "Public"
                            else {"Fn::Sub": "https://{label}.${ContentDomain}"})


def test_the_stack_outputs_set_the_stage_settings_make_deploy_and_the_ops_cli_use() -> None:
    from chalicelib.ops import stage

    assert set(stage.STACK_OUTPUTS) <= set(TEMPLATE["Outputs"])
    outputs = {"TableName": "keyhole-qa", "CountersTableName": "keyhole-qa-counters", "KmsKeyArn": "arn:k",
               "TableStreamArn": "arn:s", "PublicUrl": "https://share.example.com",
               "ContentUrl": "https://{label}.content.example.net", "KmsPreviousKeyArns": "arn:old"}
    env = bundle.stage_config("qa", {**bundle.package_outputs(), **outputs})["stages"]["qa"]["environment_variables"]
    assert env["KEYHOLE_PUBLIC_URL"] == "https://share.example.com"
    assert env["KEYHOLE_CONTENT_URL"] == "https://{label}.content.example.net"
    assert env["KEYHOLE_KMS_KEY_ID"] == "arn:k" and env["KEYHOLE_KMS_PREVIOUS_KEY_IDS"] == "arn:old"
    plain = bundle.stage_config("qa", bundle.package_outputs())["stages"]["qa"]["environment_variables"]
    assert not {"KEYHOLE_PUBLIC_URL", "KEYHOLE_CONTENT_URL", "KEYHOLE_KMS_PREVIOUS_KEY_IDS"} & set(plain)
    only_consumer = [r for r in ("ApiRole", "WebhookDrainRole", "SweepRole")
                     if any(s["Sid"] in ("TableStream", "OnFailureDestination") for s in _statements(r))]
    assert only_consumer == []


def test_stateful_resources_survive_mistakes_and_the_waf_does_not_undercut_plans() -> None:
    resources = TEMPLATE["Resources"]
    for name in ("SealingKey", "SealingKeyAlias", "MainTable", "CountersTable", "StreamFailureQueue"):
        assert resources[name]["DeletionPolicy"] == "Retain" and resources[name]["UpdateReplacePolicy"] == "Retain"
    for table in ("MainTable", "CountersTable"):
        assert resources[table]["Properties"]["DeletionProtectionEnabled"] is True
    from chalicelib.tenancy.plans import BUILTIN_PLANS  # the per-IP viewer limit of the largest plan, a minute

    largest = max(int(plan["viewer_requests_per_min_per_ip"]) for plan in BUILTIN_PLANS.values())
    assert TEMPLATE["Parameters"]["ShareRequestsPer5MinPerIp"]["Default"] >= 5 * largest


def test_alarms_cover_the_runbook() -> None:
    alarms = {r["Properties"]["AlarmName"]["Fn::Sub"].removeprefix("keyhole-${Stage}-")
              for r in TEMPLATE["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"}
    expected = {"api-5xx-rate", "api-p99-latency", "stream-iterator-age", "stream-failures-queued",
                "table-throttles", "counters-throttles", "table-system-errors", "counters-system-errors", "waf-blocks",
                "files-bucket-4xx-rate", "files-bucket-5xx-rate", "files-jobs-failed"}
    functions = ("api_handler", "stream_consumer", "webhook_drain", "sweep_expired_slots", "files_worker")
    expected |= {f"{fn}-{kind}" for fn in functions for kind in ("errors", "throttles")}
    assert alarms == expected
    runbook = (ROOT / "docs" / "operations.md").read_text()
    for alarm in expected:
        function, _, kind = alarm.rpartition("-")
        documented = f"`keyhole-<stage>-<function>-{kind}`" if function in functions else f"`keyhole-<stage>-{alarm}`"
        assert documented in runbook, alarm
    assert all(function in runbook for function in functions)
    for resource in TEMPLATE["Resources"].values():
        if resource["Type"] == "AWS::CloudWatch::Alarm":
            assert resource["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_the_files_bucket_is_private_encrypted_and_tls_only() -> None:
    """What moto does not enforce (docs/files.md, "Local stack"), asserted on the template."""
    bucket = TEMPLATE["Resources"]["FilesBucket"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": SEALING_KEY}
    assert rule["BucketKeyEnabled"] is True
    assert set(props["PublicAccessBlockConfiguration"].values()) == {True} and len(props["PublicAccessBlockConfiguration"]) == 4
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    assert rules["abandoned-uploads"]["TagFilters"] == [{"Key": "keyhole-upload", "Value": "pending"}]
    assert rules["incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert "NoncurrentVersionExpiration" in rules["deleted-versions"]
    # CORS: only for uploads (PUT), only from the origins ops name; none at all by default
    condition, cors, none = props["CorsConfiguration"]["Fn::If"]
    assert condition == "HasUploadOrigins" and none == {"Ref": "AWS::NoValue"}
    (cors_rule,) = cors["CorsRules"]
    assert cors_rule["AllowedMethods"] == ["PUT"] and cors_rule["AllowedOrigins"] == {"Ref": "FilesUploadOrigins"}
    assert TEMPLATE["Parameters"]["FilesUploadOrigins"]["Default"] == ""
    statements = {s["Sid"]: s for s in TEMPLATE["Resources"]["FilesBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]}
    assert statements["TlsOnly"]["Effect"] == "Deny"
    assert statements["TlsOnly"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert statements["OnlyKeyholesKey"]["Condition"]["StringNotEquals"] == {
        "s3:x-amz-server-side-encryption-aws-kms-key-id": SEALING_KEY}


def test_the_roles_reach_exactly_the_prefixes_they_need() -> None:
    def files_statements(role: str) -> dict:
        return {s["Sid"]: s for s in _statements(role) if "s3:" in json.dumps(s.get("Action"))}

    api = files_statements("ApiRole")
    assert api["FilesUploadsAndDownloads"]["Resource"] == {"Fn::Sub": "${FilesBucket.Arn}/files/*"}
    assert api["BundleDownloads"] == {"Sid": "BundleDownloads", "Effect": "Allow", "Action": ["s3:GetObject"],
                                      "Resource": {"Fn::Sub": "${FilesBucket.Arn}/bundles/*"}}
    assert not any("ListBucket" in json.dumps(s) for s in api.values())
    worker = files_statements("FilesWorkerRole")
    assert worker["ListForDeletion"]["Condition"] == {"StringLike": {"s3:prefix": ["files/*", "bundles/*"]}}
    assert worker["ReadAndDeleteFiles"]["Action"] == ["s3:GetObject", "s3:DeleteObject"]  # never writes files
    for role in ("StreamConsumerRole", "WebhookDrainRole", "SweepRole"):
        assert files_statements(role) == {}
    for role in ("ApiRole", "FilesWorkerRole"):  # the key through S3 only, for this bucket only
        kms = next(s for s in _statements(role) if s["Sid"] == "FilesKeyViaS3")
        assert kms["Resource"] == SEALING_KEY
        assert kms["Condition"]["StringEquals"]["kms:EncryptionContext:aws:s3:arn"] == {"Fn::GetAtt": ["FilesBucket", "Arn"]}
        previous = _previous_keys_statement(role, "FilesPreviousKeysViaS3")
        assert previous["Action"] == ["kms:Decrypt"] and previous["Condition"] == kms["Condition"]
