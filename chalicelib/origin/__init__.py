"""Origin resources (live shares): a share link in front of the tenant's own service.

Pure pieces, free of Keyhole's storage and of Chalice:
- `spec`: the `origin` field and a link's narrowing allow-lists (validation, the request check);
- `paths`: Private Connect's path patterns, normalisation that refuses ambiguous paths, methods;
- `signing`: the canonical request and its Standard Webhooks signature;
- `headers`: which headers cross the proxy each way, the merged CSP, the viewer headers;
- `redirects`: origin redirects confined to the share's prefix;
- `banner`: the "Shared through a private link by <tenant>" banner for HTML;
- `forward`: one proxied call through the vetted outbound transport, shaped for the viewer;
- `origin_secret`: the `whsec_` signing secret: sealing, rotation with a grace period, the
  per-container cache of opened secrets;
- `visits`: how long a visit of a view-limited link lasts, and its used-up capability stays.

The separate, per-link web origin proxied content is served from is `runtime/content_origin.py`
(configuration reads it).

The viewer's side (link checks, accounting) is `chalicelib/viewer/proxy.py`; introspection is
`chalicelib/viewer/introspection.py`. Importing this package imports none of its modules.
May import `sealing`, `outbound`, `runtime`.
"""
