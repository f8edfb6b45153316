"""Keyhole's domain code, free of Chalice, grouped by capability (docs/design.md, "Packages").

Imports point one way: `app.py` -> capabilities (`access`, `viewer` > `platform` > `resources` > `links`,
`webhooks` > `tenancy` > `origin`) -> `service` -> storage and sealing (`storage`, `sealing`,
`credentials`, `outbound`) -> `runtime`. `tests/unit/test_layers.py` fails on an import that points
up or sideways, or on a cycle. Two modules stand loose here, each for a reason in its docstring:
`service.py` (the composition root every capability receives) and `app_libraries.py` (what `app.py`
imports first).
"""
