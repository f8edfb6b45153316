"""Resources: what a link shares, and the content viewers see.

- `resources`: create, replace, merge-patch, list, delete (which revokes its links), origin secrets;
- `documents`: where content is stored and read (viewer heads, version bodies, compression);
- `display`: display hints for the viewer's page (pure);
- `redaction`: scope projection, redaction rules, the default secret names (pure);
- `mergepatch`: JSON Merge Patch, RFC 7396 (pure);
- `preconditions`: `If-Match` / `If-None-Match` against a resource's ETag (pure).

May import `links`, `tenancy`, `origin` and everything below them.
"""
