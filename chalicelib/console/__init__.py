"""Keyhole's own UI: the share dialog (one resource, embedded in the product's page) and the
console (a tenant's staff), both served by Keyhole and working through the admin API itself.

- `sessions`: console sessions, one more kind of credential behind the same `Principal`:
  minting (`POST /v1/console/sessions`, a key's one-time ticket for five minutes), the ticket's
  exchange for a session token (`POST /v1/console/session`: at most 12 hours, idle 30 minutes,
  role at most the key's, optionally limited to one resource), authentication (the session item
  and the tenant in one BatchGetItem, one write a request: what an API key's request costs), and
  ending one (`DELETE /v1/console/session`); a deleted key's sessions are ended by
  `tenancy.console_grants`, a suspended tenant's by authentication itself;
- `pages`: the two HTML pages (`/console/{tenant_id}`, `/console/{tenant_id}/share`): assets
  inlined and allowed by their hashes, `frame-ancestors` from the tenant's `embed_origins`;
- `assets/`: the pages' CSS and JavaScript as files (plain modules, no build step), and the
  vendored QR code encoder (`assets/vendor/`, docs/console.md says why and how to update it).

The session token lives in the page's memory only: no cookie (third-party frames get none), no
storage another page could read, no token in a URL once the page has loaded.

May import `resources`, `links`, `webhooks`, `tenancy`, `origin` and everything below them;
`platform` (authentication of every admin request), `ops` and `app.py` import it.
"""
