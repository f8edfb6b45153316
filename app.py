"""Keyhole's HTTP API on API Gateway: routing, authentication and error translation only.

Domain logic lives in `chalicelib/` (free of Chalice). Nothing here touches AWS at import time:
the service (clients, tables, KMS) is created on the first request, which keeps cold starts short.
Admin-only modules are bound lazily (`chalicelib/runtime/lazy.py`): every function Chalice deploys imports
this file, and a viewer request or a stream batch should not pay for the admin API's code.
"""

from __future__ import annotations

import chalicelib.app_libraries  # noqa: F401  # first of all: imports the libraries with frame-stack headroom

# isort: split
import ipaddress
import logging
from collections.abc import Callable, Mapping
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.credentials import tokens
from chalicelib.runtime import public_url, telemetry
from chalicelib.runtime.config import stream_arn_from_env
from chalicelib.runtime.errors import Conflict, KeyholeError, NotFound, Unavailable
from chalicelib.runtime.lazy import lazy_module
from chalicelib.runtime.logs import configure as configure_logging
from chalicelib.runtime.logs import scrub
from chalicelib.runtime.stack_headroom import call_with_headroom
from chalicelib.sealing import KeyServiceUnavailable
from chalicelib.service import UNKNOWN_IP, Keyhole, RequestInfo
from chalicelib.storage.models import LinkRecord, ResourceHead, WebhookEndpoint
from chalicelib.storage.store import TxnCancelled, is_unavailable
from chalicelib.viewer import json_surface
from chalicelib.viewer import resolve as viewer

if TYPE_CHECKING:
    from chalicelib import webhooks
    from chalicelib.access import accesslog
    from chalicelib.console import sessions
    from chalicelib.links import imports, limits, links, revocation
    from chalicelib.platform import access, keys, plans, usage
    from chalicelib.platform import tenants as platform_tenants
    from chalicelib.platform.keys import PlatformCaller
    from chalicelib.resources import resource_files, resources
    from chalicelib.resources.preconditions import Preconditions
    from chalicelib.runtime import validation
    from chalicelib.tenancy import apikeys, audit, embedding, tenants
    from chalicelib.tenancy.apikeys import Principal
else:
    access = lazy_module("chalicelib.platform.access")
    keys = lazy_module("chalicelib.platform.keys")
    plans = lazy_module("chalicelib.platform.plans")
    platform_tenants = lazy_module("chalicelib.platform.tenants")
    usage = lazy_module("chalicelib.platform.usage")
    accesslog = lazy_module("chalicelib.access.accesslog")
    apikeys = lazy_module("chalicelib.tenancy.apikeys")
    imports = lazy_module("chalicelib.links.imports")
    audit = lazy_module("chalicelib.tenancy.audit")
    limits = lazy_module("chalicelib.links.limits")
    links = lazy_module("chalicelib.links.links")
    resources = lazy_module("chalicelib.resources.resources")
    resource_files = lazy_module("chalicelib.resources.resource_files")
    tenants = lazy_module("chalicelib.tenancy.tenants")
    validation = lazy_module("chalicelib.runtime.validation")
    webhooks = lazy_module("chalicelib.webhooks")
    sessions = lazy_module("chalicelib.console.sessions")
    revocation = lazy_module("chalicelib.links.revocation")
    embedding = lazy_module("chalicelib.tenancy.embedding")

# Logging is Powertools' (structured JSON, secrets scrubbed); Chalice's own handler on the same
# "keyhole" logger would write every line a second time, unstructured.
app = Chalice(app_name="keyhole", configure_logs=False)
logger = call_with_headroom(configure_logging)  # Powertools' set-up recurses deeply: see stack_headroom.py
log = logging.getLogger("chalicelib.app")

# Admin routes take JSON; a client that forgets the header (or says text/plain) is still read as JSON.
# No binary media type (application/octet-stream is one for API Gateway): `chalice deploy` refuses a
# route whose content types mix binary and text ones.
BODY_TYPES = [
    "application/json",
    "application/merge-patch+json",  # PATCH /v1/resources/{id} (RFC 7396); read like application/json
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
]

_service: Keyhole | None = None


def service() -> Keyhole:
    global _service
    if _service is None:
        _service = call_with_headroom(Keyhole.from_env)  # reads settings, builds models: see stack_headroom.py
        telemetry.set_stage(_service.settings.stage)
    return _service


def use_service(svc: Keyhole | None) -> None:
    """Tests and scripts install a service built from explicit settings."""
    global _service
    _service = svc
    if svc is not None:
        telemetry.set_stage(svc.settings.stage)


# --- request context -----------------------------------------------------------------------


def current_request() -> Request:
    """The request being handled: Chalice sets it before a view runs, so None is a bug."""
    request = app.current_request
    if request is None:
        raise RuntimeError("no current request outside a view")
    return request


def headers_of(request: Request) -> Mapping[str, str]:
    """The request's headers, case-insensitive (empty when it has none)."""
    return request.headers or {}


def raw_body(request: Request) -> bytes:
    body = request.raw_body
    return body.encode("utf-8") if isinstance(body, str) else body


def request_info(token: tokens.PresentedToken | None = None) -> RequestInfo:
    request = current_request()
    context = request.context or {}
    headers = headers_of(request)
    request_id = telemetry.request_id()  # API Gateway's, chosen by the `telemetry_scope` middleware
    ip = (context.get("identity") or {}).get("sourceIp") or UNKNOWN_IP
    svc = service()
    forwarded = headers.get("x-forwarded-for")
    if svc.settings.honours_forwarded_for and forwarded:
        ip = _address_or(forwarded.split(",")[0].strip(), ip)
    path = context.get("path") or request.path
    telemetry.bind_tenant(_claimed_tenant(headers, token))
    if token is not None:
        path = viewer.redacted_path(path, token)
    agent = headers.get("user-agent")
    return RequestInfo(
        request_id=request_id,
        ip=ip,
        user_agent=tokens.without_token(agent, token.value) if agent and token is not None else agent,
        base_url=public_url.base_url(svc.settings, headers, context),
        method=request.method,
        path=path,
    )


def _claimed_tenant(headers: Any, token: tokens.PresentedToken | None) -> str | None:
    """The tenant a request names (its API key's or share token's own bytes), for log lines only:
    nothing is trusted from it."""
    if token is not None:
        return token.tenant_id
    return apikeys.tenant_id_from_key(apikeys.extract_key(headers))


def _address_or(claimed: str, fallback: str) -> str:
    """A forwarded client address, only if it is one: rate-limit keys are built from it."""
    try:
        return str(ipaddress.ip_address(claimed))
    except ValueError:
        return fallback


# Admin bodies carry API keys, revealed share tokens and webhook secrets: no cache may keep one.
NO_STORE = {"Cache-Control": "no-store"}


def _error_response(error: KeyholeError, request_id: str, extra_headers: dict[str, str] | None = None) -> Response:
    headers: dict[str, str | list[str]] = {
        "Content-Type": "application/json",
        "X-Request-Id": request_id,
        **NO_STORE,
        **error.headers,
        **(extra_headers or {}),
    }
    return Response(body=error.body(request_id), status_code=error.status, headers=headers)


def _unexpected(error: BaseException, request_id: str) -> KeyholeError:
    if isinstance(error, TxnCancelled):
        # A transaction lost a race that the operation does not retry: nothing was written.
        log.info("transaction cancelled request_id=%s reasons=%s", request_id, error.reasons)
        return Conflict("The request raced another change to the same items; nothing was changed, retry")
    if isinstance(error, KeyServiceUnavailable) or is_unavailable(error):
        log.warning("backing service unavailable request_id=%s cause=%s", request_id, type(error).__name__)
        return Unavailable()
    log.exception("unhandled error request_id=%s", request_id)
    return KeyholeError()


# --- admin routes --------------------------------------------------------------------------


def decoded_path_parameters(params: Mapping[str, str]) -> dict[str, str]:
    """Path parameters percent-decoded, once: API Gateway's REST API and `chalice local` both hand
    them over as sent, so a client that encodes `:` (`invoice%3A42`, as generated clients do)
    names the same resource as one that does not. Share tokens are never decoded (viewer routes):
    their alphabet needs no escapes, and the access log masks the token as it appears in the path."""
    return {name: unquote(value) for name, value in params.items()}


ExtraKeys = Callable[..., list[tuple[Any, tuple[str, str]]]]


def admin_route(
    path: str,
    method: str,
    role: str,
    *,
    extra: ExtraKeys | None = None,
    status: int = 200,
    body: bool = False,
    empty_body: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an admin route: authenticate (batched with `extra` reads), rate-limit, check role.

    `empty_body`: no body at all reads as `{}` (for routes whose fields are all optional).
    A result with an `etag` member is answered with that `ETag` header too.
    """

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        def view(**raw_params: str) -> Response:
            req = request_info()
            params = decoded_path_parameters(raw_params)
            try:
                svc = service()
                # A tenant's own key, or a platform key acting for one of its tenants (Keyhole-Tenant).
                principal, items = access.authenticate(
                    svc,
                    headers_of(current_request()),
                    (lambda tenant_id: extra(tenant_id, **params)) if extra else None,
                )
                apikeys.count_request(svc, principal)
                principal.require(role)
                principal.check_resource(params.get("resource_id"))  # a session limited to one resource
                args: list[Any] = [svc, principal, req, *items]
                if body:
                    args.append(
                        validation.parse_json_object(
                            raw_body(current_request()), max_bytes=svc.settings.max_body_bytes, allow_empty=empty_body
                        )
                    )
                result = handler(*args, **params)
                code = status
                if isinstance(result, tuple):
                    code, result = result
                headers: dict[str, str | list[str]] = {
                    "Content-Type": "application/json",
                    "X-Request-Id": req.request_id,
                    **NO_STORE,
                }
                if isinstance(result, dict) and isinstance(result.get("etag"), str):
                    headers["ETag"] = result["etag"]
                if code == 204:  # no body, so no Content-Type (RFC 9110)
                    del headers["Content-Type"]
                    return Response(body="", status_code=code, headers=headers)
                return Response(body=result, status_code=code, headers=headers)
            except KeyholeError as error:
                return _error_response(error, req.request_id)
            except Exception as error:  # translated: 503 for outages, 500 (with the cause logged) otherwise
                return _error_response(_unexpected(error, req.request_id), req.request_id)

        app.route(path, methods=[method], content_types=BODY_TYPES)(view)
        return handler

    return register


def _resource_key(tenant_id: str, resource_id: str) -> list[tuple[Any, tuple[str, str]]]:
    if not resources.valid_resource_id(resource_id):
        return []
    return [(ResourceHead, ResourceHead.key(tenant_id, resource_id))]


def _link_key(tenant_id: str, link_id: str) -> list[tuple[Any, tuple[str, str]]]:
    return [(LinkRecord, LinkRecord.key(link_id))] if links.valid_link_id(link_id) else []


def _first(items: tuple[Any, ...]) -> Any:
    return items[0] if items else None


def _second(items: tuple[Any, ...]) -> Any:
    return items[1] if len(items) > 1 else None


def _embedding_key(tenant_id: str) -> list[tuple[Any, tuple[str, str]]]:
    return [embedding.item_key(tenant_id)]  # `embed_origins`, an item of its own (tenancy/embedding.py)


@admin_route("/v1/tenant", "GET", "viewer", extra=_embedding_key)
def get_tenant(svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any) -> dict[str, Any]:
    return tenants.to_json(principal.tenant, embedding.origins_of(_first(items)))


@admin_route("/v1/tenant", "PATCH", "admin", extra=_embedding_key, body=True, empty_body=True)
def patch_tenant(svc: Keyhole, principal: Principal, req: RequestInfo, *rest: Any) -> dict[str, Any]:
    return tenants.patch_settings(svc, principal, rest[-1], req, rest[0] if len(rest) > 1 else None)


@admin_route("/v1/api-keys", "POST", "admin", status=201, body=True)
def create_api_key(svc: Keyhole, principal: Principal, req: RequestInfo, body: dict[str, Any]) -> dict[str, Any]:
    return apikeys.create_key(svc, principal, body, req)


@admin_route("/v1/api-keys", "GET", "admin")
def list_api_keys(svc: Keyhole, principal: Principal, req: RequestInfo) -> dict[str, Any]:
    return apikeys.list_keys(svc, principal, _query())


@admin_route("/v1/api-keys/{key_id}", "DELETE", "admin", status=204)
def delete_api_key(svc: Keyhole, principal: Principal, req: RequestInfo, key_id: str) -> None:
    apikeys.delete_key(svc, principal, key_id, req)


def _preconditions() -> Preconditions:
    from chalicelib.resources.preconditions import Preconditions  # admin writes only

    request = app.current_request
    if request is None or not request.headers:
        return Preconditions()
    return Preconditions(if_match=request.headers.get("if-match"), if_none_match=request.headers.get("if-none-match"))


@admin_route("/v1/resources/{resource_id}", "PUT", "operator", extra=_resource_key, body=True)
def put_resource(svc: Keyhole, principal: Principal, req: RequestInfo, *rest: Any, resource_id: str) -> Any:
    body = rest[-1]
    head = rest[0] if len(rest) > 1 else None
    return resources.put_resource(svc, principal, resource_id, body, head, req, preconditions=_preconditions())


@admin_route("/v1/resources/{resource_id}", "PATCH", "operator", extra=_resource_key, body=True)
def patch_resource(svc: Keyhole, principal: Principal, req: RequestInfo, *rest: Any, resource_id: str) -> Any:
    """JSON Merge Patch (RFC 7396): `application/merge-patch+json` or `application/json`."""
    head = rest[0] if len(rest) > 1 else None
    return resources.patch_resource(svc, principal, resource_id, rest[-1], head, req, preconditions=_preconditions())


@admin_route("/v1/resources/{resource_id}/origin-secret", "POST", "operator", extra=_resource_key)
def rotate_origin_secret(
    svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, resource_id: str
) -> dict[str, Any]:
    """A new origin signing secret (shown once); the old one keeps signing for the grace period."""
    return resources.rotate_origin_secret(svc, principal, resource_id, _first(items), req)


@admin_route("/v1/resources", "GET", "viewer")
def list_resources(svc: Keyhole, principal: Principal, req: RequestInfo) -> dict[str, Any]:
    return resources.list_resources(svc, principal, _query())


@admin_route("/v1/resources/{resource_id}", "GET", "viewer", extra=_resource_key)
def get_resource(svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, resource_id: str) -> dict[str, Any]:
    return resources.get_resource(svc, _first(items))


@admin_route("/v1/resources/{resource_id}", "DELETE", "operator", extra=_resource_key, status=204)
def delete_resource(svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, resource_id: str) -> None:
    resources.delete_resource(svc, principal, resource_id, _first(items), req)


# --- files (docs/files.md): uploads through presigned PUTs, published as versions -------------


def _file_resource_key(tenant_id: str, resource_id: str, file_id: str = "") -> list[tuple[Any, tuple[str, str]]]:
    return _resource_key(tenant_id, resource_id)


@admin_route("/v1/resources/{resource_id}/files", "POST", "operator", extra=_resource_key, status=201, body=True)
def start_file_upload(
    svc: Keyhole, principal: Principal, req: RequestInfo, *rest: Any, resource_id: str
) -> dict[str, Any]:
    """A presigned PUT that S3 refuses unless the size and SHA-256 match."""
    resources.require_valid_id(resource_id)
    head = rest[0] if len(rest) > 1 else None
    return resource_files.start_upload(svc, principal, head, rest[-1], req)


@admin_route("/v1/resources/{resource_id}/files/{file_id}/complete", "POST", "operator", extra=_file_resource_key)
def complete_file_upload(
    svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, resource_id: str, file_id: str
) -> dict[str, Any]:
    """Check the stored object, then publish it as a new version of the resource."""
    resources.require_valid_id(resource_id)
    return resource_files.complete(svc, principal, _first(items), file_id, req)


@admin_route("/v1/resources/{resource_id}/files/{file_id}", "DELETE", "operator", extra=_file_resource_key, status=204)
def delete_file(
    svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, resource_id: str, file_id: str
) -> None:
    resources.require_valid_id(resource_id)
    resource_files.delete_file(svc, principal, _first(items), file_id, req)


@admin_route(
    "/v1/resources/{resource_id}/links", "POST", "operator", extra=_resource_key, status=201, body=True, empty_body=True
)
def create_link(svc: Keyhole, principal: Principal, req: RequestInfo, *rest: Any, resource_id: str) -> dict[str, Any]:
    head = rest[0] if len(rest) > 1 else None
    return imports.create_link(svc, principal, resource_id, rest[-1], head, req)  # Keyhole's token, or an imported one


@admin_route("/v1/resources/{resource_id}/links", "GET", "viewer", extra=_resource_key)
def list_resource_links(
    svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, resource_id: str
) -> dict[str, Any]:
    head = _first(items)
    if head is None or head.deleting:
        raise NotFound("No such resource")
    return links.list_links(svc, principal, _query(), resource_id=resource_id)


@admin_route("/v1/links", "GET", "viewer")
def list_links(svc: Keyhole, principal: Principal, req: RequestInfo) -> dict[str, Any]:
    return links.list_links(svc, principal, _query())


@admin_route("/v1/links/import", "POST", "operator", body=True)
def import_links(svc: Keyhole, principal: Principal, req: RequestInfo, body: dict[str, Any]) -> dict[str, Any]:
    """Up to 100 links with the products' own tokens, one result per item (docs/platform.md)."""
    return imports.import_links(svc, principal, body, req)


@admin_route("/v1/links/{link_id}", "GET", "viewer", extra=_link_key)
def get_link(svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, link_id: str) -> dict[str, Any]:
    return links.get_link(svc, principal, _first(items))


@admin_route("/v1/links/{link_id}", "PATCH", "operator", extra=_link_key, body=True, empty_body=True)
def patch_link(svc: Keyhole, principal: Principal, req: RequestInfo, *rest: Any, link_id: str) -> dict[str, Any]:
    record = rest[0] if len(rest) > 1 else None
    return links.patch_link(svc, principal, record, rest[-1], req)


@admin_route("/v1/links/{link_id}/reveal", "POST", "operator", extra=_link_key)
def reveal_link(svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, link_id: str) -> dict[str, Any]:
    return links.reveal_link(svc, principal, _first(items), req)


@admin_route("/v1/links/{link_id}", "DELETE", "operator", extra=_link_key, status=204)
def revoke_link(svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, link_id: str) -> None:
    links.revoke_link(svc, principal, _first(items), req)


@admin_route("/v1/links/revoke", "POST", "operator", body=True)
def revoke_links(svc: Keyhole, principal: Principal, req: RequestInfo, body: dict[str, Any]) -> dict[str, Any]:
    """Bulk revocation: up to 100 link ids, or a filter; per-link results, one audit event each."""
    return revocation.revoke_request(svc, principal, body, req)


@admin_route("/v1/links/{link_id}/access-logs", "GET", "viewer", extra=_link_key)
def list_access_logs(svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, link_id: str) -> dict[str, Any]:
    return accesslog.list_entries(links.owned_record(_first(items), principal), _query(), now=svc.clock.time())


def _webhook_key(tenant_id: str, webhook_id: str) -> list[tuple[Any, tuple[str, str]]]:
    if not webhooks.valid_endpoint_id(webhook_id):
        return []
    return [(WebhookEndpoint, WebhookEndpoint.key(tenant_id, webhook_id))]


@admin_route("/v1/webhooks", "POST", "admin", status=201, body=True)
def create_webhook(svc: Keyhole, principal: Principal, req: RequestInfo, body: dict[str, Any]) -> dict[str, Any]:
    return webhooks.create_endpoint(svc, principal, body, req)


@admin_route("/v1/webhooks", "GET", "admin")
def list_webhooks(svc: Keyhole, principal: Principal, req: RequestInfo) -> dict[str, Any]:
    return webhooks.list_endpoints(svc, principal, _query())


@admin_route("/v1/webhooks/{webhook_id}", "DELETE", "admin", extra=_webhook_key, status=204)
def delete_webhook(svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, webhook_id: str) -> None:
    webhooks.delete_endpoint(svc, principal, _first(items), req)


@admin_route("/v1/webhooks/{webhook_id}/deliveries", "GET", "admin", extra=_webhook_key)
def list_webhook_deliveries(
    svc: Keyhole, principal: Principal, req: RequestInfo, *items: Any, webhook_id: str
) -> dict[str, Any]:
    return webhooks.list_deliveries(svc, webhooks.owned_endpoint(_first(items), principal), _query())


@admin_route("/v1/audit", "GET", "admin")
def list_audit(svc: Keyhole, principal: Principal, req: RequestInfo) -> dict[str, Any]:
    return audit.list_events(principal.tenant_id, _query())


# --- console and share dialog (chalicelib/console/, docs/console.md) -----------------------------


@admin_route("/v1/console/sessions", "POST", "operator", status=201, body=True, empty_body=True)
def create_console_session(svc: Keyhole, principal: Principal, req: RequestInfo, body: dict[str, Any]) -> Any:
    """A one-time console URL (5 minutes) for a session of at most the key's role."""
    return sessions.mint(svc, principal, body, req)


@admin_route("/v1/console/session", "DELETE", "viewer", status=204)
def end_console_session(svc: Keyhole, principal: Principal, req: RequestInfo) -> None:
    """A console session signs out: its token stops working at once."""
    sessions.end(svc, principal, req)


@app.route("/v1/console/session", methods=["POST"], content_types=BODY_TYPES)
def start_console_session() -> Response:
    """The console page exchanges its one-time ticket for a session token (no key: the ticket is the credential)."""
    req = request_info()
    try:
        svc = service()
        body = validation.parse_json_object(raw_body(current_request()), max_bytes=svc.settings.max_body_bytes)
        answer = sessions.redeem(svc, body, req)
        headers: dict[str, str | list[str]] = {
            "Content-Type": "application/json",
            "X-Request-Id": req.request_id,
            **NO_STORE,
        }
        return Response(body=answer, status_code=201, headers=headers)
    except KeyholeError as error:
        return _error_response(error, req.request_id)
    except Exception as error:
        return _error_response(_unexpected(error, req.request_id), req.request_id)


def _console_page(tenant_id: str, page: str) -> Response:
    from chalicelib.console import pages

    req = request_info()
    try:
        status, body, headers = pages.serve(service(), unquote(tenant_id), page)
    except Exception as error:  # an outage reading the tenant's embed origins: 503, else 500 (cause logged)
        failure = error if isinstance(error, KeyholeError) else _unexpected(error, req.request_id)
        status, body, headers = pages.failure(failure.status)
    return Response(body=body, status_code=status, headers={**headers, "X-Request-Id": req.request_id})


@app.route("/console/{tenant_id}", methods=["GET"])
def console_page(tenant_id: str) -> Response:
    """The console (a tenant's staff): the page; it reads its ticket from the URL's fragment."""
    return _console_page(tenant_id, "console")


@app.route("/console/{tenant_id}/share", methods=["GET"])
def share_dialog_page(tenant_id: str) -> Response:
    """The share dialog (one resource), to embed in the product's page."""
    return _console_page(tenant_id, "dialog")


# --- platform routes (docs/platform.md): a product's platform key managing its own tenants ----------


def platform_route(
    path: str,
    method: str,
    *,
    extra: ExtraKeys | None = None,
    status: int = 200,
    body: bool = False,
    empty_body: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a platform route: a platform key (a tenant's own key gets 403), its per-minute
    window, `extra(namespace_key, **params)` read in the key's own BatchGetItem."""

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        def view(**raw_params: str) -> Response:
            req = request_info()
            params = decoded_path_parameters(raw_params)  # `org%3A7` is `org:7`, as on the tenant routes
            try:
                svc = service()
                route_keys = (lambda namespace_key: extra(namespace_key, **params)) if extra else None
                caller, items = keys.authenticate_caller(svc, headers_of(current_request()), route_keys)
                args: list[Any] = [svc, caller, req, *items]
                if body:
                    args.append(
                        validation.parse_json_object(
                            raw_body(current_request()), max_bytes=svc.settings.max_body_bytes, allow_empty=empty_body
                        )
                    )
                result = handler(*args, **params)
                code = status
                if isinstance(result, tuple):
                    code, result = result
                headers: dict[str, str | list[str]] = {
                    "Content-Type": "application/json",
                    "X-Request-Id": req.request_id,
                    **NO_STORE,
                }
                return Response(body="" if code == 204 else result, status_code=code, headers=headers)
            except KeyholeError as error:
                return _error_response(error, req.request_id)
            except Exception as error:  # translated: 503 for outages, 500 (with the cause logged) otherwise
                return _error_response(_unexpected(error, req.request_id), req.request_id)

        app.route(path, methods=[method], content_types=BODY_TYPES)(view)
        return handler

    return register


def _tenant_item(namespace_key: str, tenant_id: str) -> list[tuple[Any, tuple[str, str]]]:
    return platform_tenants.tenant_keys(namespace_key, tenant_id)


@platform_route("/v1/tenants", "GET")
def list_platform_tenants(svc: Keyhole, caller: PlatformCaller, req: RequestInfo) -> dict[str, Any]:
    return platform_tenants.list_tenants(svc, caller, _query())


@platform_route("/v1/tenants/{tenant_id}", "PUT", extra=_tenant_item, body=True)
def put_platform_tenant(svc: Keyhole, caller: PlatformCaller, req: RequestInfo, *rest: Any, tenant_id: str) -> Any:
    item, embed_item = (rest[0], rest[1]) if len(rest) > 2 else (None, None)
    return platform_tenants.put_tenant(svc, caller, tenant_id, item, rest[-1], req, embed_item)


@platform_route("/v1/tenants/{tenant_id}", "GET", extra=_tenant_item)
def get_platform_tenant(svc: Keyhole, caller: PlatformCaller, req: RequestInfo, *items: Any, tenant_id: str) -> Any:
    return platform_tenants.get_tenant(caller, tenant_id, _first(items), _second(items))


@platform_route("/v1/tenants/{tenant_id}", "PATCH", extra=_tenant_item, body=True)
def patch_platform_tenant(svc: Keyhole, caller: PlatformCaller, req: RequestInfo, *rest: Any, tenant_id: str) -> Any:
    item, embed_item = (rest[0], rest[1]) if len(rest) > 2 else (None, None)
    return platform_tenants.patch_tenant(svc, caller, tenant_id, item, rest[-1], req, embed_item)


@platform_route("/v1/tenants/{tenant_id}", "DELETE", extra=_tenant_item, status=204)
def delete_platform_tenant(svc: Keyhole, caller: PlatformCaller, req: RequestInfo, *items: Any, tenant_id: str) -> Any:
    return platform_tenants.delete_tenant(svc, caller, tenant_id, _first(items), req)


@platform_route("/v1/tenants/{tenant_id}/suspend", "POST", extra=_tenant_item)
def suspend_platform_tenant(svc: Keyhole, caller: PlatformCaller, req: RequestInfo, *items: Any, tenant_id: str) -> Any:
    return platform_tenants.set_suspended(svc, caller, tenant_id, _first(items), True, req, _second(items))


@platform_route("/v1/tenants/{tenant_id}/resume", "POST", extra=_tenant_item)
def resume_platform_tenant(svc: Keyhole, caller: PlatformCaller, req: RequestInfo, *items: Any, tenant_id: str) -> Any:
    return platform_tenants.set_suspended(svc, caller, tenant_id, _first(items), False, req, _second(items))


@platform_route("/v1/tenants/{tenant_id}/api-keys", "POST", extra=_tenant_item, status=201, body=True, empty_body=True)
def create_platform_tenant_key(
    svc: Keyhole, caller: PlatformCaller, req: RequestInfo, *rest: Any, tenant_id: str
) -> Any:
    return platform_tenants.create_key(svc, caller, tenant_id, rest[0] if len(rest) > 1 else None, rest[-1], req)


@platform_route("/v1/tenants/{tenant_id}/usage", "GET", extra=_tenant_item)
def platform_tenant_usage(svc: Keyhole, caller: PlatformCaller, req: RequestInfo, *items: Any, tenant_id: str) -> Any:
    return usage.usage(svc, platform_tenants.owned_tenant(caller, tenant_id, _first(items)))


@platform_route("/v1/plans", "GET")
def list_platform_plans(svc: Keyhole, caller: PlatformCaller, req: RequestInfo) -> dict[str, Any]:
    return plans.list_plans(svc, caller.namespace_key)


@platform_route("/v1/plans/{plan_name}", "PUT", body=True)
def put_platform_plan(
    svc: Keyhole, caller: PlatformCaller, req: RequestInfo, body: dict[str, Any], plan_name: str
) -> Any:
    return plans.put_plan(svc, caller.namespace_key, plan_name, body, caller.actor(), req)


@app.route("/v1/introspect", methods=["POST"], content_types=BODY_TYPES)
def introspect() -> Response:
    """RFC 7662-style token introspection for an introspect (or operator) key."""
    from chalicelib.viewer import introspection
    from chalicelib.viewer.resolve import lookup_keys

    req = request_info()
    try:
        svc = service()
        request = current_request()
        body = validation.parse_json_object(raw_body(request), max_bytes=svc.settings.max_body_bytes)
        token, view, password = introspection.parse(body)
        # The token's keys ride in authentication's own read: one BatchGetItem in all.
        # The key's record may come from the container's cache: its window write below still
        # refuses a key deleted meanwhile. A platform key acting for a tenant is read every time.
        raw_key = apikeys.extract_key(headers_of(request))
        if access.is_platform_key(raw_key):
            principal, items = access.authenticate(svc, headers_of(request), lambda _tenant: lookup_keys(token))
        else:
            principal, items = apikeys.authenticate(
                svc, raw_key, lookup_keys(token), cached_tenant=True, cached_key=True
            )
        apikeys.count_request(svc, principal)
        principal.require_introspection()
        answer = introspection.introspect(svc, principal, token, items, req, view, password)
        headers: dict[str, str | list[str]] = {
            "Content-Type": "application/json",
            "X-Request-Id": req.request_id,
            **NO_STORE,
        }
        return Response(body=answer, status_code=200, headers=headers)
    except KeyholeError as error:
        return _error_response(error, req.request_id)
    except Exception as error:
        return _error_response(_unexpected(error, req.request_id), req.request_id)


def _query() -> dict[str, str]:
    return dict(current_request().query_params or {})


# --- viewer surface ------------------------------------------------------------------------


def viewer_route(
    path: str, methods: list[str], content_types: list[str] | None = None, *, html: bool = False
) -> Callable[[Callable[..., viewer.ViewerResponse]], Callable[..., viewer.ViewerResponse]]:
    """Register a viewer route: no auth; every response (errors too) carries the viewer headers.

    `html` routes answer their own failures with a static page (JSON requests still get JSON).
    """

    def register(handler: Callable[..., viewer.ViewerResponse]) -> Callable[..., viewer.ViewerResponse]:
        @wraps(handler)
        def view(**params: str) -> Response:
            token = tokens.present_token(params.pop("token"))  # parsed once, here, for the whole request
            req = request_info(token)
            try:
                result = handler(service(), req, token, **params)
            except Exception as error:
                failure = error if isinstance(error, KeyholeError) else _unexpected(error, req.request_id)
                request = current_request()
                wants_json = request.method == "POST" and "json" in (headers_of(request).get("content-type") or "")
                if html and not wants_json:
                    from chalicelib.viewer import pages as page

                    headers: dict[str, str | list[str]] = {
                        **viewer.viewer_headers(page.STATIC_CSP, page.HTML_CONTENT_TYPE),
                        **failure.headers,
                        "X-Request-Id": req.request_id,
                    }
                    return Response(body=page.error_html(failure.status), status_code=failure.status, headers=headers)
                return _error_response(failure, req.request_id, viewer.viewer_headers())
            result_headers: dict[str, str | list[str]] = {**result.headers, "X-Request-Id": req.request_id}
            body = result.body if result.body is not None else ""
            if isinstance(body, bytes):
                return BinaryResponse(body, result_headers, result.status)
            return Response(body=body, status_code=result.status, headers=result_headers)

        app.route(path, methods=methods, content_types=content_types or BODY_TYPES)(view)
        return handler

    return register


@viewer_route("/share/{token}/data", ["GET", "POST"])
def share_data(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken) -> viewer.ViewerResponse:
    request = current_request()
    return json_surface.data(svc, token, req, request.headers or {}, method=request.method)


@viewer_route("/share/{token}/files/{file_id}", ["GET", "POST"])
def share_file(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken, file_id: str) -> viewer.ViewerResponse:
    """A download (docs/files.md): checked and counted like a view, then 302 (303 after a POST)
    to a presigned GET of the file, valid 60 seconds. `bundle`: the zip of every file shown."""
    from chalicelib.viewer import downloads

    request = current_request()
    return downloads.download(svc, token, req, request.headers or {}, file_id, method=request.method)


@viewer_route("/share/{token}/info", ["GET"])
def share_info(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken) -> viewer.ViewerResponse:
    return json_surface.info(svc, token, req)


# --- viewer page (issue 4): the HTML page, the view-limit button, the password unlock -------
# Flows live in chalicelib/viewer/page_flows.py, markup in chalicelib/viewer/pages.py (imported in the handlers so
# this block stays self-contained; the import is cached after the first request).


@viewer_route("/share/{token}", ["GET", "POST"], html=True)
def share_page(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken) -> viewer.ViewerResponse:
    from chalicelib.viewer import page_flows as viewer_page

    request = current_request()
    if request.method == "POST":
        return viewer_page.use_view(svc, token, req, request.headers or {})
    return viewer_page.show(svc, token, req, request.headers or {})


# --- origin links (docs/origins.md): the proxied surface on the link's own content origin --------

PROXY_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class BinaryResponse(Response):
    """A proxied answer: any bytes under any content type, always base64 to API Gateway (the
    deployed API lists `*/*` as a binary media type, so it decodes them; text responses of the
    other routes are not base64 and pass as they are). The content type is held back from
    Chalice's own check, which would refuse a binary type the request's `Accept` did not name."""

    def __init__(self, body: bytes, headers: dict[str, Any], status_code: int) -> None:
        held = dict(headers)
        self.content_type = held.pop("Content-Type", None)
        super().__init__(body=body, headers=held, status_code=status_code)

    def to_dict(self, binary_types: list[str] | None = None) -> dict[str, Any]:
        import base64

        headers = dict(self.headers)
        if self.content_type:
            headers["Content-Type"] = self.content_type
        single, multi = self._sort_headers(headers)
        raw = self.body if isinstance(self.body, bytes) else str(self.body).encode("utf-8")
        return {
            "headers": single,
            "multiValueHeaders": multi,
            "statusCode": self.status_code,
            "body": base64.b64encode(raw).decode("ascii"),
            "isBase64Encoded": True,
        }


def request_host() -> str:
    """The host a request was sent to (with port): API Gateway's domain name on deployed stages
    (a client writes `Host`), the `Host` header on the local and test stages."""
    request = current_request()
    headers: Mapping[str, str] = request.headers or {}
    if service().settings.is_local_stage:
        return headers.get("host") or ""
    return (request.context or {}).get("domainName") or headers.get("host") or ""


def _proxy_rest(token: str) -> str:
    """The path below `/share/{token}/o` as received (stage prefix and all before it dropped)."""
    request = current_request()
    full = (request.context or {}).get("path") or request.path
    marker = f"/share/{token}/o"
    at = full.find(marker)
    return full[at + len(marker) :].split("?", 1)[0] if at >= 0 else "/"


def _raw_query() -> str:
    from urllib.parse import urlencode

    params = current_request().query_params
    if not params:
        return ""
    return urlencode([(k, v) for k in params for v in params.getlist(k)])


def _proxied(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken) -> viewer.ViewerResponse:
    from chalicelib.runtime import content_origin
    from chalicelib.viewer import proxy

    request = current_request()
    host = request_host()
    rest = _proxy_rest(token.value)
    if not proxy.is_content_request(svc, host):
        return proxy.redirect_to_content(
            svc, token, req, request.headers or {}, rest=rest or "/", query=_raw_query(), method=request.method
        )
    call = proxy.ProxyCall(
        token=token,
        method=request.method,
        raw_path=rest,
        query=_raw_query(),
        body=raw_body(request),
        headers=dict(request.headers or {}),
        host=content_origin.bare_host(host),
    )
    return proxy.proxy(svc, call, req)


@viewer_route("/share/{token}/o", PROXY_METHODS, ["*/*"], html=True)
def share_origin_root(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken) -> viewer.ViewerResponse:
    """The proxied surface of an origin link: the origin's root (`/share/{token}/o/`)."""
    return _proxied(svc, req, token)


# `{proxy+}`: Chalice reads view arguments as `{\w+}`, so this route's only argument is `token`;
# API Gateway routes every deeper path here. `chalice local` cannot match a greedy path segment:
# devstack/serve.py adds that (docs/origins.md, "Deploying").
@viewer_route("/share/{token}/o/{proxy+}", PROXY_METHODS, ["*/*"], html=True)
def share_origin(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken) -> viewer.ViewerResponse:
    """The proxied surface of an origin link: any path and query below `/share/{token}/o/`."""
    return _proxied(svc, req, token)


@viewer_route("/share/{token}/visit", ["POST"], html=True)
def share_visit(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken) -> viewer.ViewerResponse:
    """View-limited origin links: the "open" button uses one view for a visit of the origin's app."""
    from chalicelib.runtime import content_origin
    from chalicelib.viewer import proxy

    request = current_request()
    return proxy.visit(svc, token, req, request.headers or {}, content_origin.bare_host(request_host()))


@viewer_route("/share/{token}/unlock", ["POST"], html=True)
def share_unlock(svc: Keyhole, req: RequestInfo, token: tokens.PresentedToken) -> viewer.ViewerResponse:
    from chalicelib.viewer import page_flows as viewer_page

    request = current_request()
    return viewer_page.unlock(svc, token, req, request.headers or {}, raw_body(request))


# --- end viewer page -----------------------------------------------------------------------


@app.route("/v1/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    """The OpenAPI description of every route (chalicelib/runtime/openapi.json); public, no key."""
    from chalicelib.runtime import apidoc

    req = request_info()
    headers = {"Content-Type": "application/json", "X-Request-Id": req.request_id, "X-Content-Type-Options": "nosniff"}
    try:
        body = apidoc.served(req.base_url)
    except Exception as error:  # the document ships with the code; failing to read it is a 500 with a cause logged
        return _error_response(_unexpected(error, req.request_id), req.request_id)
    return Response(
        body=body, status_code=200, headers={**headers, "Cache-Control": f"public, max-age={apidoc.MAX_AGE_SECONDS}"}
    )


@app.route("/robots.txt", methods=["GET"])
def robots() -> Response:
    return Response(
        body="User-agent: *\nDisallow: /share/\n",
        status_code=200,
        headers={
            **viewer.viewer_headers(content_type="text/plain; charset=utf-8"),
            "X-Request-Id": telemetry.request_id(),
        },
    )


# --- event handlers ------------------------------------------------------------------------
# Chalice cannot ask for partial batch responses, bisection, a retry bound or an on-failure
# destination on the event source mapping; the deploy path adds them (docs/stream.md).
# Batches of up to 1000 records, gathered for up to 5 seconds: a link's views in one batch cost
# one counter write, so bigger batches make counting cheaper per view (docs/capacity.md).
STREAM_BATCH_SIZE = 1000
STREAM_BATCHING_WINDOW_SECONDS = 5


@app.on_dynamodb_record(
    stream_arn=stream_arn_from_env(),
    batch_size=STREAM_BATCH_SIZE,
    maximum_batching_window_in_seconds=STREAM_BATCHING_WINDOW_SECONDS,
    starting_position="TRIM_HORIZON",
    name="stream_consumer",
)
def stream_consumer(event: Any) -> dict[str, Any]:
    """Access events -> counters and share.accessed; link changes -> audit and share.* webhooks."""
    from chalicelib.access import consumer

    return consumer.handle(service(), event.to_dict(), getattr(event, "context", None))


@app.schedule("rate(1 minute)", name="webhook_drain")
def webhook_drain(event: Any) -> dict[str, int]:
    """Retry webhook deliveries whose next attempt is due (exponential backoff with jitter)."""
    stats = webhooks.drain(service())
    if stats.get("due"):
        log.info("webhook drain: %s", stats)
    return stats


@app.schedule("rate(1 minute)", name="files_worker")
def files_worker(event: Any) -> dict[str, int]:
    """Files jobs that are due: zips to build, objects to delete (with retries; docs/files.md)."""
    from chalicelib.files import jobs

    context = getattr(event, "context", None)
    remaining = 600.0
    if context is not None and hasattr(context, "get_remaining_time_in_millis"):
        remaining = context.get_remaining_time_in_millis() / 1000
    stats = jobs.drain(service(), budget_seconds=max(10.0, remaining - 120))
    if stats.get("due"):
        log.info("files worker: %s", stats)
    return stats


@app.schedule("rate(5 minutes)")
def sweep_expired_slots(event: Any) -> dict[str, int]:
    """Expired links free their slots at expiry time even when nobody needs the slot yet."""
    return {"slots_freed": limits.sweep_expired_slots(service())}


# --- observability: one scope per invocation (request id and tenant on log lines, EMF metrics) ---


def _invocation_id(event: Any) -> str | None:
    """API Gateway's request id for HTTP requests, Lambda's for stream batches and schedules."""
    context = getattr(event, "context", None)
    if isinstance(context, dict):
        return context.get("requestId")
    return getattr(context, "aws_request_id", None)


@app.middleware("all")
def telemetry_scope(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Every invocation: its request id on every log line, its metrics (HTTP status classes
    included) written as EMF when it ends (chalicelib/runtime/telemetry.py)."""
    with telemetry.invocation(_invocation_id(event)):
        response = get_response(event)
        if isinstance(response, Response):
            telemetry.http_status(response.status_code)
        return response


@app.middleware("http")
def content_hosts_serve_content_only(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """A link's content origin answers its proxied surface, its unlock and visit steps and
    robots.txt, nothing else: the admin API and Keyhole's pages never share an origin with the
    scripts of a tenant's service (the one 404 otherwise)."""
    from chalicelib.runtime import content_origin

    route = event.path or ""  # the routed resource path (`/share/{token}/o/{proxy+}`), not the path as sent
    sent = (event.context or {}).get("path") or route
    if route.startswith(("/v1/", "/share/", "/console/")):
        if content_origin.is_content_request(
            service().settings, request_host()
        ) and not content_origin.content_route_allowed(route, sent):
            return Response(
                body=viewer.NOT_FOUND_BODY,
                status_code=404,
                headers={**viewer.viewer_headers(), "X-Request-Id": telemetry.request_id()},
            )
    return get_response(event)


@app.middleware("http")
def uniform_errors(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Chalice's own 405/415 replies use its body format; rewrite them into Keyhole's."""
    response = get_response(event)
    body = response.body
    if response.status_code in (405, 415) and isinstance(body, dict) and "Code" in body:
        code = "method_not_allowed" if response.status_code == 405 else "unsupported_media_type"
        request_id = telemetry.request_id()
        response.body = {
            "error": {"code": code, "message": scrub(str(body.get("Message", ""))), "request_id": request_id}
        }
        response.headers.update({"Content-Type": "application/json", "X-Request-Id": request_id, **NO_STORE})
        if (event.path or "").startswith("/share/") or event.path == "/robots.txt":
            response.headers.update(viewer.viewer_headers())
    return response
