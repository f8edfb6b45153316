"""Who is calling, in one typed shape every capability receives: the credential that authenticated
(its kind and id), the tenant the request acts on, the role it acts with, and the actor it names.

Kinds of credential: a tenant's own API key (`key`), a product's platform key acting for one of
its tenants (`platform_key`, always as that tenant's admin), the ops CLI (`ops`), and a console
session (`console_session`, chalicelib/console/: Keyhole's own UI, started by a key). A console
session may be limited to one resource (`Principal.resource_id`): such a principal sees and
changes that resource only (`covers`, `check_resource`; lists are narrowed to it) and never acts
as an admin, since every admin route is tenant-wide. Routes receive the principal and its checks
unchanged, whatever the kind.

The actor (`Keyhole-Actor`) is the product's own user behind the request: informational, recorded
on links, audit events and webhook payloads; the credential is the authority.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.runtime.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.storage.models import Tenant

KEY = "key"  # a tenant's own API key
PLATFORM_KEY = "platform_key"  # a product's platform key acting for one of its tenants
OPS = "ops"  # the ops CLI
CONSOLE_SESSION = "console_session"  # Keyhole's console or share dialog, started by a key (chalicelib/console/)

# `introspect` keys may do one thing: POST /v1/introspect (a product's viewer backend holds one).
ROLES = {"introspect": 0, "viewer": 1, "operator": 2, "admin": 3}

ACTOR_HEADER = "Keyhole-Actor"
MAX_ACTOR_CHARS = 128


@dataclass(frozen=True)
class Credential:
    """What authenticated the request: its kind, its id (a key id; None for ops) and name, and for
    a platform key the namespace it owns."""

    kind: str
    id: str | None
    name: str
    namespace: str | None = None
    minted_by: str | None = None  # a console session: the id of the key (or platform key) that started it

    def audit(self) -> dict[str, Any]:
        """The credential as audit events record it (`actor`)."""
        shown: dict[str, Any] = {"type": self.kind, "id": self.id, "name": self.name}
        if self.namespace is not None:
            shown["namespace"] = self.namespace
        if self.minted_by is not None:
            shown["key_id"] = self.minted_by
        return shown


@dataclass
class Principal:
    """An authenticated caller acting on one tenant."""

    tenant: Tenant
    role: str
    credential: Credential
    actor_id: str | None = None  # `Keyhole-Actor`, when the request named one
    resource_id: str | None = None  # a console session limited to one resource (the share dialog)

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id

    @property
    def key_id(self) -> str | None:
        return self.credential.id

    @property
    def kind(self) -> str:
        return self.credential.kind

    @property
    def name(self) -> str:
        return self.credential.name

    def actor(self) -> dict[str, Any]:
        """Who did it, as an audit event records it: the credential, and the actor when named."""
        shown = self.credential.audit()
        if self.actor_id is not None:
            shown["actor"] = self.actor_id
        return shown

    @property
    def actor_label(self) -> str:
        """The credential's id as records keep it (`created_by`, `revoked_by`): a key id, or `ops`.
        A console session's links are the key's that started it (the authority), with the
        session's actor beside it."""
        return self.credential.minted_by or self.credential.id or self.credential.kind

    def by(self) -> dict[str, str | None]:
        """`created_by` / `revoked_by` of a link made or revoked by this request."""
        return {"key_id": self.actor_label, "actor": self.actor_id}

    @property
    def rate_key(self) -> str | None:
        """The per-minute window this caller's requests count in (None: not counted). A platform
        key counts per tenant it acts for, under that tenant's `api_requests_per_min`."""
        if self.credential.id is None or self.credential.kind == CONSOLE_SESSION:
            return None  # a console session counts its requests on its own item (chalicelib/console/sessions.py)
        if self.credential.kind == PLATFORM_KEY:
            return f"AK#{self.credential.id}#{self.tenant_id}"
        return f"AK#{self.credential.id}"

    def require(self, role: str) -> None:
        if ROLES[self.role] < ROLES[role]:
            raise Forbidden(f"This action needs the {role} role; this {self.credential_word} is {self.role}")
        if self.resource_id is not None and ROLES[role] >= ROLES["admin"]:
            raise Forbidden(f"This session is limited to the resource {self.resource_id}; this action is tenant-wide")

    @property
    def credential_word(self) -> str:
        return "session" if self.credential.kind == CONSOLE_SESSION else "key"

    def covers(self, resource_id: str | None) -> bool:
        """Whether this caller may see and change `resource_id` (always, unless limited to another)."""
        return self.resource_id is None or self.resource_id == resource_id

    def check_resource(self, resource_id: str | None) -> None:
        """The usual 404 for a resource outside the caller's limit, exactly as for an unknown one."""
        if resource_id is not None and not self.covers(resource_id):
            raise NotFound("No such resource")

    def require_introspection(self) -> None:
        """An `introspect` key, or operator and above."""
        if self.role != "introspect" and ROLES[self.role] < ROLES["operator"]:
            raise Forbidden(f"Introspection needs an introspect or operator key; this key is {self.role}")


def ops_principal(tenant: Tenant) -> Principal:
    """The ops CLI acting on one tenant: admin rights, audited with the actor `ops`."""
    return Principal(tenant=tenant, role="admin", credential=Credential(kind=OPS, id=None, name="ops"))


def valid_actor(value: Any) -> bool:
    """1-128 printable characters (the product's user id, opaque to Keyhole)."""
    return isinstance(value, str) and 1 <= len(value) <= MAX_ACTOR_CHARS and value.isprintable()


def actor_from(headers: Mapping[str, str]) -> str | None:
    """The request's `Keyhole-Actor` (None when absent); 422 naming the header when malformed."""
    value = next((v for k, v in headers.items() if k.lower() == ACTOR_HEADER.lower()), None)
    if value is None:
        return None
    value = value.strip()
    if not valid_actor(value):
        raise ValidationFailed.field(ACTOR_HEADER, f"must be 1-{MAX_ACTOR_CHARS} printable characters")
    return value
