"""The platform API: one product backend managing many organisations as Keyhole tenants
(docs/platform.md).

- `keys`: platform keys (`khp_...`, made by ops, hashed, shown once, audited) and the namespaces
  they own; verifying one for the platform routes;
- `access`: authenticating an admin request whatever its credential: a tenant's own API key, or a
  platform key acting for one of its tenants (`Keyhole-Tenant`), with the request's actor
  (`Keyhole-Actor`), or a console session (chalicelib/console/), as one `Principal`.

May import `console`, `resources`, `links`, `webhooks`, `tenancy`, `origin` and everything below them; the
stream consumer (`access`), `ops` and `app.py` import it.
"""
