"""Links: capability URLs to one resource.

- `links`: create, list, get, patch, reveal, revoke; slots held against the plan's limits;
- `limits`: the expired-slot sweep and the usage recount (the safety net around the slots);
- `viewcounts`: a link's view counters, counted once per access event from the stream;
- `unlock`: the short-lived cookie a password link's viewer gets;
- `revocation`: revoking links in bulk (a resource's, a tenant's, one key's, a list): ops' incident
  tools and tenant deletion.

May import `tenancy`, `origin` and everything below them.
"""
