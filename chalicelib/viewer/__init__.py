"""The viewer surface (no auth): everything a share token opens.

| module | what it does |
|---|---|
| `resolve` | a token -> the live link (one BatchGetItem), the accounting write, the one 404, viewer headers |
| `json_surface` | `GET/POST /share/{token}/data`, `GET /share/{token}/info` |
| `page_flows` | the HTML flows: the page, the view-limit button, the password unlock |
| `html_responses` | HTML answers several flows send: the one 404 page, 429, a nonce'd page, the password form |
| `proxy` | origin links: the proxied surface on each link's content origin, the hand-over, visits (docs/origins.md) |
| `introspection` | `POST /v1/introspect`: a token resolved as a viewer's would be, for a tenant's own backend |
| `render` | a (scoped, redacted) document -> escaped HTML (pure): values first, then sub-sections |
| `shapes` | what each value becomes: section, table, chart, status strip, chips, list (pure) |
| `charts` | line/area charts and status strips as inline SVG (pure) |
| `tables` | tables: column formats, status pills, rows the page's script filters and pages (pure) |
| `values`, `escape` | names, units, numbers, times, status tones; the only two escaping functions (pure) |
| `pages` | page shells and their CSP (pure); CSS and JS are files in `assets/` |

Kept empty on purpose: a route imports only the modules it uses. May import `resources`, `links`,
`tenancy`, `origin` and everything below them; nothing imports it but `app.py` and `ops`.
"""
