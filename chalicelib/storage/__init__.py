"""How items are kept: PynamoDB models, the store, item sizes and fixed-window counters.

- `models`: every PynamoDB model (per-model `Meta`), one place;
- `store`: binding, batch gets, transactions, paging, the errors that mean "unavailable";
- `sizes`: item sizes by DynamoDB's billing rules;
- `ratelimit`: fixed-window counters in the counters table;
- `contents`: a resource's stored content read back (written by `resources.documents`).

May import `runtime` only.
"""
