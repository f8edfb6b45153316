"""Secrets as values: share tokens, API keys, their one-way hashes, password hashing.

- `tokens`: minting and parsing share tokens (`ShareToken`, `PresentedToken`) and API keys,
  hashing, ids, the token locator;
- `passwords`: scrypt hashes of link passwords.

A primitive that links, keys and tenants all use; imports nothing else of Keyhole's.
"""
