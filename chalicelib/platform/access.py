"""Authenticating an admin request, whatever credential it carries, into one `Principal`.

- A tenant's own API key (`kh_...`): that tenant, the key's role (`tenancy.apikeys`).
- A console session (`khs_...`, chalicelib/console/): the session's tenant, role, actor and, for
  the share dialog, its one resource; read with the tenant in one BatchGetItem, as a key is.
- A platform key (`khp_...`) with `Keyhole-Tenant: <the product's id for the tenant>`: that tenant,
  as its admin. The tenant's id derives from the key's namespace and the header, so the key, the
  tenant and whatever the route needs are read in one BatchGetItem: acting for a tenant costs the
  reads the tenant's own key would. Without the header a tenant route answers 400
  `tenant_required`; a tenant of another namespace (or none) is the same 404 as an unknown one.

A key may name the product's user behind the request with `Keyhole-Actor` (1-128 printable
characters): recorded on links, audit events and webhook payloads, never an authority.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chalicelib.console import sessions
from chalicelib.credentials.tokens import (
    CONSOLE_SESSION_PREFIX,
    EXTERNAL_TENANT_ID_RE,
    parse_console_secret,
    parse_platform_key,
    platform_tenant_key,
    tenant_id_for,
)
from chalicelib.platform import keys
from chalicelib.runtime.errors import Conflict, KeyholeError, NotFound, ValidationFailed
from chalicelib.service import Keyhole
from chalicelib.storage.models import Tenant
from chalicelib.tenancy import apikeys
from chalicelib.tenancy.principals import Principal, actor_from

TENANT_HEADER = "Keyhole-Tenant"
Keys = Sequence[tuple[type[Any], tuple[str, str]]]


class TenantRequired(KeyholeError):
    status, code = 400, "tenant_required"
    default_message = f"A platform key acts for one of its tenants: name it with the {TENANT_HEADER} header"


def header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def tenant_id_of_session(raw: str | None) -> str | None:
    secret = parse_console_secret(raw, CONSOLE_SESSION_PREFIX)
    return secret.tenant_id if secret else None


def is_platform_key(raw_key: str | None) -> bool:
    return parse_platform_key(raw_key or "") is not None


def tenant_id_in(namespace_key: str, external_id: str) -> str:
    """Keyhole's id of the product's tenant `external_id` in the namespace."""
    return tenant_id_for(platform_tenant_key(namespace_key, external_id))


def valid_external_id(value: Any) -> bool:
    return isinstance(value, str) and bool(EXTERNAL_TENANT_ID_RE.match(value))


def owned(tenant: Any, namespace_key: str, external_id: str) -> bool:
    """Whether `tenant` is the namespace's live tenant `external_id` (else: the usual 404)."""
    return (
        isinstance(tenant, Tenant)
        and tenant.namespace_key == namespace_key
        and tenant.external_id == external_id
        and tenant.deleted_at is None
    )


def authenticate(
    svc: Keyhole, headers: Mapping[str, str], extra: Callable[[str], Keys] | None = None
) -> tuple[Principal, list[Any]]:
    """The principal of a tenant route, and the `extra(tenant_id)` items read with the credential."""
    raw = apikeys.extract_key(headers)
    if sessions.is_session_token(raw):
        # A console session (chalicelib/console/): its actor is the one it was started for, never
        # a header the page could change.
        tenant_id = tenant_id_of_session(raw)
        return sessions.authenticate(svc, raw, extra(tenant_id) if extra and tenant_id else ())
    if not is_platform_key(raw):
        tenant_id = apikeys.tenant_id_from_key(raw)
        principal, items = apikeys.authenticate(svc, raw, extra(tenant_id) if extra and tenant_id else ())
        principal.actor_id = actor_from(headers)
        return principal, items
    principal, items = act_for_tenant(svc, raw, header(headers, TENANT_HEADER), extra)
    principal.actor_id = actor_from(headers)
    return principal, items


def act_for_tenant(
    svc: Keyhole, raw_key: str | None, external_id: str | None, extra: Callable[[str], Keys] | None = None
) -> tuple[Principal, list[Any]]:
    """A platform key acting for its tenant `external_id`, as that tenant's admin."""
    parsed = parse_platform_key(raw_key or "")
    if parsed is None or external_id is None or not valid_external_id(external_id.strip()):
        keys.verify(svc, raw_key)  # a bad key is 401 before anything else
        if external_id is None:
            raise TenantRequired()
        raise ValidationFailed.field(TENANT_HEADER, "must be 1-128 characters of A-Za-z0-9._:-")
    external_id = external_id.strip()
    tenant_id = tenant_id_in(parsed.namespace_key, external_id)
    item, items = keys.verify(svc, raw_key, [(Tenant, Tenant.key(tenant_id)), *(extra(tenant_id) if extra else ())])
    tenant = items[0]
    if not owned(tenant, item.namespace_key, external_id):
        raise NotFound("No such tenant")
    if tenant.suspended:
        raise Conflict(f"Tenant {external_id} is suspended: resume it (POST /v1/tenants/{external_id}/resume) first")
    return Principal(tenant=tenant, role="admin", credential=keys.credential_of(item)), list(items[1:])
