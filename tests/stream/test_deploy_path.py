"""The deploy path adds what Chalice cannot set on the stream's event source mapping."""
from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import boto3

from scripts import post_deploy

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {"FunctionResponseTypes": ["ReportBatchItemFailures"], "BisectBatchOnFunctionError": True,
            "MaximumRetryAttempts": 5, "MaximumRecordAgeInSeconds": 86400}


def _filters() -> dict:
    """The consumer's filter criteria as the merge template gives them (devstack/pump.py applies the same)."""
    merge = json.loads((ROOT / "infra" / "chalice-merge.json").read_text())
    (source,) = merge["Resources"]["StreamConsumer"]["Properties"]["Events"].values()
    return source["Properties"]["FilterCriteria"]


def test_merge_template_configures_the_mapping_chalice_generates():
    import botocore.session
    from chalice.awsclient import TypedAWSClient
    from chalice.cli.factory import CLIFactory
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.package import PackageOptions, SAMTemplateGenerator, TemplateDeepMerger

    # GIVEN the SAM template `chalice package` generates for this app (its functions and events;
    # generated in process, without building the deployment zip)
    config = CLIFactory(str(ROOT), environ=dict(os.environ)).create_config_obj(chalice_stage_name="prod")
    resources = DependencyBuilder().build_dependencies(ApplicationGraphBuilder().build(config, "prod"))
    wanted = (models.ManagedIAMRole, models.LambdaFunction, models.DynamoDBEventSource, models.ScheduledEvent,
              models.RestAPI)
    generator = SAMTemplateGenerator(config, PackageOptions(TypedAWSClient(botocore.session.get_session())))
    generated = generator.generate([r for r in resources if isinstance(r, wanted)])
    # WHEN infra/chalice-merge.json is merged into it the way `--merge-template` does
    merge = json.loads((ROOT / "infra" / "chalice-merge.json").read_text())
    merged = TemplateDeepMerger().merge(merge, generated)
    # THEN every resource the merge file names exists in Chalice's template (no dangling fragments)
    assert set(merge["Resources"]) <= set(generated["Resources"])
    events = generated["Resources"]["StreamConsumer"]["Properties"]["Events"]
    assert set(merge["Resources"]["StreamConsumer"]["Properties"]["Events"]) == set(events)
    # AND the stream mapping reports partial failures, bisects, retries a bounded number of times
    # and sends what still fails to the stream-failure queue
    (source,) = merged["Resources"]["StreamConsumer"]["Properties"]["Events"].values()
    properties = source["Properties"]
    assert source["Type"] == "DynamoDB" and properties["StartingPosition"] == "TRIM_HORIZON"
    assert {k: properties[k] for k in EXPECTED} == EXPECTED
    assert properties["DestinationConfig"] == {"OnFailure": {"Destination": {"Ref": "StreamFailureQueueArn"}}}
    # AND only the records the consumer acts on invoke it (at most 5 filters: Lambda's default quota)
    assert properties["FilterCriteria"] == _filters() and 1 <= len(_filters()["Filters"]) <= 5
    assert "StreamFailureQueueArn" in merged["Parameters"]
    # AND the consumer and the drain get a longer timeout than the API handler
    assert merged["Resources"]["StreamConsumer"]["Properties"]["Timeout"] == 60
    assert merged["Resources"]["WebhookDrain"]["Properties"]["Timeout"] == 60
    # AND API Gateway's own error replies use Keyhole's shape and never echo the request's headers
    responses = merged["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == 404
    for spec in responses.values():
        template = spec["ResponseTemplates"]["application/json"]
        assert json.loads(template.replace("$context.requestId", "r"))["error"]["request_id"] == "r"
        assert "$context.error" not in template and "$input" not in template
        # (viewer headers included: API Gateway answers some /share/* requests itself)
        assert spec["ResponseParameters"]["Headers"]["Cache-Control"] == "'no-store'"
        assert "frame-ancestors 'none'" in spec["ResponseParameters"]["Headers"]["Content-Security-Policy"]
        assert spec["ResponseParameters"]["Headers"]["X-Robots-Tag"] == "'noindex, nofollow'"


def chalice_like_api(apigateway) -> str:
    """A REST API with one proxied method, as `chalice deploy` leaves it (moto)."""
    api_id = apigateway.create_rest_api(name="keyhole")["id"]
    root = apigateway.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = apigateway.create_resource(restApiId=api_id, parentId=root, pathPart="v1")["id"]
    apigateway.put_method(restApiId=api_id, resourceId=resource, httpMethod="GET", authorizationType="NONE")
    apigateway.put_integration(restApiId=api_id, resourceId=resource, httpMethod="GET", type="MOCK")
    apigateway.create_deployment(restApiId=api_id, stageName="api")
    return api_id


def test_post_deploy_sets_gateway_responses_on_the_deployed_api(aws):
    # GIVEN the REST API `chalice deploy` created (moto)
    apigateway = boto3.client("apigateway", region_name="us-east-1")
    api_id = chalice_like_api(apigateway)
    # WHEN the post-deploy step runs
    post_deploy.configure_gateway_responses(apigateway, api_id=api_id)
    # THEN an unknown route gets a 404 in Keyhole's shape, with no echo of the Authorization header
    missing = apigateway.get_gateway_response(restApiId=api_id, responseType="MISSING_AUTHENTICATION_TOKEN")
    assert missing["statusCode"] == "404"
    assert '"code":"not_found"' in missing["responseTemplates"]["application/json"]
    assert missing["responseParameters"]["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"
    default = apigateway.get_gateway_response(restApiId=api_id, responseType="DEFAULT_4XX")
    assert "$context.error" not in default["responseTemplates"]["application/json"]


def test_post_deploy_sets_the_same_options_on_a_deployed_mapping(aws):
    # GIVEN a consumer function and the mapping `chalice deploy` would create (moto)
    iam = boto3.client("iam", region_name="us-east-1")
    role = iam.create_role(RoleName="keyhole-test-consumer", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def stream_consumer(event, context):\n    return {}\n")
    awslambda = boto3.client("lambda", region_name="us-east-1")
    awslambda.create_function(FunctionName="keyhole-test-stream_consumer", Runtime="python3.11", Role=role,
                              Handler="app.stream_consumer", Code={"ZipFile": code.getvalue()})
    awslambda.create_event_source_mapping(FunctionName="keyhole-test-stream_consumer",
                                          EventSourceArn=aws["TableStreamArn"], BatchSize=100,
                                          StartingPosition="TRIM_HORIZON")
    api_id = chalice_like_api(boto3.client("apigateway", region_name="us-east-1"))
    # WHEN the post-deploy step runs for the stage (queue and stream ARNs from the infra stack)
    assert post_deploy.main(["--stage", "test", "--region", "us-east-1",
                             "--function", "keyhole-test-stream_consumer", "--rest-api-id", api_id]) == 0
    # THEN the mapping has the options the merge template gives packaged deployments
    (mapping,) = awslambda.list_event_source_mappings(FunctionName="keyhole-test-stream_consumer")[
        "EventSourceMappings"]
    assert {k: mapping[k] for k in EXPECTED} == EXPECTED
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": aws["StreamFailureQueueArn"]}}
    assert mapping["FilterCriteria"] == _filters()
