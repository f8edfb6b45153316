"""What viewers did: the access log and the stream consumer that accounts for it.

- `accesslog`: `GET /v1/links/{id}/access-logs`, served from the access event items;
- `consumer`: the DynamoDB stream consumer: counters, system audit events, webhook fan-out
  (docs/stream.md).

May import `links`, `webhooks`, `tenancy` and everything below them.
"""
