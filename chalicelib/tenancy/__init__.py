"""Tenants and what belongs to a tenant as a whole.

- `tenants`: tenants, their settings and usage (admin API and ops);
- `tenant_settings`: a tenant's effective settings and limits, the part viewer requests read;
- `plans`: built-in and ops-defined plans, effective limits;
- `branding`: display name, accent colour, raster logo (pure validation and the page's `Brand`);
- `apikeys`: API keys, roles, the per-key request window;
- `principals`: who is calling (credential, tenant, role, actor): the shape every capability receives;
- `share_urls`: the tenant's share URL template (pure);
- `expiry`: `expires_in` / `expires_at` and the tenant's default and maximum (pure);
- `audit`: the tenant's audit trail (every admin action);
- `embedding`: `embed_origins`, the origins that may frame the console, the share dialog and
  `embeddable` links' pages (`frame-ancestors`);
- `console_grants`: the console sessions a key started, ended when the key is deleted.

May import `service`, `storage`, `sealing`, `credentials`, `runtime`.
"""
