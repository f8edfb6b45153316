"""After `chalice deploy`: what Chalice cannot set, taken from `infra/chalice-merge.json`.

1. API Gateway's gateway responses (Keyhole's error shape; never echo the Authorization header).
2. The REST API's name, `keyhole-<stage>`: Chalice names every stage's API `keyhole`, and API
   Gateway's CloudWatch metrics are keyed by API name and stage name (`api` for every stage), so
   without this the alarms and dashboards of two stages in one account would mix their traffic.
3. The stream consumer's event source mapping settings:

`@app.on_dynamodb_record` creates the mapping, but Chalice has no options for partial batch
responses, bisection, a retry bound, an on-failure destination or filters. Without them one failing
record would be retried until it ages out of the stream (24 hours), blocking its shard, and every
record would invoke the consumer. This script applies the settings `infra/chalice-merge.json` gives
the `chalice package` path (it reads them from that file, so both paths stay the same):

    FunctionResponseTypes      ReportBatchItemFailures (the handler returns batchItemFailures)
    BisectBatchOnFunctionError true
    MaximumRetryAttempts       5
    MaximumRecordAgeInSeconds  86400
    FilterCriteria             only the records the consumer acts on invoke it (docs/stream.md)
    DestinationConfig          OnFailure -> the infra stack's StreamFailureQueueArn output

`make deploy` runs it (scripts/deploy.py). By hand, after
`chalice --project-dir build/deploy/prod deploy --stage prod`:

    python -m scripts.post_deploy --stage prod --project-dir build/deploy/prod
    python -m scripts.post_deploy --stage prod --failure-queue-arn arn:aws:sqs:...:keyhole-prod-stream-failures

It is idempotent: run it after every deploy (a redeploy may recreate the mapping).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = PROJECT_DIR / "infra" / "chalice-merge.json"
CONSUMER = "stream_consumer"  # the handler name in app.py
MAPPING_SETTINGS = (
    "FunctionResponseTypes",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds",
    "FilterCriteria",
)


def mapping_settings(failure_queue_arn: str, template_path: Path = MERGE_TEMPLATE) -> dict[str, Any]:
    """The UpdateEventSourceMapping arguments, taken from the merge template."""
    template = json.loads(template_path.read_text())
    events = template["Resources"]["StreamConsumer"]["Properties"]["Events"]
    (source,) = events.values()
    properties = source["Properties"]
    settings = {name: properties[name] for name in MAPPING_SETTINGS}
    settings["DestinationConfig"] = {"OnFailure": {"Destination": failure_queue_arn}}
    return settings


def gateway_responses(template_path: Path = MERGE_TEMPLATE) -> list[dict[str, Any]]:
    """PutGatewayResponse arguments for the SAM `GatewayResponses` the merge template gives the API.

    API Gateway's own 4xx replies (an unknown route, say) echo the request's Authorization header
    by default, API key included; these replace them with Keyhole's error shape.
    """
    template = json.loads(template_path.read_text())
    responses = template["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    calls = []
    for response_type, spec in responses.items():
        call: dict[str, Any] = {
            "responseType": response_type,
            "responseTemplates": spec.get("ResponseTemplates", {}),
            "responseParameters": {
                f"gatewayresponse.header.{name}": value
                for name, value in spec.get("ResponseParameters", {}).get("Headers", {}).items()
            },
        }
        if "StatusCode" in spec:
            call["statusCode"] = str(spec["StatusCode"])
        calls.append(call)
    return calls


def rest_api_id(stage: str, project_dir: Path = PROJECT_DIR) -> str | None:
    deployed = project_dir / ".chalice" / "deployed" / f"{stage}.json"
    if deployed.exists():
        for resource in json.loads(deployed.read_text()).get("resources", []):
            if resource.get("resource_type") == "rest_api":
                return resource["rest_api_id"]
    return None


def configure_gateway_responses(apigateway: Any, *, api_id: str, api_stage: str = "api") -> list[dict[str, Any]]:
    """Apply the gateway responses and redeploy the stage so they take effect."""
    applied = [apigateway.put_gateway_response(restApiId=api_id, **call) for call in gateway_responses()]
    apigateway.create_deployment(
        restApiId=api_id, stageName=api_stage, description="keyhole post_deploy: gateway responses"
    )
    return applied


# Proxied responses of origin links (docs/origins.md) are any bytes under any content type: the API
# treats every type as binary, so a base64 body with isBase64Encoded is decoded; text answers of the
# other routes are not base64 and pass unchanged. `make package` sets the same in the merge template.
BINARY_MEDIA_TYPE = "*/*"


def allow_binary(apigateway: Any, *, api_id: str) -> bool:
    """Add `*/*` to the API's binary media types (idempotent); True when it changed something."""
    current = apigateway.get_rest_api(restApiId=api_id).get("binaryMediaTypes") or []
    if BINARY_MEDIA_TYPE in current:
        return False
    apigateway.update_rest_api(restApiId=api_id, patchOperations=[{"op": "add", "path": "/binaryMediaTypes/*~1*"}])
    return True


def name_api(apigateway: Any, *, api_id: str, stage: str) -> str:
    """Name the API `keyhole-<stage>` (its metrics' ApiName dimension); idempotent."""
    name = f"keyhole-{stage}"
    if apigateway.get_rest_api(restApiId=api_id).get("name") != name:
        apigateway.update_rest_api(
            restApiId=api_id, patchOperations=[{"op": "replace", "path": "/name", "value": name}]
        )
    return name


def apply(
    session: Any,
    *,
    stage: str,
    function: str,
    stream_arn: str,
    failure_queue_arn: str,
    rest_api_id: str,
    api_stage: str = "api",
    endpoint_url: str | None = None,
) -> list[dict[str, Any]]:
    """Every post-deploy setting, in order; returns the updated event source mappings."""
    updated = configure(
        session.client("lambda", endpoint_url=endpoint_url),
        function=function,
        stream_arn=stream_arn,
        settings=mapping_settings(failure_queue_arn),
    )
    apigateway = session.client("apigateway", endpoint_url=endpoint_url)
    name_api(apigateway, api_id=rest_api_id, stage=stage)
    allow_binary(apigateway, api_id=rest_api_id)  # before the redeploy below, which makes it take effect
    configure_gateway_responses(apigateway, api_id=rest_api_id, api_stage=api_stage)
    return updated


def stack_outputs(session: Any, stack_name: str, endpoint_url: str | None) -> dict[str, str]:
    cfn = session.client("cloudformation", endpoint_url=endpoint_url)
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def function_name(stage: str, app_name: str = "keyhole", project_dir: Path = PROJECT_DIR) -> str:
    """The deployed consumer: from `.chalice/deployed/<stage>.json` if present, else Chalice's naming."""
    deployed = project_dir / ".chalice" / "deployed" / f"{stage}.json"
    if deployed.exists():
        for resource in json.loads(deployed.read_text()).get("resources", []):
            if resource.get("resource_type") == "lambda_function" and resource.get("name") == CONSUMER:
                return resource["lambda_arn"]
    return f"{app_name}-{stage}-{CONSUMER}"


def configure(lambda_client: Any, *, function: str, stream_arn: str, settings: dict[str, Any]) -> list[dict[str, Any]]:
    """Update every mapping from `stream_arn` to `function`; returns the updated configurations."""
    mappings = lambda_client.list_event_source_mappings(FunctionName=function, EventSourceArn=stream_arn)
    found = mappings.get("EventSourceMappings", [])
    if not found:
        raise SystemExit(f"no event source mapping from {stream_arn} to {function}: run `chalice deploy` first")
    updated = []
    for mapping in found:
        lambda_client.update_event_source_mapping(UUID=mapping["UUID"], **settings)
        updated.append(lambda_client.get_event_source_mapping(UUID=mapping["UUID"]))
    return updated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", required=True, help="the Chalice stage you deployed")
    parser.add_argument("--stack", help="infra stack name (default keyhole-<stage>)")
    parser.add_argument("--failure-queue-arn", help="default: the stack's StreamFailureQueueArn output")
    parser.add_argument("--stream-arn", help="default: the stack's TableStreamArn output")
    parser.add_argument("--function", help="consumer function name or ARN (default: from .chalice/deployed)")
    parser.add_argument("--rest-api-id", help="the API Gateway REST API id (default: from .chalice/deployed)")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
    parser.add_argument("--endpoint-url", help="AWS endpoint (moto, tests)")
    parser.add_argument("--project-dir", help="the Chalice project deployed (default: build/deploy/<stage> if present)")
    args = parser.parse_args(argv)

    import boto3

    session = boto3.Session(region_name=args.region)
    queue_arn, stream_arn = args.failure_queue_arn, args.stream_arn
    if not queue_arn or not stream_arn:
        outputs = stack_outputs(session, args.stack or f"keyhole-{args.stage}", args.endpoint_url)
        queue_arn = queue_arn or outputs["StreamFailureQueueArn"]
        stream_arn = stream_arn or outputs["TableStreamArn"]
    built = PROJECT_DIR / "build" / "deploy" / args.stage
    project_dir = Path(args.project_dir).resolve() if args.project_dir else built if built.exists() else PROJECT_DIR
    function = args.function or function_name(args.stage, project_dir=project_dir)
    api_id = args.rest_api_id or rest_api_id(args.stage, project_dir=project_dir)
    if not api_id:
        raise SystemExit("no REST API found in .chalice/deployed: run `chalice deploy` first (or pass --rest-api-id)")
    updated = apply(
        session,
        stage=args.stage,
        function=function,
        stream_arn=stream_arn,
        failure_queue_arn=queue_arn,
        rest_api_id=api_id,
        endpoint_url=args.endpoint_url,
    )
    for mapping in updated:
        shown = {k: mapping.get(k) for k in ("UUID", "State", *MAPPING_SETTINGS, "DestinationConfig")}
        print(json.dumps(shown, indent=2, default=str))
    print(f"API {api_id} named keyhole-{args.stage}; gateway responses set")
    return 0


if __name__ == "__main__":
    sys.exit(main())
