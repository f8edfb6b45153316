"""Revoke links in bulk, for incident response (`opscli links revoke`): every active link of a
resource, of a tenant, the ones one API key created, or a list. A thin caller of
`chalicelib/links/revocation.py`, acting as ops (audited with the actor `ops` and the reason given).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from chalicelib.links.revocation import Revocation
from chalicelib.links.revocation import revoke_links as revoke_as
from chalicelib.service import Keyhole, RequestInfo
from chalicelib.tenancy.principals import ops_principal
from chalicelib.tenancy.tenants import get_tenant

__all__ = ["Revocation", "revoke_links"]


def revoke_links(
    svc: Keyhole,
    tenant_id: str,
    *,
    resource_id: str | None = None,
    created_by: str | None = None,
    link_ids: list[str] | None = None,
    reason: str = "incident response",
    dry_run: bool = False,
) -> Iterator[Revocation]:
    """Revoke every matching active link of the tenant, as ops; one result per link as it is done."""
    return revoke_as(
        svc,
        ops_principal(get_tenant(svc, tenant_id)),
        RequestInfo(request_id=f"ops-{uuid.uuid4().hex}"),
        resource_id=resource_id,
        created_by=created_by,
        link_ids=link_ids,
        reason=reason,
        dry_run=dry_run,
    )
