"""Ops tools behind `python -m chalicelib.ops.cli`: incident response and data repair.

`cli` is the command-line tool (arguments and output only). Each other module is one tool, free of
the CLI:

- `stream_records`: the Lambda event shape of DynamoDB stream records (the local pump and replay);
- `replay`: replay the stream records named in the stream-failure queue through the consumer;
- `viewcounts`: recount `view_count` from the access events the consumer has not counted;
- `revocation`: revoke links in bulk (a resource, a tenant, the links one API key created);
- `reseal`: re-seal every sealed token and webhook secret under a new KMS key (resumable);
- `stage`: a deployed stage's `KEYHOLE_*` settings from its infra stack's outputs.

The runbook that uses them is docs/operations.md, "Incident response and data tools". May import
any capability package; only `app.py` stands above it.
"""
