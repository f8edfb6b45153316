"""Runtime plumbing every other package may use; it imports nothing else of Keyhole's.

- `config`: `Settings`, every knob, read once from the environment;
- `awsclients` (+ `aws_endpoints.json`): the process's one botocore session and its clients;
- `caches`: per-container caches (content by version, tenant items, introspecting keys);
- `clock`, `errors` (the API-facing error hierarchy), `logs` (scrubbed structured logs),
  `telemetry` (metrics and log context), `lazy` (modules imported on first use),
  `stack_headroom` (imports with frame-stack headroom: docs/capacity.md);
- `pagination` (opaque cursors), `validation` (field checks that collect every error);
- `public_url` (the base of share URLs), `content_origin` (per-link content hosts of origin links);
- `apidoc` (+ `openapi.json`): the OpenAPI document and its loader.
"""
