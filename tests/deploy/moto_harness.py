"""moto server for the deploy test, with the four gaps between moto and AWS that `make deploy`
meets worked around here (and only here: the deploy steps and the templates stay as on AWS):

- API Gateway: moto's ImportRestApi/PutRestApi accept only OpenAPI 3 with `info.description`;
  Chalice imports Swagger 2.0. The document is relabelled as OpenAPI 3 before moto reads it (the
  paths and `x-amazon-apigateway-integration`s moto uses have the same shape in both).
- CloudFormation: moto wants a KMS `KeyPolicy` as a JSON string, not an object.
- CloudFormation: moto skips resource types it cannot model (WAF, CloudWatch alarms) but then
  refuses outputs that `Fn::GetAtt` them; such outputs are left unvalidated and unresolved.
- API Gateway: AWS reads an `add` of `/binaryMediaTypes/<type, / as ~1>` from the path (no value);
  moto appends the operation's value (an empty string). The type is taken from the path here.

Run: `python -m tests.deploy.moto_harness --port N` (serves requests one at a time).
"""

from __future__ import annotations

import argparse
import json
from typing import Any


def _as_openapi3(document: dict[str, Any]) -> dict[str, Any]:
    if "swagger" not in document:
        return document
    converted = {k: v for k, v in document.items() if k not in ("swagger", "definitions", "securityDefinitions")}
    converted["openapi"] = "3.0.1"
    converted["info"] = {"description": "", **document.get("info", {})}
    return converted


def patch_moto() -> None:
    from moto.apigateway.models import APIGatewayBackend
    from moto.cloudformation import parsing
    from moto.kms.models import Key

    import_rest_api, put_rest_api = APIGatewayBackend.import_rest_api, APIGatewayBackend.put_rest_api

    def import_swagger(self: Any, api_doc: dict[str, Any], fail_on_warnings: bool) -> Any:
        return import_rest_api(self, _as_openapi3(api_doc), fail_on_warnings)

    def put_swagger(self: Any, function_id: str, api_doc: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        return put_rest_api(self, function_id, _as_openapi3(api_doc), *args, **kwargs)

    APIGatewayBackend.import_rest_api = import_swagger  # type: ignore[method-assign]
    APIGatewayBackend.put_rest_api = put_swagger  # type: ignore[method-assign]

    create_key = Key.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def key_with_policy_object(cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kw: Any) -> Any:
        props = cloudformation_json.get("Properties", {})
        if isinstance(props.get("KeyPolicy"), dict):
            props["KeyPolicy"] = json.dumps(props["KeyPolicy"])
        return create_key(cls, resource_name, cloudformation_json, *args, **kw)

    Key.create_from_cloudformation_json = classmethod(key_with_policy_object)  # type: ignore[assignment]

    from moto.apigateway.models import RestAPI

    apply_patch = RestAPI.apply_patch_operations

    def media_type_from_path(self: Any, operations: list[dict[str, Any]]) -> None:
        fixed = []
        for op in operations:
            path = op.get("path", "")
            if op.get("op") == "add" and path.startswith("/binaryMediaTypes/") and "value" not in op:
                op = {**op, "value": path.split("/", 2)[2].replace("~1", "/").replace("~0", "~")}
            fixed.append(op)
        apply_patch(self, fixed)

    RestAPI.apply_patch_operations = media_type_from_path  # type: ignore[method-assign]

    known = set(parsing.get_model_map())
    validate_outputs, parse_output = parsing.ResourceMap.validate_outputs, parsing.parse_output

    def of_skipped_resource(resources: Any, output: Any) -> bool:
        value = output.get("Value") if isinstance(output, dict) else None
        target = value.get("Fn::GetAtt", [None])[0] if isinstance(value, dict) else None
        return bool(target) and resources._resource_json_map.get(target, {}).get("Type") not in known

    def validate_known_outputs(self: Any) -> None:
        outputs = self._template.get("Outputs")
        if outputs:
            self._template["Outputs"] = {k: v for k, v in outputs.items() if not of_skipped_resource(self, v)}
        try:
            validate_outputs(self)
        finally:
            if outputs:
                self._template["Outputs"] = outputs

    def parse_known_output(logical_id: str, output_json: Any, resources: Any) -> Any:
        return None if of_skipped_resource(resources, output_json) else parse_output(logical_id, output_json, resources)

    parsing.ResourceMap.validate_outputs = validate_known_outputs  # type: ignore[method-assign]
    parsing.parse_output = parse_known_output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    patch_moto()
    from devstack.moto_server import serve

    serve("127.0.0.1", args.port, serial=True)


if __name__ == "__main__":
    main()
