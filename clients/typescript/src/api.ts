// Generated from chalicelib/runtime/openapi.json by `npm run generate` (openapi-typescript): do not edit.
// tests fail when it is stale.

export interface paths {
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document
         * @description The OpenAPI 3.1 description of every route, with `servers` set to this deployment's public URL. No key needed.
         */
        get: operations["getOpenApi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/robots.txt": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Keep crawlers away from share links
         * @description Disallows `/share/` for every crawler.
         */
        get: operations["robots"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenant": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The tenant: plan, limits, usage, settings
         * @description Role: **viewer** or above. What the calling key's tenant is allowed and using.
         */
        get: operations["getTenant"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change settings
         * @description Role: **admin** or above. Link defaults (`default_expires_in`, `max_expires_in`), `token_display`, `require_password`, `access_log_retention_days`, branding (`display_name`, `accent_color`, `logo`) and `default_redact`. Audited. An empty body changes nothing.
         */
        patch: operations["patchTenant"];
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List API keys
         * @description Role: **admin** or above. Never the keys themselves.
         */
        get: operations["listApiKeys"];
        put?: never;
        /**
         * Create an API key
         * @description Role: **admin** or above. The key is in the reply, and never again. Audited.
         */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{key_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example key_0c9d8e7f6a5b4c3d2e1f */
                key_id: components["parameters"]["key_id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete an API key
         * @description Role: **admin** or above. The key stops working at once. The tenant's last admin key cannot be deleted (409). Audited.
         */
        delete: operations["deleteApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/resources": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List resources
         * @description Role: **viewer** or above. Summaries (no documents), by id.
         */
        get: operations["listResources"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/resources/{resource_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        /**
         * Read a resource
         * @description Role: **viewer** or above. With its document as pushed (unredacted), rules, scopes and display hints.
         */
        get: operations["getResource"];
        /**
         * Create or replace a resource
         * @description Role: **operator** or above. Creates (201) or replaces (200) the whole resource. A replace never drops redaction rules or scopes by omission: on a resource with rules, a body without `redact` is 422 naming it (send `[]` to clear on purpose); the same for `scopes`. Removing a scope an active link uses is 409. With `If-Match` the write happens only if the resource's ETag matches (412 otherwise); `If-None-Match: *` creates only.
         */
        put: operations["putResource"];
        post?: never;
        /**
         * Delete a resource
         * @description Role: **operator** or above. Viewers lose access at once; every link to it is revoked (the records stay). Audited.
         */
        delete: operations["deleteResource"];
        options?: never;
        head?: never;
        /**
         * Change part of a resource (JSON Merge Patch)
         * @description Role: **operator** or above. The way an app pushes an update: send only what changed (RFC 7396). Rules and scopes not named stay. `application/merge-patch+json` or `application/json`. `If-Match` makes it conditional (412).
         */
        patch: operations["patchResource"];
        trace?: never;
    };
    "/v1/resources/{resource_id}/links": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        /**
         * List a resource's links
         * @description Role: **viewer** or above. Active links by expiry (soonest first); others newest first.
         */
        get: operations["listResourceLinks"];
        put?: never;
        /**
         * Create a share link
         * @description Role: **operator** or above. Mints a capability URL. The `token` and `url` are in the reply (and, unless the tenant's `token_display` is `once`, again from `/reveal`). Plan limits (`links_per_resource`, `shared_resources`) are enforced in the same transaction: 409 `limit_reached` names the limit. The body may be empty. With `import_token` (tenant setting `allow_imported_tokens`) the link takes a token the product already handed out: 409 `token_taken` when any link holds or held it (never re-pointed), 429 after 10 such collisions an hour.
         */
        post: operations["createLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the tenant's links
         * @description Role: **viewer** or above. Same filter and order as a resource's list.
         */
        get: operations["listLinks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/links/{link_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
                link_id: components["parameters"]["link_id"];
            };
            cookie?: never;
        };
        /**
         * Read a link
         * @description Role: **viewer** or above. Never the token.
         */
        get: operations["getLink"];
        put?: never;
        post?: never;
        /**
         * Revoke a link
         * @description Role: **operator** or above. At once and for ever; the record stays for the audit trail. Revoking a revoked link is a 204 too.
         */
        delete: operations["revokeLink"];
        options?: never;
        head?: never;
        /**
         * Change a link
         * @description Role: **operator** or above. Label, description, expiry, view limit, rate limit of an active link (409 for revoked, expired or used-up links). Audited.
         */
        patch: operations["patchLink"];
        trace?: never;
    };
    "/v1/links/{link_id}/reveal": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
                link_id: components["parameters"]["link_id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Copy a link's URL again
         * @description Role: **operator** or above. The token and URL of an active link. 409 when the tenant's `token_display` is `once` or the link is no longer active. Audited.
         */
        post: operations["revealLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/links/{link_id}/access-logs": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
                link_id: components["parameters"]["link_id"];
            };
            cookie?: never;
        };
        /**
         * A link's access log
         * @description Role: **viewer** or above. Every viewer request that named the link, newest first, within the tenant's retention.
         */
        get: operations["listAccessLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The audit trail
         * @description Role: **admin** or above. Every admin and ops action, newest first.
         */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhook endpoints
         * @description Role: **admin** or above. Never the secrets.
         */
        get: operations["listWebhooks"];
        put?: never;
        /**
         * Register a webhook endpoint
         * @description Role: **admin** or above. Standard Webhooks deliveries of `share.*` events. The `whsec_` signing secret is in the reply, and never again. At most 10 endpoints per tenant (409 `limit_reached`).
         */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{webhook_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example wh_1a2b3c4d5e6f708192a3b4c5 */
                webhook_id: components["parameters"]["webhook_id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a webhook endpoint
         * @description Role: **admin** or above. Deliveries stop at once. Audited.
         */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{webhook_id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @example wh_1a2b3c4d5e6f708192a3b4c5 */
                webhook_id: components["parameters"]["webhook_id"];
            };
            cookie?: never;
        };
        /**
         * An endpoint's delivery log
         * @description Role: **admin** or above. Event, attempts, HTTP status, latency, next retry; newest first.
         */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/share/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: never;
        };
        /**
         * The share page
         * @description No key: the token is the capability. Every response carries `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Robots-Tag: noindex, nofollow`, `X-Content-Type-Options: nosniff` and a strict `Content-Security-Policy` with `frame-ancestors 'none'` (a link created `embeddable`: the tenant's `embed_origins`). The resource's (scoped, redacted) document rendered for reading, with who shared it, the link's label and expiry. A password link shows a form (until `/unlock`'s cookie is sent); a link with a view limit shows a button (a GET never uses a view). The page polls `/data` to update in place.
         */
        get: operations["sharePage"];
        put?: never;
        /**
         * Use one view (the page's button)
         * @description No key: the token is the capability. Every response carries `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Robots-Tag: noindex, nofollow`, `X-Content-Type-Options: nosniff` and a strict `Content-Security-Policy` with `frame-ancestors 'none'`. On a link with `max_views`: uses one view and shows the content once. On other links it shows the page.
         */
        post: operations["sharePageView"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/share/{token}/data": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: never;
        };
        /**
         * The shared document as JSON
         * @description No key: the token is the capability. Every response carries `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Robots-Tag: noindex, nofollow`, `X-Content-Type-Options: nosniff` and a strict `Content-Security-Policy` with `frame-ancestors 'none'`. With `If-None-Match`: 304 when nothing changed (not a view, not logged). A password link answers 401 `password_required` until `/unlock`'s cookie is sent; a view-limited link answers 409 `confirm_required` (POST uses a view).
         */
        get: operations["shareData"];
        put?: never;
        /**
         * Use one view, as JSON
         * @description No key: the token is the capability. Every response carries `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Robots-Tag: noindex, nofollow`, `X-Content-Type-Options: nosniff` and a strict `Content-Security-Policy` with `frame-ancestors 'none'`. On a view-limited link this uses one view (never past the limit); on other links it is a GET.
         */
        post: operations["shareDataPost"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/share/{token}/info": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: never;
        };
        /**
         * Public information about a link
         * @description No key: the token is the capability. Every response carries `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Robots-Tag: noindex, nofollow`, `X-Content-Type-Options: nosniff` and a strict `Content-Security-Policy` with `frame-ancestors 'none'`. Label, description, expiry, whether it needs a password, who shared it: no document, no view used.
         */
        get: operations["shareInfo"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/share/{token}/unlock": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Unlock a password link
         * @description No key: the token is the capability. Every response carries `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Robots-Tag: noindex, nofollow`, `X-Content-Type-Options: nosniff` and a strict `Content-Security-Policy` with `frame-ancestors 'none'`. The password as a form field (the page's form: 303 to the page) or JSON (200). Right: a 30-minute cookie scoped to this link. 5 attempts per link per minute (429, counted before the password is checked).
         */
        post: operations["shareUnlock"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/introspect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Introspect a share token
         * @description Role: an **introspect** key (which can do nothing else) or operator and above. RFC 7662 style: `{active: true, link, resource, scope, expires_at}` for a live link of the caller's tenant, exactly `{active: false}` for anything else. With `view` it counts as a view of that viewer. Password and view-limited links answer `{active: false, requires}` until `password` / `view.use_view` (docs/origins.md).
         */
        post: operations["introspect"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/resources/{resource_id}/origin-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate an origin resource's signing secret
         * @description Role: **operator** or above. A new `whsec_` secret, shown once; the replaced one keeps signing beside it for 24 hours (docs/origins.md). 409 on a document resource.
         */
        post: operations["rotateOriginSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/share/{token}/visit": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open a visit of a view-limited origin link
         * @description No key. On the link's content origin: uses one view and opens a 30-minute visit (a cookie); 303 to the proxied app (docs/origins.md).
         */
        post: operations["shareVisit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the namespace's tenants
         * @description Platform key. The tenants made with any key of this namespace, by id (paginated); never another namespace's, never deleted ones.
         */
        get: operations["listPlatformTenants"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenant_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        /**
         * One tenant
         * @description Platform key. The tenant, its plan, effective limits, usage and settings.
         */
        get: operations["getPlatformTenant"];
        /**
         * Create or update a tenant
         * @description Platform key. Creates the namespace's tenant `tenant_id` (201) or updates it (200); the same body again changes nothing. A tenant create that fails leaves nothing behind. A deleted tenant's id is not reused (409). Audited in the tenant's trail (and creation in the namespace's).
         */
        put: operations["putPlatformTenant"];
        post?: never;
        /**
         * Delete a tenant
         * @description Platform key. The tenant's keys stop at once, every link is revoked, its keys are deleted; its records (links, audit, access logs) are kept for their retention. 204 when done; 202 when time ran out first (DELETE again finishes it). Audited.
         */
        delete: operations["deletePlatformTenant"];
        options?: never;
        head?: never;
        /**
         * Change a tenant
         * @description Platform key. Changes what the body names: `name`, `plan`, `overrides` (replaced whole), `settings` and `branding` (the settings named). Audited.
         */
        patch: operations["patchPlatformTenant"];
        trace?: never;
    };
    "/v1/tenants/{tenant_id}/suspend": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Suspend a tenant
         * @description Platform key. At once: the tenant's API keys answer 401 and its links the one 404; nothing is deleted. Acting for it answers 409 until it is resumed. Audited.
         */
        post: operations["suspendPlatformTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenant_id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resume a tenant
         * @description Platform key. Lifts a suspension: keys and links work again as they were. Audited.
         */
        post: operations["resumePlatformTenant"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenant_id}/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a key for a tenant
         * @description Platform key. A key of the tenant (its first admin key, typically): shown once, audited in the tenant's trail as the platform key's doing. An admin key named "admin key" unless the body says otherwise.
         */
        post: operations["createPlatformTenantKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/tenants/{tenant_id}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        /**
         * A tenant's usage per day
         * @description Platform key. Views and links created per UTC day for the last 90 days (oldest first, today included), with totals. Counted by the stream consumer, so the last few seconds may not show yet.
         */
        get: operations["getPlatformTenantUsage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/plans": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The plans the namespace's tenants may be on
         * @description Platform key. The built-in plans (as ops may have changed them) and the namespace's own.
         */
        get: operations["listPlatformPlans"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/plans/{plan_name}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description the plan's name: 1-40 characters of `A-Za-z0-9_-`, not a built-in plan's */
                plan_name: components["parameters"]["plan_name"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Create or replace one of the namespace's plans
         * @description Platform key. A plan only this namespace sees; a limit left out takes the free plan's value; built-in names are refused (422). Tenants on the plan get its new limits (plus their own overrides). Audited in the namespace's trail.
         */
        put: operations["putPlatformPlan"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/resources/{resource_id}/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a file upload
         * @description Role: **operator** or above. Declare a file (`name`, `content_type`, `size`, `sha256`) and get a presigned PUT, valid 1 hour, that S3 itself refuses unless the bytes have exactly that size and SHA-256 (send `upload.headers` as given). Then call `complete`. Up to 1,000 files per resource, 5 GiB per file (413 above). Not on origin resources (409). Audited.
         */
        post: operations["startFileUpload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/resources/{resource_id}/files/{file_id}/complete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Complete a file upload: publish it
         * @description Role: **operator** or above. Checks the object S3 stored (size, content type, SHA-256) and publishes the file as a new version of the resource (a published file of the same name is replaced). 409 before the upload reached the bucket; 422 when the stored object differs (it is removed). Completing a published file again answers it. Audited.
         */
        post: operations["completeFileUpload"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/resources/{resource_id}/files/{file_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete a file
         * @description Role: **operator** or above. A published file leaves with a new version of the resource (viewers lose it at once); a pending upload is forgotten. Its object is removed from the bucket in the background, with retries. Audited.
         */
        delete: operations["deleteFile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/share/{token}/files/{file_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
                /** @description a file the link shows (`fil_...`), or `bundle`: the zip of every file it shows */
                file_id: components["parameters"]["share_file_id"];
            };
            cookie?: never;
        };
        /**
         * Download a file
         * @description No key: the token is the capability. Checked like a view and counted as one (expiry, revocation, password cookie, view limit, rate limits; an access-log entry naming the file), then a redirect to a presigned GET of the file valid at most 60 seconds, `Content-Disposition: attachment` with the file's name; HTML, SVG, XML and other scriptable types are served as `application/octet-stream`. Range requests work on that URL. A file the link does not show (outside its scope, deleted, another resource's) is the one 404. `bundle` instead of a file id: the zip of every file the link shows (409 `preparing` until it is built). A view-limited link answers 409 `confirm_required`: POST uses a view (mail scanners and unfurlers GET).
         */
        get: operations["shareFile"];
        put?: never;
        /**
         * Download a file, using one view
         * @description No key: the token is the capability. Checked like a view and counted as one (expiry, revocation, password cookie, view limit, rate limits; an access-log entry naming the file), then a redirect to a presigned GET of the file valid at most 60 seconds, `Content-Disposition: attachment` with the file's name; HTML, SVG, XML and other scriptable types are served as `application/octet-stream`. Range requests work on that URL. A file the link does not show (outside its scope, deleted, another resource's) is the one 404. `bundle` instead of a file id: the zip of every file the link shows (409 `preparing` until it is built). On a view-limited link this uses one view (never past the limit); elsewhere it is a GET answered 303.
         */
        post: operations["shareFilePost"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/links/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import links with the product's own tokens
         * @description Role: **operator** or above; tenant setting `allow_imported_tokens`. Up to 100 links whose tokens the product already handed out, so their URLs keep working through Keyhole; one result per item, in order (201 with the link, or the item's own error: 404 unknown resource, 409 `token_taken` or `limit_reached`, 422 naming the field, 429 once the tenant's collisions are used up: the items after it are not tried). An imported token is never reused or re-pointed; each collision counts against the tenant and is audited. Items are created one by one: those before a failure stay created.
         */
        post: operations["importLinks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/links/revoke": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Revoke links in bulk
         * @description Role: **operator** or above. Up to 100 `link_ids`, or a filter (`resource_id`, `actor`, `created_before`): every link revoked as `DELETE /v1/links/{link_id}` does it (the URL is dead at once, the record stays), one audit event each, with per-link results. A filter revokes the active and paused links it matches, at most 1,000 (or 15 seconds) a call: `complete: false` says to call again. A console session limited to one resource revokes only that resource's links.
         */
        post: operations["revokeLinks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/console/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Open the console or the share dialog
         * @description Role: **operator** or above (an API key, or a platform key acting for a tenant; a console session cannot start another). A one-time URL, valid for 5 minutes, to Keyhole's console (the whole tenant) or, with `resource_id`, the share dialog of that resource: open it, or set it as an iframe's `src` on a page of one of the tenant's `embed_origins`. The page exchanges it for a session of at most 12 hours that ends after 30 minutes without a request, when the key is deleted or the tenant suspended. Its role is at most the key's; every change made in it is audited with its `actor`. Audited.
         */
        post: operations["createConsoleSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/console/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Exchange a console ticket for a session
         * @description No key: the one-time ticket (from the console URL's fragment) is the credential; the console page calls this. Answers the session token (`Authorization: Bearer khs_...` on the admin routes, kept in the page's memory only), the session, the tenant and, for the share dialog, its resource. A ticket opens once and within 5 minutes; afterwards, or for a suspended tenant or a deleted key, 401.
         */
        post: operations["startConsoleSession"];
        /**
         * Sign out of a console session
         * @description Role: a console session's own token (any other key: 403). The session ends at once. Audited.
         */
        delete: operations["endConsoleSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/console/{tenant_id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Keyhole's id of the tenant (`ten_...`), from `POST /v1/console/sessions` */
                tenant_id: string;
            };
            cookie?: never;
        };
        /**
         * The console page
         * @description No key: the page reads its one-time ticket from the URL's fragment (`#ticket=`, never sent to a server), removes it from the address bar and exchanges it (`POST /v1/console/session`). The same bytes for every tenant; only `frame-ancestors` differs: the tenant's `embed_origins`, else `'none'` (an unknown tenant too).
         */
        get: operations["consolePage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/console/{tenant_id}/share": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Keyhole's id of the tenant (`ten_...`), from `POST /v1/console/sessions` */
                tenant_id: string;
            };
            cookie?: never;
        };
        /**
         * The share dialog page
         * @description No key: the share dialog of the resource a session was started for (`POST /v1/console/sessions {resource_id}`), to put in an iframe on a page of one of the tenant's `embed_origins` (`allow="clipboard-write"` lets its Copy button write the clipboard). It reports to that page with `postMessage` (`keyhole:ready`, `keyhole:link.created`, `keyhole:link.revoked`, ...) to the tenant's embed origins only. The same bytes for every tenant; only `frame-ancestors` differs.
         */
        get: operations["shareDialogPage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        FieldError: {
            /** @description the field, e.g. `document`, `scopes.summary`, `display.fields.x.as` */
            field: string;
            message: string;
        };
        /** @description Every admin error. `details` lists field errors (the first 20; the message counts them all). `retry_after` comes with 429, `limit`, `limit_value` and `how_to_free` with 409 `limit_reached`. */
        Error: {
            error: {
                /** @enum {string} */
                code: "bad_request" | "tenant_required" | "unauthorized" | "forbidden" | "not_found" | "method_not_allowed" | "conflict" | "limit_reached" | "token_taken" | "precondition_failed" | "payload_too_large" | "unsupported_media_type" | "validation_error" | "rate_limited" | "internal" | "unavailable" | "files_unavailable";
                message: string;
                details?: components["schemas"]["FieldError"][];
                /** @description also the `X-Request-Id` header; the log line with this id has the cause */
                request_id: string;
                retry_after?: number;
                limit?: string;
                limit_value?: number | null;
                how_to_free?: string;
            };
        };
        /** @description A viewer error as JSON. Refusals that name no request (the one 404, 401, 409, 429) carry no `request_id`; failures (500, 503) do. */
        ViewerError: {
            error: {
                /** @enum {string} */
                code: "bad_request" | "password_required" | "wrong_password" | "not_found" | "method_not_allowed" | "confirm_required" | "unsupported_media_type" | "rate_limited" | "internal" | "unavailable" | "preparing";
                message: string;
                request_id?: string;
                retry_after?: number;
            };
        };
        /** @description The one 404 of every dead link (unknown, malformed, expired, revoked, exhausted, resource deleted): byte for byte the same. */
        NotFoundLink: {
            error: {
                /** @constant */
                code: "not_found";
                /** @constant */
                message: "Share link not found or has been revoked";
            };
        };
        /** @description Effective limits (plan and overrides); `null` is unlimited. */
        Limits: {
            links_per_resource: number | null;
            shared_resources: number | null;
            api_requests_per_min: number | null;
            viewer_requests_per_min_per_ip: number | null;
            failed_resolves_per_min_per_ip: number | null;
        };
        /** @description `<n>m`, `<n>h`, `<n>d` (at most 3660d) or `never` */
        Duration: string;
        TenantSettings: {
            default_expires_in: components["schemas"]["Duration"];
            max_expires_in: components["schemas"]["Duration"];
            /** @enum {string} */
            token_display: "recopyable" | "once";
            require_password: boolean;
            access_log_retention_days: number;
            display_name: string | null;
            accent_color: string | null;
            logo: string | null;
            default_redact: boolean;
            /**
             * @description links may be created with `import_token` (default false)
             * @default false
             */
            allow_imported_tokens: boolean;
            /**
             * @description every `url` Keyhole returns follows it, e.g. `https://app.example.com/m/{token}`: https, `{token}` once in its path or query, no credentials (null: Keyhole's own `/share/{token}`)
             * @default null
             */
            share_url_template: string | null;
            /** @description origins that may frame the console, the share dialog and `embeddable` links' pages (`frame-ancestors`) */
            embed_origins: string[];
        };
        Tenant: {
            id: string;
            name: string;
            plan: string;
            limits: components["schemas"]["Limits"];
            /** @description limits ops set for this tenant only */
            overrides: {
                [key: string]: number | null;
            };
            usage: {
                active_links: number;
                shared_resources: number;
            };
            settings: components["schemas"]["TenantSettings"];
            /** Format: date-time */
            created_at: string;
        };
        /** @description Only the settings named change. `null` clears a branding setting. */
        TenantSettingsPatch: {
            default_expires_in?: components["schemas"]["Duration"];
            max_expires_in?: components["schemas"]["Duration"];
            /** @enum {string} */
            token_display?: "recopyable" | "once";
            require_password?: boolean;
            access_log_retention_days?: number;
            /** @description not blank; no control or text-direction characters */
            display_name?: string | null;
            accent_color?: string | null;
            /** @description `data:image/png|jpeg|webp;base64,...`: at most 2,048 bytes and 512 x 512 pixels; SVG and URLs are refused */
            logo?: string | null;
            /** @description hide the usual secret names on every resource (on by default) */
            default_redact?: boolean;
            /** @description links may be created with `import_token` (default false) */
            allow_imported_tokens?: boolean;
            /** @description every `url` Keyhole returns follows it, e.g. `https://app.example.com/m/{token}`: https, `{token}` once in its path or query, no credentials (null: Keyhole's own `/share/{token}`) */
            share_url_template?: string | null;
            /** @description up to 10 origins, `https://host[:port]` (on local stages also `http://127.0.0.1`, `http://localhost` and `http://<name>.localhost`, with a port); `null` or `[]`: none */
            embed_origins?: string[] | null;
        };
        ApiKey: {
            id: string;
            name: string;
            /** @enum {string} */
            role: "introspect" | "viewer" | "operator" | "admin";
            /** @description the key's first characters, to recognise it */
            prefix: string;
            /** Format: date-time */
            created_at: string;
            /** @description the key id that created it, or `ops` */
            created_by: string | null;
        };
        NewApiKey: {
            id: string;
            name: string;
            /** @enum {string} */
            role: "introspect" | "viewer" | "operator" | "admin";
            /** @description the key's first characters, to recognise it */
            prefix: string;
            /** Format: date-time */
            created_at: string;
            /** @description the key id that created it, or `ops` */
            created_by: string | null;
            /** @description the key itself, shown this once */
            key: string;
        };
        ApiKeyCreate: {
            /** @description not blank; no control or text-direction characters */
            name: string;
            /** @enum {string} */
            role: "introspect" | "viewer" | "operator" | "admin";
        };
        ResourceSummary: {
            id: string;
            type: string;
            name: string;
            version: number;
            /** @description the `ETag` for `If-Match` */
            etag: string;
            active_links: number;
            document_bytes: number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            file_count?: number;
        };
        /** @description Display hints for the viewer's page (at most 16 KiB). */
        Display: {
            fields?: {
                [key: string]: {
                    /** @enum {string} */
                    as?: "auto" | "line" | "area" | "strip" | "table" | "list" | "section";
                    label?: string;
                    unit?: string;
                    columns?: string[];
                    labels?: {
                        [key: string]: string;
                    };
                    x?: string;
                    y?: string[];
                    decimals?: number;
                    collapsed?: boolean;
                };
            };
        };
        /** @description Document resources carry `document`, `redact`, `scopes` and `display`; origin resources `origin` and when their signing secret was made. */
        Resource: {
            id: string;
            type: string;
            name: string;
            version: number;
            /** @description the `ETag` for `If-Match` */
            etag: string;
            active_links: number;
            document_bytes: number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /** @description as pushed (admins always read it unredacted) */
            document?: {
                [key: string]: unknown;
            };
            /** @description field names whose values viewers see as `***`, at any depth */
            redact?: string[];
            /** @description named projections: scope name -> top-level document fields (at most 64 KiB) */
            scopes?: {
                [key: string]: string[];
            };
            display?: components["schemas"]["Display"];
            /** @enum {string} */
            kind: "document" | "origin";
            origin?: components["schemas"]["Origin"];
            /** Format: date-time */
            secret_created_at?: string | null;
            /**
             * Format: date-time
             * @description during a rotation: when the replaced secret stops signing
             */
            previous_secret_retires_at?: string | null;
            /** @description only when the origin is first set, or rotated: shown once */
            origin_secret?: string;
            /** @description document resources: the published files */
            files?: components["schemas"]["File"][];
            file_count?: number;
        };
        /** @description A whole resource: either a document (`DocumentResourcePut`) or an origin (`OriginResourcePut`), never both. */
        ResourcePut: components["schemas"]["DocumentResourcePut"] | components["schemas"]["OriginResourcePut"];
        /** @description A JSON Merge Patch (RFC 7396) of the resource as a PUT states it: members not named stay; `null` removes a member inside `document` (and a scope inside `scopes`); arrays are replaced whole; top-level members cannot be removed. A patch that changes nothing writes nothing. */
        ResourcePatch: {
            /** @description not blank; no control or text-direction characters */
            type?: string;
            /** @description not blank; no control or text-direction characters */
            name?: string;
            /** @description merged into the document (RFC 7396): `null` removes a member */
            document?: {
                [key: string]: unknown;
            };
            /** @description field names whose values viewers see as `***`, at any depth */
            redact?: string[];
            /** @description An entry `file:<name>`, `file:<folder>/*` or `file:*` selects files (docs/files.md). */
            scopes?: {
                [key: string]: string[] | null;
            };
            /** @description merged into the display hints (RFC 7396); `null` removes them */
            display?: {
                [key: string]: unknown;
            } | null;
            /** @description merged into the origin (RFC 7396) */
            origin?: {
                [key: string]: unknown;
            } | null;
        };
        Link: {
            id: string;
            resource_id: string;
            label: string | null;
            description: string | null;
            scope: string | null;
            /** @description the token's first 6 characters */
            token_preview: string;
            /** @enum {string} */
            status: "active" | "paused" | "revoked" | "expired" | "exhausted";
            /** Format: date-time */
            expires_at: string | null;
            /** Format: date-time */
            created_at: string;
            created_by: components["schemas"]["ByRef"] | null;
            /** Format: date-time */
            revoked_at: string | null;
            revoked_by: components["schemas"]["ByRef"] | null;
            view_count: number;
            /** Format: date-time */
            last_accessed_at: string | null;
            has_password: boolean;
            max_views: number | null;
            rate_limit_per_min: number | null;
            allowed_paths?: string[] | null;
            allowed_methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS")[] | null;
            /**
             * @description `imported`: a token the product brought from its own system (`import_token`)
             * @enum {string}
             */
            token_source: "keyhole" | "imported";
            /**
             * @description `legacy`: an imported token holding fewer than 128 bits of its alphabet
             * @enum {string}
             */
            token_strength: "strong" | "legacy";
            /** @description paused with `PATCH {paused: true}`: the URL answers the one 404 and the link keeps its slot until resumed */
            paused: boolean;
            /** @description created with `embeddable: true`: its page may be framed by the tenant's `embed_origins` */
            embeddable: boolean;
        };
        NewLink: {
            id: string;
            resource_id: string;
            label: string | null;
            description: string | null;
            scope: string | null;
            /** @description the token's first 6 characters */
            token_preview: string;
            /** @enum {string} */
            status: "active" | "paused" | "revoked" | "expired" | "exhausted";
            /** Format: date-time */
            expires_at: string | null;
            /** Format: date-time */
            created_at: string;
            created_by: components["schemas"]["ByRef"] | null;
            /** Format: date-time */
            revoked_at: string | null;
            revoked_by: components["schemas"]["ByRef"] | null;
            view_count: number;
            /** Format: date-time */
            last_accessed_at: string | null;
            has_password: boolean;
            max_views: number | null;
            rate_limit_per_min: number | null;
            /** Format: uri */
            url: string;
            /** @description the share token: Keyhole's own (64 URL-safe characters: a 256-bit secret and a locator), or one the product imported (12-256 characters of `A-Za-z0-9_-.~`) */
            token: string;
            allowed_paths?: string[] | null;
            allowed_methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS")[] | null;
            /**
             * @description `imported`: a token the product brought from its own system (`import_token`)
             * @enum {string}
             */
            token_source: "keyhole" | "imported";
            /**
             * @description `legacy`: an imported token holding fewer than 128 bits of its alphabet
             * @enum {string}
             */
            token_strength: "strong" | "legacy";
            /** @description paused with `PATCH {paused: true}`: the URL answers the one 404 and the link keeps its slot until resumed */
            paused: boolean;
            /** @description created with `embeddable: true`: its page may be framed by the tenant's `embed_origins` */
            embeddable: boolean;
        };
        /** @description All optional. `expires_in` or `expires_at`, not both; without either the tenant's `default_expires_in` applies, and nothing may exceed its `max_expires_in`. */
        LinkCreate: {
            /** @description no control or text-direction characters */
            label?: string | null;
            /** @description no control or text-direction characters */
            description?: string | null;
            /** @description one of the resource's scopes (default: the whole document) */
            scope?: string | null;
            expires_in?: components["schemas"]["Duration"];
            /**
             * Format: date-time
             * @description a future RFC 3339 time (at most 3660 days away); `null`: never
             */
            expires_at?: string | null;
            password?: string | null;
            max_views?: number | null;
            rate_limit_per_min?: number | null;
            /** @description links to an origin resource only (422 on a document resource): narrows the resource's list, never widens it */
            allowed_paths?: string[] | null;
            /** @description links to an origin resource only (422 on a document resource): narrows the resource's list, never widens it */
            allowed_methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS")[] | null;
            /** @description the token of a link the product already handed out, so its URL keeps working (tenant setting `allow_imported_tokens`; 409 `token_taken` if any link holds or held it; docs/platform.md) */
            import_token?: string;
            /** @description let the link's page be framed by the tenant's `embed_origins` (kiosks, wall displays, the tenant's own site); document resources only; default false */
            embeddable?: boolean;
        };
        /** @description Only active or paused links change. `null` clears a field (`expires_at: null`: never expires, within the tenant's maximum; `password: null`: no password). */
        LinkPatch: {
            /** @description no control or text-direction characters */
            label?: string | null;
            /** @description no control or text-direction characters */
            description?: string | null;
            expires_in?: components["schemas"]["Duration"];
            /**
             * Format: date-time
             * @description a future RFC 3339 time (at most 3660 days away); `null`: never
             */
            expires_at?: string | null;
            max_views?: number | null;
            rate_limit_per_min?: number | null;
            /** @description `true`: the URL answers the one 404 (the link keeps its slot); `false`: the same URL opens again */
            paused?: boolean;
            /** @description a new password (viewers who had unlocked must unlock again), or `null` to remove it (refused when the tenant requires passwords) */
            password?: string | null;
        };
        RevealedLink: {
            id: string;
            /** @description the share token: Keyhole's own (64 URL-safe characters: a 256-bit secret and a locator), or one the product imported (12-256 characters of `A-Za-z0-9_-.~`) */
            token: string;
            /** Format: uri */
            url: string;
            allowed_paths?: string[] | null;
            allowed_methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS")[] | null;
        };
        AccessLogEntry: {
            /** Format: date-time */
            at: string;
            ip: string;
            user_agent: string | null;
            method: string;
            /** @description the token shown only as its 6-character preview */
            path: string;
            status: number;
            latency_ms: number;
            /**
             * @example viewed
             * @example refreshed
             * @example info
             * @example confirm_required
             * @example password_required
             * @example unlocked
             * @example wrong_password
             * @example unlock_not_needed
             * @example bad_request
             * @example rate_limited
             * @example expired
             * @example revoked
             * @example exhausted
             * @example suspended
             * @example unknown
             */
            outcome: string;
        };
        AuditEvent: {
            id: string;
            /** Format: date-time */
            at: string;
            actor: {
                /**
                 * @example key
                 * @example platform_key
                 * @example ops
                 * @example system
                 * @example console_session
                 */
                type: string;
                id: string | null;
                name: string | null;
                /** @description a platform key's namespace */
                namespace?: string;
                /** @description the request's `Keyhole-Actor` */
                actor?: string;
                /** @description a console session's: the key (or platform key) that started it */
                key_id?: string;
            };
            /**
             * @example link.created
             * @example link.revoked
             * @example resource.updated
             * @example api_key.created
             */
            action: string;
            target_type: string | null;
            target_id: string | null;
            /** @description ids, previews and changed fields; never a secret */
            details: {
                [key: string]: unknown;
            };
            request_id: string | null;
        };
        WebhookEndpoint: {
            id: string;
            url: string;
            events: ("share.created" | "share.revoked" | "share.expired" | "share.exhausted" | "share.accessed" | "*")[];
            description: string | null;
            /** Format: date-time */
            created_at: string;
            created_by: string | null;
        };
        NewWebhookEndpoint: {
            id: string;
            url: string;
            events: ("share.created" | "share.revoked" | "share.expired" | "share.exhausted" | "share.accessed" | "*")[];
            description: string | null;
            /** Format: date-time */
            created_at: string;
            created_by: string | null;
            /** @description the signing secret, shown this once */
            secret: string;
        };
        WebhookCreate: {
            /** @description https, a public host, no credentials or fragment (plain http and local hosts only on local stages) */
            url: string;
            /** @description event types, each at most once, or `["*"]` (the default) for every type: `"*"` stands alone */
            events?: ("share.created" | "share.revoked" | "share.expired" | "share.exhausted" | "share.accessed" | "*")[] | null;
            /** @description no control or text-direction characters */
            description?: string | null;
        };
        WebhookDelivery: {
            /** @description the `webhook-id` header */
            id: string;
            /** @enum {string} */
            event: "share.created" | "share.revoked" | "share.expired" | "share.exhausted" | "share.accessed";
            event_id: string;
            /**
             * @example pending
             * @example retrying
             * @example delivered
             * @example failed
             * @example cancelled
             */
            status: string;
            attempts: number;
            response_status: number | null;
            latency_ms: number | null;
            error: string | null;
            created_at: string | null;
            last_attempt_at: string | null;
            next_retry_at: string | null;
            delivered_at: string | null;
            history: components["schemas"]["DeliveryAttempt"][];
        };
        ApiKeyPage: {
            items: components["schemas"]["ApiKey"][];
            /** @description pass as `cursor` for the next page; `null` at the end */
            next_cursor: string | null;
        };
        ResourcePage: {
            items: components["schemas"]["ResourceSummary"][];
            /** @description pass as `cursor` for the next page; `null` at the end */
            next_cursor: string | null;
        };
        LinkPage: {
            items: components["schemas"]["Link"][];
            /** @description pass as `cursor` for the next page; `null` at the end */
            next_cursor: string | null;
        };
        AccessLogPage: {
            items: components["schemas"]["AccessLogEntry"][];
            /** @description pass as `cursor` for the next page; `null` at the end */
            next_cursor: string | null;
        };
        AuditPage: {
            items: components["schemas"]["AuditEvent"][];
            /** @description pass as `cursor` for the next page; `null` at the end */
            next_cursor: string | null;
        };
        WebhookPage: {
            items: components["schemas"]["WebhookEndpoint"][];
            /** @description pass as `cursor` for the next page; `null` at the end */
            next_cursor: string | null;
        };
        DeliveryPage: {
            items: components["schemas"]["WebhookDelivery"][];
            /** @description pass as `cursor` for the next page; `null` at the end */
            next_cursor: string | null;
        };
        ShareData: {
            resource: {
                type: string;
                name: string;
            };
            link: {
                label: string | null;
                description: string | null;
                scope: string | null;
                /** Format: date-time */
                expires_at: string | null;
            };
            /** @description scoped and redacted: secrets are `***` */
            document: {
                [key: string]: unknown;
            };
            /** Format: date-time */
            updated_at: string;
            /** @description only on a resource that holds files: the ones this link shows (its scope's `file:` patterns) */
            files?: components["schemas"]["ShareFile"][];
            /** @description with `files`: the zip of every file shown (two or more, 10 GiB at most), or null */
            bundle?: {
                /** @enum {string} */
                status: "preparing" | "ready";
                size: number | null;
                download_url: string;
            } | null;
        };
        ShareInfo: {
            label: string | null;
            description: string | null;
            /** Format: date-time */
            expires_at: string | null;
            has_password: boolean;
            tenant: {
                /** @description Who shared the link: the tenant's display name (`PATCH /v1/tenant`), else its name, as the page and the origin banner show it. */
                name: string;
            };
            resource: {
                type: string;
                name: string;
            };
        };
        Unlocked: {
            /** @constant */
            unlocked: true;
            /** @description seconds the cookie lasts; `null` when the link has no password */
            expires_in: number | null;
        };
        Password: {
            password: string;
        };
        /** @description The tenant's own service that links to this resource put a read-only window in front of (docs/origins.md). On deployed stages an https URL whose host is public. */
        Origin: {
            /** @description the base URL shared paths are appended to */
            url: string;
            /** @description `*` within one segment, `/*` everything below, otherwise exact; default `["/*"]` */
            allowed_paths?: string[] | null;
            /** @description default `["GET", "HEAD"]` */
            allowed_methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS")[] | null;
            /** @description inject "Shared through a private link by <tenant>" into HTML */
            banner?: boolean | null;
        };
        Introspect: {
            token: string;
            view?: {
                ip: string;
                user_agent?: string | null;
                use_view?: boolean | null;
            } | null;
            password?: string | null;
        };
        Introspection: {
            active: boolean;
            /** @enum {string} */
            requires?: "password" | "view_confirmation";
            token_type?: string;
            link?: components["schemas"]["IntrospectedLink"];
            resource?: components["schemas"]["IntrospectedResource"];
            scope?: string | null;
            expires_at?: string | null;
            exp?: number;
        };
        /** @description One attempt of a delivery (the last attempts, oldest first). */
        DeliveryAttempt: {
            /** Format: date-time */
            at: string;
            latency_ms: number | null;
            /** @description the endpoint's status, when it answered */
            response_status?: number;
            /** @description why the attempt failed, when it did not get an answer */
            error?: string;
        };
        /** @description The live link a token belongs to (never the token). */
        IntrospectedLink: {
            id: string;
            label: string | null;
            description: string | null;
            scope: string | null;
            /** Format: date-time */
            expires_at: string | null;
            has_password: boolean;
            max_views: number | null;
            rate_limit_per_min: number | null;
            /** @description origin links with their own allow-list */
            allowed_paths?: string[] | null;
            /** @description origin links with their own allow-list */
            allowed_methods?: ("GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS")[] | null;
        };
        IntrospectedResource: {
            id: string;
            type: string;
            name: string;
            /** @enum {string} */
            kind: "document" | "origin";
        };
        /** @description A resource whose viewers see a JSON document you push. On a resource with redaction rules `redact` is required (`[]` clears the rules on purpose); on one with scopes `scopes` is required (`{}` clears them). `null` reads as absent. */
        DocumentResourcePut: {
            /** @description not blank; no control or text-direction characters */
            type: string;
            /** @description not blank; no control or text-direction characters */
            name: string;
            /** @description the JSON object viewers see, at most 256 KiB as compact JSON and 64 levels deep */
            document: {
                [key: string]: unknown;
            };
            /** @description field names whose values viewers see as `***`, at any depth */
            redact?: string[] | null;
            /** @description named projections: scope name -> top-level document fields (at most 64 KiB) An entry `file:<name>`, `file:<folder>/*` or `file:*` selects files (docs/files.md). */
            scopes?: {
                [key: string]: string[];
            } | null;
            display?: components["schemas"]["Display"] | null;
            /** @description a document resource has no origin */
            origin?: null;
        };
        /** @description A live share of your own service (docs/origins.md): no document, so no redaction rules, scopes or display hints. */
        OriginResourcePut: {
            /** @description not blank; no control or text-direction characters */
            type: string;
            /** @description not blank; no control or text-direction characters */
            name: string;
            origin: components["schemas"]["Origin"];
            /** @description an origin resource has no document */
            document?: null;
            /** @description absent, `null` or `[]` */
            redact?: string[] | null;
            /** @description absent, `null` or `{}` */
            scopes?: {
                [key: string]: string[];
            } | null;
            /** @description absent, `null` or `{}` */
            display?: {
                [key: string]: unknown;
            } | null;
        };
        /** @description Who created (or revoked) a link: the key, and the product's user it named (informational). */
        ByRef: {
            /** @description the API key or platform key that did it (`key_...`, `pkey_...`), or `ops` */
            key_id: string;
            /** @description the request's `Keyhole-Actor`, when it named one */
            actor: string | null;
        };
        /** @description A tenant of the platform key's namespace. */
        PlatformTenant: {
            /** @description the product's own id for the tenant */
            id: string;
            name: string;
            plan: string;
            limits: components["schemas"]["Limits"];
            /** @description limits set for this tenant only (by the platform key or ops) */
            overrides: {
                [key: string]: number | null;
            };
            usage: {
                active_links: number;
                shared_resources: number;
            };
            settings: components["schemas"]["TenantSettings"];
            /** Format: date-time */
            created_at: string;
            /** @description Keyhole's id for it (in its API keys, and `GET /v1/tenant`) */
            keyhole_id: string;
            /** @enum {string} */
            status: "active" | "suspended";
            /** Format: date-time */
            suspended_at: string | null;
        };
        PlatformTenantPage: {
            items: components["schemas"]["PlatformTenant"][];
            next_cursor: string | null;
        };
        /** @description Create or update. `overrides` (when given) replaces the tenant's overrides; `settings` and `branding` change only the settings they name. */
        PlatformTenantPut: {
            /** @description not blank; no control or text-direction characters */
            name: string;
            /** @description a built-in plan (free, team, enterprise) or one of the namespace's (`GET /v1/plans`) */
            plan: string;
            /** @description replaces the tenant's limit overrides: limit name -> whole number, or null for unlimited */
            overrides?: {
                [key: string]: number | null;
            };
            settings?: components["schemas"]["TenantSettingsPatch"];
            /** @description the branding settings only (as in `settings`) */
            branding?: {
                /** @description not blank; no control or text-direction characters */
                display_name?: string | null;
                accent_color?: string | null;
                /** @description `data:image/png|jpeg|webp;base64,...`: at most 2,048 bytes and 512 x 512 pixels; SVG and URLs are refused */
                logo?: string | null;
            };
        };
        /** @description Only what is named changes. */
        PlatformTenantPatch: {
            /** @description not blank; no control or text-direction characters */
            name?: string;
            /** @description a built-in plan (free, team, enterprise) or one of the namespace's (`GET /v1/plans`) */
            plan?: string;
            /** @description replaces the tenant's limit overrides: limit name -> whole number, or null for unlimited */
            overrides?: {
                [key: string]: number | null;
            };
            settings?: components["schemas"]["TenantSettingsPatch"];
            /** @description the branding settings only (as in `settings`) */
            branding?: {
                /** @description not blank; no control or text-direction characters */
                display_name?: string | null;
                accent_color?: string | null;
                /** @description `data:image/png|jpeg|webp;base64,...`: at most 2,048 bytes and 512 x 512 pixels; SVG and URLs are refused */
                logo?: string | null;
            };
        };
        /** @description The deletion ran out of time before every link was revoked: the tenant is gone for every other route, its keys and links stopped; DELETE again finishes it. */
        TenantDeleting: {
            id: string;
            /** @enum {string} */
            status: "deleting";
            links_revoked: number;
        };
        Plan: {
            name: string;
            /** @enum {string} */
            source: "builtin" | "namespace";
            limits: components["schemas"]["Limits"];
            /** @description (PUT) tenants on the plan whose limits this request changed (those already up to date are skipped, so a PUT cut short is finished by sending it again) */
            tenants_updated?: number;
        };
        PlanPage: {
            items: components["schemas"]["Plan"][];
            next_cursor: null;
        };
        PlanPut: {
            /** @description limit name -> whole number, or null for unlimited; a limit left out takes the free plan's value */
            limits: {
                [key: string]: number | null;
            };
        };
        /** @description all optional: an admin key named "admin key" unless told otherwise */
        TenantKeyCreate: {
            /** @description not blank; no control or text-direction characters */
            name?: string;
            /** @enum {string} */
            role?: "introspect" | "viewer" | "operator" | "admin";
        };
        TenantDailyUsage: {
            id: string;
            days: {
                /** Format: date */
                date: string;
                views: number;
                links_created: number;
            }[];
            totals: {
                views: number;
                links_created: number;
            };
        };
        FileUpload: {
            /** @description 1-255 characters; `/` separates folders; no leading or trailing `/`, no empty, `.` or `..` segment, no backslash, no control, invisible or text-direction character (joiners in emoji are fine) */
            name: string;
            /** @description a media type (`application/pdf`), optionally with `; charset=...` */
            content_type: string;
            /** @description bytes; at most 5 GiB (5,368,709,120): more is 413 */
            size: number;
            /** @description SHA-256 of the bytes, hex */
            sha256: string;
        };
        /** @description A file of a resource: `pending` until its upload is completed, then `published`. */
        File: {
            file_id: string;
            name: string;
            content_type: string;
            size: number;
            /** @description SHA-256 of the bytes, hex */
            sha256: string;
            /** @enum {string} */
            status: "pending" | "published";
            /** Format: date-time */
            published_at?: string | null;
            /** Format: date-time */
            created_at?: string;
            /** @description after complete: the version that published it */
            resource_version?: number;
            /** @description after complete: the resource's new ETag */
            etag?: string;
        };
        FileUploadStarted: {
            file_id: string;
            name: string;
            content_type: string;
            size: number;
            /** @description SHA-256 of the bytes, hex */
            sha256: string;
            /** @enum {string} */
            status: "pending" | "published";
            /** Format: date-time */
            created_at: string;
            upload: {
                /** @enum {string} */
                method: "PUT";
                /** Format: uri */
                url: string;
                /** @description send each exactly (a browser sets Content-Length itself): S3 refuses the PUT otherwise */
                headers: {
                    [key: string]: string;
                };
            };
            /**
             * Format: date-time
             * @description the upload must start before this (1 hour)
             */
            expires_at: string;
        };
        ShareFile: {
            id: string;
            name: string;
            content_type: string;
            size: number;
            /** @description SHA-256 of the bytes, hex */
            sha256: string;
            /** @description `<share URL>/files/<id>`: checked like a view, then a 302 to the bytes */
            download_url: string;
        };
        ImportLink: {
            resource_id: string;
            /** @description the token of a link the product already handed out, so its URL keeps working (tenant setting `allow_imported_tokens`; 409 `token_taken` if any link holds or held it; docs/platform.md) */
            import_token: string;
            label?: string | null;
            /**
             * Format: date-time
             * @description a future time, within the tenant's max_expires_in (default: the tenant's default expiry)
             */
            expires_at?: string | null;
            /**
             * Format: date-time
             * @description when the product created the link (not in the future); default now
             */
            created_at?: string | null;
        };
        ImportLinks: {
            links: components["schemas"]["ImportLink"][];
        };
        ImportResult: {
            items: {
                index: number;
                /** @enum {integer} */
                status: 201 | 404 | 409 | 422 | 429;
                link?: components["schemas"]["NewLink"];
                error?: {
                    /** @enum {string} */
                    code: "bad_request" | "tenant_required" | "unauthorized" | "forbidden" | "not_found" | "method_not_allowed" | "conflict" | "limit_reached" | "token_taken" | "precondition_failed" | "payload_too_large" | "unsupported_media_type" | "validation_error" | "rate_limited" | "internal" | "unavailable";
                    message: string;
                    details?: components["schemas"]["FieldError"][];
                    /** @description also the `X-Request-Id` header; the log line with this id has the cause */
                    request_id: string;
                    retry_after?: number;
                    limit?: string;
                    limit_value?: number | null;
                    how_to_free?: string;
                };
            }[];
            created: number;
            failed: number;
        };
        /** @description Everything optional: without `resource_id` the console for the whole tenant, with it the share dialog of that resource. */
        ConsoleSessionCreate: {
            /** @description limit the session to this resource (the share dialog) */
            resource_id?: string;
            /**
             * @description at most the key's (default: the key's; operator at most with `resource_id`)
             * @enum {string}
             */
            role?: "viewer" | "operator" | "admin";
            /** @description who in your product uses it (default: the request's `Keyhole-Actor`): recorded on every change it makes */
            actor?: string;
        };
        ConsoleTicket: {
            /**
             * Format: uri
             * @description the page, with the one-time ticket in its fragment: open it (or put it in an iframe) once, within 5 minutes
             */
            url: string;
            /**
             * Format: date-time
             * @description when the ticket stops opening anything
             */
            expires_at: string;
        };
        ConsoleSessionStart: {
            /** @description the ticket from the URL's fragment (`#ticket=`) */
            ticket: string;
        };
        ConsoleSession: {
            id: string;
            /** @enum {string} */
            role: "viewer" | "operator" | "admin";
            resource_id: string | null;
            actor: string | null;
            /** @description the key that started it */
            key: {
                id: string;
                name: string;
            };
            /**
             * Format: date-time
             * @description 12 hours after it started, at most
             */
            expires_at: string;
            /** @description it ends after this long without a request */
            idle_timeout_seconds: number;
        };
        /** @description What the share dialog shows of its resource (never the document). */
        ConsoleResource: {
            id: string;
            type: string;
            name: string;
            /** @enum {string} */
            kind: "document" | "origin";
            scopes: string[];
            active_links: number;
            allowed_paths: string[] | null;
            allowed_methods: string[] | null;
        };
        ConsoleSessionStarted: {
            /** @description the session token: `Authorization: Bearer` on every admin route, kept in the page's memory only */
            token: string;
            session: components["schemas"]["ConsoleSession"];
            tenant: components["schemas"]["Tenant"];
            resource: components["schemas"]["ConsoleResource"] | null;
            /** @description plan limit name -> what frees a slot */
            how_to_free: {
                [key: string]: string;
            };
        };
        /** @description `link_ids`, or a filter (the active and paused links it matches; several filters: all of them). Not both. */
        LinksRevoke: {
            link_ids?: string[];
            resource_id?: string;
            /** @description links created by requests naming this `Keyhole-Actor` */
            actor?: string;
            /** Format: date-time */
            created_before?: string;
            /** @description recorded in each audit event */
            reason?: string;
        };
        LinkRevocation: {
            link_id: string;
            resource_id: string | null;
            /**
             * @description `already_revoked`: revoked, expired or used up before; `not_found`: unknown, another tenant's, or outside the session's resource
             * @enum {string}
             */
            status: "revoked" | "already_revoked" | "not_found";
        };
        LinksRevoked: {
            results: components["schemas"]["LinkRevocation"][];
            revoked: number;
            /** @description false when a filter matched more than one call revokes (1,000, or 15 seconds): call again */
            complete: boolean;
        };
    };
    responses: {
        /** @description The body is not JSON, or not a JSON object. */
        BadRequest: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "bad_request",
                 *         "message": "Request body is not valid JSON",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No API key, or an unknown, deleted or suspended tenant's key. */
        Unauthorized: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "unauthorized",
                 *         "message": "A valid API key is required",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The key's role is too low for this route. */
        Forbidden: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "forbidden",
                 *         "message": "This action needs the operator role; this key is viewer",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such object in this tenant (other tenants' ids are 404 too). */
        NotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "not_found",
                 *         "message": "No such resource",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A plan limit would be exceeded (`limit_reached`, naming the limit, its value and what frees a slot), or the request conflicts with the current state (`conflict`). Nothing was changed. */
        Conflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "limit_reached",
                 *         "message": "Plan limit reached: links_per_resource is 10 (active links on this resource); revoke one of this resource's active or paused links, or wait for one to expire",
                 *         "limit": "links_per_resource",
                 *         "limit_value": 10,
                 *         "how_to_free": "revoke one of this resource's active or paused links, or wait for one to expire",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The request conflicts with the current state; nothing was changed. */
        StateConflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "conflict",
                 *         "message": "The request raced another change to the same items; nothing was changed, retry",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `If-Match` / `If-None-Match` did not hold: the resource changed. Read it again. */
        PreconditionFailed: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "precondition_failed",
                 *         "message": "The resource has changed since you read it (If-Match does not match its ETag); read it again and retry",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body (1 MiB), the document (256 KiB), the scopes (64 KiB) or the display hints (16 KiB) are too large. */
        PayloadTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "payload_too_large",
                 *         "message": "Request body is larger than 1024 KiB",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A `Content-Type` this route does not read. */
        UnsupportedMediaType: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "unsupported_media_type",
                 *         "message": "Unsupported media type: application/xml",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Field errors: `details` names each field (the first 20). */
        ValidationError: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "validation_error",
                 *         "message": "Some fields are invalid",
                 *         "details": [
                 *           {
                 *             "field": "role",
                 *             "message": "must be one of admin, operator, viewer"
                 *           }
                 *         ],
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The key's `api_requests_per_min` is used up for this minute. */
        RateLimited: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "rate_limited",
                 *         "message": "Too many requests",
                 *         "retry_after": 17,
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Unexpected. The log line with the `request_id` has the cause. */
        Internal: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "internal",
                 *         "message": "Internal error",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description DynamoDB or KMS unavailable or throttling after retries; nothing was half-written. */
        Unavailable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "unavailable",
                 *         "message": "A backing service is unavailable; nothing was changed",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The one 404 of every dead link (unknown, malformed, expired, revoked, exhausted, resource deleted): the same body and headers. */
        ShareNotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "not_found",
                 *         "message": "Share link not found or has been revoked"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["NotFoundLink"];
            };
        };
        /** @description Too many viewer requests from this IP, too many failed resolves (the enumeration guard), or the link's `rate_limit_per_min`. */
        ShareRateLimited: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "rate_limited",
                 *         "message": "Too many requests; slow down",
                 *         "retry_after": 42
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ViewerError"];
            };
        };
        /** @description Unexpected; the log line with the `request_id` has the cause. */
        ShareInternal: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "internal",
                 *         "message": "Internal error",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ViewerError"];
            };
        };
        /** @description DynamoDB unavailable, or the request kept conflicting with concurrent ones. */
        ShareUnavailable: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "unavailable",
                 *         "message": "A backing service is unavailable; nothing was changed",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ViewerError"];
            };
        };
        /** @description the origin's answer: its status, body (any bytes) and content type, under the viewer headers; redirects only inside the share */
        ProxiedAnswer: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                [name: string]: unknown;
            };
            content: {
                "*/*": unknown;
            };
        };
        /** @description `/o` without its slash (301), or opened on Keyhole's host: the same path and query on the link's content origin (302; 307 for methods other than GET and HEAD, so the method and body are kept) */
        ProxiedMoved: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                /** @description 301: the same path with its slash (`/share/<token>/o/`); 302: the link's own content origin (an absolute URL) */
                Location: string;
                [name: string]: unknown;
            };
            content?: never;
        };
        /** @description a refused path or method (the link is valid) */
        ProxiedForbidden: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ViewerError"];
            };
        };
        /** @description a request body over 1 MiB (never forwarded) */
        ProxiedTooLarge: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ViewerError"];
            };
        };
        /** @description the origin is unreachable, refused, redirected elsewhere or answered over 4 MiB */
        ProxiedBadGateway: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ViewerError"];
            };
        };
        /** @description the origin did not finish within the proxy's deadline */
        ProxiedTimeout: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                "Referrer-Policy": components["headers"]["Referrer-Policy"];
                "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ViewerError"];
            };
        };
        /** @description A platform key called a tenant route without naming the tenant it acts for (`Keyhole-Tenant`). */
        TenantRequired: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "tenant_required",
                 *         "message": "A platform key acts for one of its tenants: name it with the Keyhole-Tenant header",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description The body is not JSON, or not a JSON object (`bad_request`); or a platform key named no tenant to act for (`tenant_required`). */
        BadRequestOrTenantRequired: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "bad_request",
                 *         "message": "Request body is not valid JSON",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Platform routes need a platform key (`khp_...`); a tenant's own API key gets 403. */
        PlatformOnly: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "forbidden",
                 *         "message": "Platform routes need a platform key (khp_...); this is a tenant's API key",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description No such tenant in this namespace (another namespace's tenants, and deleted ones, are 404 too). */
        TenantNotFound: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "not_found",
                 *         "message": "No such tenant",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description `conflict`: the upload has not reached the bucket yet, or the resource shares an origin; `limit_reached`: the resource holds 1,000 files; `files_unavailable`: this deployment has no files bucket. Nothing was changed. */
        FileConflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "conflict",
                 *         "message": "The file has not been uploaded yet: PUT it to the upload URL first",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description A plan limit would be exceeded (`limit_reached`, naming the limit), an imported token is taken (`token_taken`: some link holds or held it; each counts against the tenant's collisions, 429 after 10 an hour), or the request conflicts with the current state (`conflict`). Nothing was changed. */
        LinkConflict: {
            headers: {
                "X-Request-Id": components["headers"]["X-Request-Id"];
                "Cache-Control": components["headers"]["NoStore"];
                [name: string]: unknown;
            };
            content: {
                /**
                 * @example {
                 *       "error": {
                 *         "code": "token_taken",
                 *         "message": "This token is taken (tokens are never reused): choose another",
                 *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: {
        /**
         * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
         * @example invoice-42
         */
        resource_id: string;
        /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
        link_id: string;
        /** @example key_0c9d8e7f6a5b4c3d2e1f */
        key_id: string;
        /** @example wh_1a2b3c4d5e6f708192a3b4c5 */
        webhook_id: string;
        /**
         * @description the share token from the link's URL. Anything else answers the one 404.
         * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
         */
        token: string;
        /**
         * @description page size, 1-100 (default 50)
         * @example 50
         */
        limit: number;
        /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
        cursor: string;
        /** @description which links (default `active`; paused links hold their slots too: `paused` lists them) */
        status: "active" | "paused" | "revoked" | "expired" | "exhausted" | "all";
        /**
         * @description write only if the resource's ETag is one of these (or `*`: it exists); else 412
         * @example "3-9f2c4e1a7b0d"
         */
        "If-Match": string;
        /**
         * @description `*`: create only, 412 if the resource exists
         * @example *
         */
        "If-None-Match-Resource": string;
        /** @description the ETag last seen: 304 when nothing changed (not a view, not logged) */
        "If-None-Match-Share": string;
        /** @description the API key, instead of `Authorization: Bearer` (when both are sent, `Authorization` wins) */
        "x-api-key": string;
        /** @description the cookie `/unlock` sets on a password link (30 minutes, this link only) */
        kh_unlock: string;
        /** @description sent by an open page re-rendering after its poll found a new version: the new ETag */
        "X-Keyhole-Refresh": string;
        /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
        "Keyhole-Tenant": string;
        /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
        "Keyhole-Actor": string;
        /** @description only the links created by requests that named this actor (`Keyhole-Actor`), newest first; the status filter applies to each page read, so a page may hold fewer than `limit` links (follow `next_cursor`) */
        actor: string;
        /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
        tenant_id: string;
        /** @description the plan's name: 1-40 characters of `A-Za-z0-9_-`, not a built-in plan's */
        plan_name: string;
        /** @description a file of the resource (`fil_...`) */
        file_id: string;
        /** @description a file the link shows (`fil_...`), or `bundle`: the zip of every file it shows */
        share_file_id: string;
        /** @description the unlock value of a password link's page unlocked inside another site's frame (no cookie there): the page's own script sends it */
        "X-Keyhole-Unlock": string;
    };
    requestBodies: never;
    headers: {
        /** @description this request's id (also in error bodies and log lines) */
        "X-Request-Id": string;
        /** @description admin responses carry keys, tokens and secrets: never cached */
        NoStore: "no-store";
        /** @description the resource's entity tag, for `If-Match` */
        ResourceETag: string;
        /** @description the view's entity tag, for `If-None-Match` */
        ShareETag: string;
        /** @description seconds until the window ends */
        "Retry-After": string;
        "Referrer-Policy": "no-referrer";
        "X-Robots-Tag": "noindex, nofollow";
        "X-Content-Type-Options": "nosniff";
        /** @description strict; `frame-ancestors 'none'`, except the pages of a live `embeddable` link: the tenant's `embed_origins` */
        "Content-Security-Policy": string;
        /** @description the share page (with any stage prefix) */
        Location: string;
        /** @description `kh_unlock=...; Path=<stage>/share/<token>; Max-Age=1800; HttpOnly; SameSite=Strict` (and `Secure` over https) */
        "Set-Cookie": string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getOpenApi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the document */
            200: {
                headers: {
                    /** @description the document changes only with a deployment */
                    "Cache-Control": string;
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            500: components["responses"]["Internal"];
        };
    };
    robots: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the rules */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example User-agent: *
                     *     Disallow: /share/
                     */
                    "text/plain": "User-agent: *\nDisallow: /share/\n";
                };
            };
        };
    };
    getTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description the API key, instead of `Authorization: Bearer` (when both are sent, `Authorization` wins) */
                "x-api-key"?: components["parameters"]["x-api-key"];
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the tenant */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "ten_0123456789abcdef",
                     *       "name": "Globex",
                     *       "plan": "team",
                     *       "limits": {
                     *         "links_per_resource": 10,
                     *         "shared_resources": 1000,
                     *         "api_requests_per_min": 1200,
                     *         "viewer_requests_per_min_per_ip": 600,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "overrides": {},
                     *       "usage": {
                     *         "active_links": 3,
                     *         "shared_resources": 2
                     *       },
                     *       "settings": {
                     *         "default_expires_in": "7d",
                     *         "max_expires_in": "never",
                     *         "token_display": "recopyable",
                     *         "require_password": false,
                     *         "access_log_retention_days": 90,
                     *         "display_name": "Globex Billing",
                     *         "accent_color": "#0f766e",
                     *         "logo": null,
                     *         "default_redact": true,
                     *         "allow_imported_tokens": false,
                     *         "share_url_template": null,
                     *         "embed_origins": [
                     *           "https://app.example.com"
                     *         ]
                     *       },
                     *       "created_at": "2026-11-01T09:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "display_name": "Globex Billing",
                 *       "accent_color": "#0f766e"
                 *     }
                 */
                "application/json": components["schemas"]["TenantSettingsPatch"];
            };
        };
        responses: {
            /** @description the tenant, with the new settings */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "ten_0123456789abcdef",
                     *       "name": "Globex",
                     *       "plan": "team",
                     *       "limits": {
                     *         "links_per_resource": 10,
                     *         "shared_resources": 1000,
                     *         "api_requests_per_min": 1200,
                     *         "viewer_requests_per_min_per_ip": 600,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "overrides": {},
                     *       "usage": {
                     *         "active_links": 3,
                     *         "shared_resources": 2
                     *       },
                     *       "settings": {
                     *         "default_expires_in": "7d",
                     *         "max_expires_in": "never",
                     *         "token_display": "recopyable",
                     *         "require_password": false,
                     *         "access_log_retention_days": 90,
                     *         "display_name": "Globex Billing",
                     *         "accent_color": "#0f766e",
                     *         "logo": null,
                     *         "default_redact": true,
                     *         "allow_imported_tokens": false,
                     *         "share_url_template": null,
                     *         "embed_origins": [
                     *           "https://app.example.com"
                     *         ]
                     *       },
                     *       "created_at": "2026-11-01T09:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["Tenant"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listApiKeys: {
        parameters: {
            query?: {
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of keys */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *           "name": "billing-app",
                     *           "role": "operator",
                     *           "prefix": "kh_0123456789abcdef_Xy...",
                     *           "created_at": "2026-11-20T10:00:00Z",
                     *           "created_by": "key_9a8b7c6d5e4f3a2b1c0d"
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["ApiKeyPage"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "billing-app",
                 *       "role": "operator"
                 *     }
                 */
                "application/json": components["schemas"]["ApiKeyCreate"];
            };
        };
        responses: {
            /** @description the key, with `key` shown this once */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *       "name": "billing-app",
                     *       "role": "operator",
                     *       "prefix": "kh_0123456789abcdef_Xy...",
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "created_by": "key_9a8b7c6d5e4f3a2b1c0d",
                     *       "key": "kh_0123456789abcdef_Xy3kQ9vL0mN8pR2sT6uW4zA1bC5dE7fG9hJ0kL2mN4o"
                     *     }
                     */
                    "application/json": components["schemas"]["NewApiKey"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteApiKey: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @example key_0c9d8e7f6a5b4c3d2e1f */
                key_id: components["parameters"]["key_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listResources: {
        parameters: {
            query?: {
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of resources */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "invoice-42",
                     *           "type": "invoice",
                     *           "name": "Invoice #42",
                     *           "version": 3,
                     *           "etag": "\"3-9f2c4e1a7b0d\"",
                     *           "active_links": 1,
                     *           "document_bytes": 97,
                     *           "created_at": "2026-11-20T10:00:00Z",
                     *           "updated_at": "2026-11-20T10:05:00Z"
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["ResourcePage"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getResource: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the resource */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    ETag: components["headers"]["ResourceETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "invoice-42",
                     *       "type": "invoice",
                     *       "name": "Invoice #42",
                     *       "version": 3,
                     *       "etag": "\"3-9f2c4e1a7b0d\"",
                     *       "active_links": 1,
                     *       "document_bytes": 97,
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "updated_at": "2026-11-20T10:05:00Z",
                     *       "document": {
                     *         "customer": "Globex",
                     *         "total": 1250.5,
                     *         "api_key": "sk_live_123",
                     *         "lines": [
                     *           {
                     *             "item": "Widgets",
                     *             "qty": 10
                     *           }
                     *         ]
                     *       },
                     *       "redact": [
                     *         "api_key"
                     *       ],
                     *       "scopes": {
                     *         "summary": [
                     *           "customer",
                     *           "total"
                     *         ]
                     *       },
                     *       "display": {},
                     *       "kind": "document"
                     *     }
                     */
                    "application/json": components["schemas"]["Resource"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    putResource: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description write only if the resource's ETag is one of these (or `*`: it exists); else 412
                 * @example "3-9f2c4e1a7b0d"
                 */
                "If-Match"?: components["parameters"]["If-Match"];
                /**
                 * @description `*`: create only, 412 if the resource exists
                 * @example *
                 */
                "If-None-Match"?: components["parameters"]["If-None-Match-Resource"];
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "type": "invoice",
                 *       "name": "Invoice #42",
                 *       "document": {
                 *         "customer": "Globex",
                 *         "total": 1250.5,
                 *         "api_key": "sk_live_123",
                 *         "lines": [
                 *           {
                 *             "item": "Widgets",
                 *             "qty": 10
                 *           }
                 *         ]
                 *       },
                 *       "redact": [
                 *         "api_key"
                 *       ],
                 *       "scopes": {
                 *         "summary": [
                 *           "customer",
                 *           "total"
                 *         ]
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ResourcePut"];
            };
        };
        responses: {
            /** @description replaced */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    ETag: components["headers"]["ResourceETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "invoice-42",
                     *       "type": "invoice",
                     *       "name": "Invoice #42",
                     *       "version": 3,
                     *       "etag": "\"3-9f2c4e1a7b0d\"",
                     *       "active_links": 1,
                     *       "document_bytes": 97,
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "updated_at": "2026-11-20T10:05:00Z",
                     *       "document": {
                     *         "customer": "Globex",
                     *         "total": 1250.5,
                     *         "api_key": "sk_live_123",
                     *         "lines": [
                     *           {
                     *             "item": "Widgets",
                     *             "qty": 10
                     *           }
                     *         ]
                     *       },
                     *       "redact": [
                     *         "api_key"
                     *       ],
                     *       "scopes": {
                     *         "summary": [
                     *           "customer",
                     *           "total"
                     *         ]
                     *       },
                     *       "display": {},
                     *       "kind": "document"
                     *     }
                     */
                    "application/json": components["schemas"]["Resource"];
                };
            };
            /** @description created */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    ETag: components["headers"]["ResourceETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "invoice-42",
                     *       "type": "invoice",
                     *       "name": "Invoice #42",
                     *       "version": 1,
                     *       "etag": "\"1-9f2c4e1a7b0d\"",
                     *       "active_links": 1,
                     *       "document_bytes": 97,
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "updated_at": "2026-11-20T10:05:00Z",
                     *       "document": {
                     *         "customer": "Globex",
                     *         "total": 1250.5,
                     *         "api_key": "sk_live_123",
                     *         "lines": [
                     *           {
                     *             "item": "Widgets",
                     *             "qty": 10
                     *           }
                     *         ]
                     *       },
                     *       "redact": [
                     *         "api_key"
                     *       ],
                     *       "scopes": {
                     *         "summary": [
                     *           "customer",
                     *           "total"
                     *         ]
                     *       },
                     *       "display": {},
                     *       "kind": "document"
                     *     }
                     */
                    "application/json": components["schemas"]["Resource"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteResource: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchResource: {
        parameters: {
            query?: never;
            header?: {
                /**
                 * @description write only if the resource's ETag is one of these (or `*`: it exists); else 412
                 * @example "3-9f2c4e1a7b0d"
                 */
                "If-Match"?: components["parameters"]["If-Match"];
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "document": {
                 *         "total": 1300,
                 *         "lines": null
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["ResourcePatch"];
                /**
                 * @example {
                 *       "document": {
                 *         "total": 1300,
                 *         "lines": null
                 *       }
                 *     }
                 */
                "application/merge-patch+json": components["schemas"]["ResourcePatch"];
            };
        };
        responses: {
            /** @description the resource after the patch */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    ETag: components["headers"]["ResourceETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "invoice-42",
                     *       "type": "invoice",
                     *       "name": "Invoice #42",
                     *       "version": 3,
                     *       "etag": "\"3-9f2c4e1a7b0d\"",
                     *       "active_links": 1,
                     *       "document_bytes": 97,
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "updated_at": "2026-11-20T10:05:00Z",
                     *       "document": {
                     *         "customer": "Globex",
                     *         "total": 1250.5,
                     *         "api_key": "sk_live_123",
                     *         "lines": [
                     *           {
                     *             "item": "Widgets",
                     *             "qty": 10
                     *           }
                     *         ]
                     *       },
                     *       "redact": [
                     *         "api_key"
                     *       ],
                     *       "scopes": {
                     *         "summary": [
                     *           "customer",
                     *           "total"
                     *         ]
                     *       },
                     *       "display": {},
                     *       "kind": "document"
                     *     }
                     */
                    "application/json": components["schemas"]["Resource"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            412: components["responses"]["PreconditionFailed"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listResourceLinks: {
        parameters: {
            query?: {
                /** @description which links (default `active`; paused links hold their slots too: `paused` lists them) */
                status?: components["parameters"]["status"];
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of links */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *           "resource_id": "invoice-42",
                     *           "label": "For Globex AP",
                     *           "description": null,
                     *           "scope": null,
                     *           "token_preview": "q3Yx0J",
                     *           "status": "active",
                     *           "expires_at": "2026-11-27T10:00:00Z",
                     *           "created_at": "2026-11-20T10:00:00Z",
                     *           "created_by": {
                     *             "key_id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *             "actor": null
                     *           },
                     *           "revoked_at": null,
                     *           "revoked_by": null,
                     *           "view_count": 4,
                     *           "last_accessed_at": "2026-11-21T08:12:03Z",
                     *           "has_password": false,
                     *           "max_views": null,
                     *           "rate_limit_per_min": null,
                     *           "token_source": "keyhole",
                     *           "token_strength": "strong",
                     *           "paused": false,
                     *           "embeddable": false
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["LinkPage"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createLink: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "label": "For Globex AP",
                 *       "expires_in": "7d"
                 *     }
                 */
                "application/json": components["schemas"]["LinkCreate"];
            };
        };
        responses: {
            /** @description the link, with `token` and `url` */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *       "resource_id": "invoice-42",
                     *       "label": "For Globex AP",
                     *       "description": null,
                     *       "scope": null,
                     *       "token_preview": "q3Yx0J",
                     *       "status": "active",
                     *       "expires_at": "2026-11-27T10:00:00Z",
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "created_by": {
                     *         "key_id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *         "actor": null
                     *       },
                     *       "revoked_at": null,
                     *       "revoked_by": null,
                     *       "view_count": 0,
                     *       "last_accessed_at": null,
                     *       "has_password": false,
                     *       "max_views": null,
                     *       "rate_limit_per_min": null,
                     *       "url": "https://share.example.com/share/q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD",
                     *       "token": "q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD",
                     *       "token_source": "keyhole",
                     *       "token_strength": "strong",
                     *       "paused": false,
                     *       "embeddable": false
                     *     }
                     */
                    "application/json": components["schemas"]["NewLink"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["LinkConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listLinks: {
        parameters: {
            query?: {
                /** @description which links (default `active`; paused links hold their slots too: `paused` lists them) */
                status?: components["parameters"]["status"];
                /** @description only the links created by requests that named this actor (`Keyhole-Actor`), newest first; the status filter applies to each page read, so a page may hold fewer than `limit` links (follow `next_cursor`) */
                actor?: components["parameters"]["actor"];
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of links */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *           "resource_id": "invoice-42",
                     *           "label": "For Globex AP",
                     *           "description": null,
                     *           "scope": null,
                     *           "token_preview": "q3Yx0J",
                     *           "status": "active",
                     *           "expires_at": "2026-11-27T10:00:00Z",
                     *           "created_at": "2026-11-20T10:00:00Z",
                     *           "created_by": {
                     *             "key_id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *             "actor": null
                     *           },
                     *           "revoked_at": null,
                     *           "revoked_by": null,
                     *           "view_count": 4,
                     *           "last_accessed_at": "2026-11-21T08:12:03Z",
                     *           "has_password": false,
                     *           "max_views": null,
                     *           "rate_limit_per_min": null,
                     *           "token_source": "keyhole",
                     *           "token_strength": "strong",
                     *           "paused": false,
                     *           "embeddable": false
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["LinkPage"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getLink: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
                link_id: components["parameters"]["link_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the link */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *       "resource_id": "invoice-42",
                     *       "label": "For Globex AP",
                     *       "description": null,
                     *       "scope": null,
                     *       "token_preview": "q3Yx0J",
                     *       "status": "active",
                     *       "expires_at": "2026-11-27T10:00:00Z",
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "created_by": {
                     *         "key_id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *         "actor": null
                     *       },
                     *       "revoked_at": null,
                     *       "revoked_by": null,
                     *       "view_count": 4,
                     *       "last_accessed_at": "2026-11-21T08:12:03Z",
                     *       "has_password": false,
                     *       "max_views": null,
                     *       "rate_limit_per_min": null,
                     *       "token_source": "keyhole",
                     *       "token_strength": "strong",
                     *       "paused": false,
                     *       "embeddable": false
                     *     }
                     */
                    "application/json": components["schemas"]["Link"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    revokeLink: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
                link_id: components["parameters"]["link_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description revoked */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchLink: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
                link_id: components["parameters"]["link_id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "expires_in": "30d",
                 *       "max_views": 100
                 *     }
                 */
                "application/json": components["schemas"]["LinkPatch"];
            };
        };
        responses: {
            /** @description the link */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *       "resource_id": "invoice-42",
                     *       "label": "For Globex AP",
                     *       "description": null,
                     *       "scope": null,
                     *       "token_preview": "q3Yx0J",
                     *       "status": "active",
                     *       "expires_at": "2026-11-27T10:00:00Z",
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "created_by": {
                     *         "key_id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *         "actor": null
                     *       },
                     *       "revoked_at": null,
                     *       "revoked_by": null,
                     *       "view_count": 4,
                     *       "last_accessed_at": "2026-11-21T08:12:03Z",
                     *       "has_password": false,
                     *       "max_views": null,
                     *       "rate_limit_per_min": null,
                     *       "token_source": "keyhole",
                     *       "token_strength": "strong",
                     *       "paused": false,
                     *       "embeddable": false
                     *     }
                     */
                    "application/json": components["schemas"]["Link"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    revealLink: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
                link_id: components["parameters"]["link_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the token and URL */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *       "token": "q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD",
                     *       "url": "https://share.example.com/share/q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD"
                     *     }
                     */
                    "application/json": components["schemas"]["RevealedLink"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listAccessLogs: {
        parameters: {
            query?: {
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @example lnk_5f0c2a9e1b7d4c3a8e6f1d2b */
                link_id: components["parameters"]["link_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of entries */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "at": "2026-11-21T08:12:03.412Z",
                     *           "ip": "203.0.113.7",
                     *           "user_agent": "Mozilla/5.0",
                     *           "method": "GET",
                     *           "path": "/share/q3Yx0J.../data",
                     *           "status": 200,
                     *           "latency_ms": 23,
                     *           "outcome": "viewed"
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["AccessLogPage"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listAudit: {
        parameters: {
            query?: {
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of events */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "evt_8f7e6d5c4b3a2910ffee",
                     *           "at": "2026-11-20T10:00:00Z",
                     *           "actor": {
                     *             "type": "key",
                     *             "id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *             "name": "billing-app"
                     *           },
                     *           "action": "link.created",
                     *           "target_type": "link",
                     *           "target_id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *           "details": {
                     *             "resource_id": "invoice-42",
                     *             "token_preview": "q3Yx0J"
                     *           },
                     *           "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["AuditPage"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listWebhooks: {
        parameters: {
            query?: {
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of endpoints */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "wh_1a2b3c4d5e6f708192a3b4c5",
                     *           "url": "https://hooks.example.com/keyhole",
                     *           "events": [
                     *             "share.accessed",
                     *             "share.revoked"
                     *           ],
                     *           "description": "ops channel",
                     *           "created_at": "2026-11-20T10:00:00Z",
                     *           "created_by": "key_9a8b7c6d5e4f3a2b1c0d"
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["WebhookPage"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "url": "https://hooks.example.com/keyhole",
                 *       "events": [
                 *         "share.accessed"
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["WebhookCreate"];
            };
        };
        responses: {
            /** @description the endpoint, with `secret` shown this once */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "wh_1a2b3c4d5e6f708192a3b4c5",
                     *       "url": "https://hooks.example.com/keyhole",
                     *       "events": [
                     *         "share.accessed",
                     *         "share.revoked"
                     *       ],
                     *       "description": "ops channel",
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "created_by": "key_9a8b7c6d5e4f3a2b1c0d",
                     *       "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
                     *     }
                     */
                    "application/json": components["schemas"]["NewWebhookEndpoint"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @example wh_1a2b3c4d5e6f708192a3b4c5 */
                webhook_id: components["parameters"]["webhook_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @example wh_1a2b3c4d5e6f708192a3b4c5 */
                webhook_id: components["parameters"]["webhook_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of deliveries */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "msg_2b8f0e6a9c1d4e7f",
                     *           "event": "share.accessed",
                     *           "event_id": "share.accessed:acc_01",
                     *           "status": "delivered",
                     *           "attempts": 1,
                     *           "response_status": 200,
                     *           "latency_ms": 84,
                     *           "error": null,
                     *           "created_at": "2026-11-21T08:12:04.100Z",
                     *           "last_attempt_at": "2026-11-21T08:12:04.190Z",
                     *           "next_retry_at": null,
                     *           "delivered_at": "2026-11-21T08:12:04.274Z",
                     *           "history": [
                     *             {
                     *               "at": "2026-11-21T08:12:04.190Z",
                     *               "latency_ms": 84,
                     *               "response_status": 200
                     *             }
                     *           ]
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["DeliveryPage"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    sharePage: {
        parameters: {
            query?: never;
            header?: {
                /** @description the unlock value of a password link's page unlocked inside another site's frame (no cookie there): the page's own script sends it */
                "X-Keyhole-Unlock"?: components["parameters"]["X-Keyhole-Unlock"];
                /** @description sent by an open page re-rendering after its poll found a new version: the new ETag */
                "X-Keyhole-Refresh"?: components["parameters"]["X-Keyhole-Refresh"];
            };
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: {
                /** @description the cookie `/unlock` sets on a password link (30 minutes, this link only) */
                kh_unlock?: components["parameters"]["kh_unlock"];
            };
        };
        requestBody?: never;
        responses: {
            /** @description the page, the password form or the view-limit button */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    /** @example <!doctype html><html lang="en">...</html> */
                    "text/html": string;
                };
            };
            /** @description The one not-found page of every dead link (byte for byte the same whatever the reason); JSON when the request was a JSON POST. */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "not_found",
                     *         "message": "Share link not found or has been revoked"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["NotFoundLink"];
                };
            };
            /** @description Too many requests (a static page; JSON when the request was a JSON POST). */
            429: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "rate_limited",
                     *         "message": "Too many requests; slow down",
                     *         "retry_after": 42
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            /** @description Unexpected (a static page; JSON when the request was a JSON POST). */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "internal",
                     *         "message": "Internal error",
                     *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            /** @description Temporarily unavailable (a static page; JSON when the request was a JSON POST). */
            503: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "unavailable",
                     *         "message": "A backing service is unavailable; nothing was changed",
                     *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
        };
    };
    sharePageView: {
        parameters: {
            query?: never;
            header?: {
                /** @description the unlock value of a password link's page unlocked inside another site's frame (no cookie there): the page's own script sends it */
                "X-Keyhole-Unlock"?: components["parameters"]["X-Keyhole-Unlock"];
            };
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: {
                /** @description the cookie `/unlock` sets on a password link (30 minutes, this link only) */
                kh_unlock?: components["parameters"]["kh_unlock"];
            };
        };
        requestBody?: never;
        responses: {
            /** @description the content ("View n of m"), or the password form */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description The one not-found page of every dead link (byte for byte the same whatever the reason); JSON when the request was a JSON POST. */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "not_found",
                     *         "message": "Share link not found or has been revoked"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["NotFoundLink"];
                };
            };
            /** @description Too many requests (a static page; JSON when the request was a JSON POST). */
            429: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "rate_limited",
                     *         "message": "Too many requests; slow down",
                     *         "retry_after": 42
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            /** @description Unexpected (a static page; JSON when the request was a JSON POST). */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "internal",
                     *         "message": "Internal error",
                     *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            /** @description Temporarily unavailable (a static page; JSON when the request was a JSON POST). */
            503: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "unavailable",
                     *         "message": "A backing service is unavailable; nothing was changed",
                     *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
        };
    };
    shareData: {
        parameters: {
            query?: never;
            header?: {
                /** @description the ETag last seen: 304 when nothing changed (not a view, not logged) */
                "If-None-Match"?: components["parameters"]["If-None-Match-Share"];
                /** @description the unlock value of a password link's page unlocked inside another site's frame (no cookie there): the page's own script sends it */
                "X-Keyhole-Unlock"?: components["parameters"]["X-Keyhole-Unlock"];
            };
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: {
                /** @description the cookie `/unlock` sets on a password link (30 minutes, this link only) */
                kh_unlock?: components["parameters"]["kh_unlock"];
            };
        };
        requestBody?: never;
        responses: {
            /** @description the scoped, redacted document */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    ETag: components["headers"]["ShareETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resource": {
                     *         "type": "invoice",
                     *         "name": "Invoice #42"
                     *       },
                     *       "link": {
                     *         "label": "For Globex AP",
                     *         "description": null,
                     *         "scope": null,
                     *         "expires_at": "2026-11-27T10:00:00Z"
                     *       },
                     *       "document": {
                     *         "customer": "Globex",
                     *         "total": 1250.5,
                     *         "api_key": "***",
                     *         "lines": [
                     *           {
                     *             "item": "Widgets",
                     *             "qty": 10
                     *           }
                     *         ]
                     *       },
                     *       "updated_at": "2026-11-20T10:05:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["ShareData"];
                };
            };
            /** @description not modified since the ETag sent */
            304: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    ETag: components["headers"]["ShareETag"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a password link without a valid unlock cookie */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "password_required",
                     *         "message": "This link is protected by a password: POST it to /unlock first"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            404: components["responses"]["ShareNotFound"];
            /** @description a view-limited link: POST to use a view; or an origin link (`origin_link`: it has no document) */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "confirm_required",
                     *         "message": "This link has a view limit: POST to /data to use one view"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            429: components["responses"]["ShareRateLimited"];
            500: components["responses"]["ShareInternal"];
            503: components["responses"]["ShareUnavailable"];
        };
    };
    shareDataPost: {
        parameters: {
            query?: never;
            header?: {
                /** @description the ETag last seen: 304 when nothing changed (not a view, not logged) */
                "If-None-Match"?: components["parameters"]["If-None-Match-Share"];
                /** @description the unlock value of a password link's page unlocked inside another site's frame (no cookie there): the page's own script sends it */
                "X-Keyhole-Unlock"?: components["parameters"]["X-Keyhole-Unlock"];
            };
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: {
                /** @description the cookie `/unlock` sets on a password link (30 minutes, this link only) */
                kh_unlock?: components["parameters"]["kh_unlock"];
            };
        };
        requestBody?: never;
        responses: {
            /** @description the scoped, redacted document */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    ETag: components["headers"]["ShareETag"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "resource": {
                     *         "type": "invoice",
                     *         "name": "Invoice #42"
                     *       },
                     *       "link": {
                     *         "label": "For Globex AP",
                     *         "description": null,
                     *         "scope": null,
                     *         "expires_at": "2026-11-27T10:00:00Z"
                     *       },
                     *       "document": {
                     *         "customer": "Globex",
                     *         "total": 1250.5,
                     *         "api_key": "***",
                     *         "lines": [
                     *           {
                     *             "item": "Widgets",
                     *             "qty": 10
                     *           }
                     *         ]
                     *       },
                     *       "updated_at": "2026-11-20T10:05:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["ShareData"];
                };
            };
            /** @description not modified since the ETag sent (links without a view limit) */
            304: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    ETag: components["headers"]["ShareETag"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a password link without a valid unlock cookie */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            404: components["responses"]["ShareNotFound"];
            429: components["responses"]["ShareRateLimited"];
            500: components["responses"]["ShareInternal"];
            503: components["responses"]["ShareUnavailable"];
        };
    };
    shareInfo: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the link's public info */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "label": "For Globex AP",
                     *       "description": null,
                     *       "expires_at": "2026-11-27T10:00:00Z",
                     *       "has_password": false,
                     *       "tenant": {
                     *         "name": "Globex"
                     *       },
                     *       "resource": {
                     *         "type": "invoice",
                     *         "name": "Invoice #42"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ShareInfo"];
                };
            };
            404: components["responses"]["ShareNotFound"];
            429: components["responses"]["ShareRateLimited"];
            500: components["responses"]["ShareInternal"];
            503: components["responses"]["ShareUnavailable"];
        };
    };
    shareUnlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "password": "correct horse"
                 *     }
                 */
                "application/x-www-form-urlencoded": components["schemas"]["Password"];
                /**
                 * @example {
                 *       "password": "correct horse"
                 *     }
                 */
                "application/json": components["schemas"]["Password"];
            };
        };
        responses: {
            /** @description JSON: unlocked (or the link needs no password); or (a form sent from inside another site's frame to an `embeddable` link) the page itself, since no cookie is kept there */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    "Set-Cookie": components["headers"]["Set-Cookie"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "unlocked": true,
                     *       "expires_in": 1800
                     *     }
                     */
                    "application/json": components["schemas"]["Unlocked"];
                    "text/html": string;
                };
            };
            /** @description form: unlocked (or no password needed); go to the page */
            303: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    Location: components["headers"]["Location"];
                    "Set-Cookie": components["headers"]["Set-Cookie"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description JSON that is not an object */
            400: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            /** @description wrong password: the form again (JSON: `wrong_password`) */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "wrong_password",
                     *         "message": "That password isn't right. Try again."
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            /** @description The one not-found page of every dead link (byte for byte the same whatever the reason); JSON when the request was a JSON POST. */
            404: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "not_found",
                     *         "message": "Share link not found or has been revoked"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["NotFoundLink"];
                };
            };
            /** @description Too many requests (a static page; JSON when the request was a JSON POST). */
            429: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    "Retry-After": components["headers"]["Retry-After"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "rate_limited",
                     *         "message": "Too many requests; slow down",
                     *         "retry_after": 42
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            /** @description Unexpected (a static page; JSON when the request was a JSON POST). */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "internal",
                     *         "message": "Internal error",
                     *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            /** @description Temporarily unavailable (a static page; JSON when the request was a JSON POST). */
            503: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "unavailable",
                     *         "message": "A backing service is unavailable; nothing was changed",
                     *         "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
        };
    };
    introspect: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "token": "q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD",
                 *       "view": {
                 *         "ip": "203.0.113.7",
                 *         "user_agent": "Mozilla/5.0"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["Introspect"];
            };
        };
        responses: {
            /** @description the answer */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "active": false
                     *     }
                     */
                    "application/json": components["schemas"]["Introspection"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    rotateOriginSecret: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the resource, with `origin_secret` (shown once) */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "checkout-live",
                     *       "type": "monitor",
                     *       "name": "Checkout API (live)",
                     *       "version": 2,
                     *       "etag": "\"2-0e81eab28bab\"",
                     *       "active_links": 1,
                     *       "document_bytes": 2,
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "updated_at": "2026-11-21T10:00:00Z",
                     *       "kind": "origin",
                     *       "origin": {
                     *         "url": "https://status.example.com",
                     *         "allowed_paths": [
                     *           "/*"
                     *         ],
                     *         "allowed_methods": [
                     *           "GET",
                     *           "HEAD"
                     *         ],
                     *         "banner": false
                     *       },
                     *       "secret_created_at": "2026-11-21T10:00:00Z",
                     *       "previous_secret_retires_at": "2026-11-22T10:00:00Z",
                     *       "origin_secret": "whsec_aq4Je35j3zgLxtS69mlHIyh+hF6RwyCZ"
                     *     }
                     */
                    "application/json": components["schemas"]["Resource"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    shareVisit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the visit is open */
            303: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    Location: components["headers"]["Location"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["ShareNotFound"];
            429: components["responses"]["ShareRateLimited"];
            500: components["responses"]["ShareInternal"];
            503: components["responses"]["ShareUnavailable"];
        };
    };
    listPlatformTenants: {
        parameters: {
            query?: {
                /**
                 * @description page size, 1-100 (default 50)
                 * @example 50
                 */
                limit?: components["parameters"]["limit"];
                /** @description `next_cursor` of the previous page of the same list (opaque): a cursor this list did not return (made up, edited, from another list or tenant) is 422 on `cursor` */
                cursor?: components["parameters"]["cursor"];
            };
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description a page of tenants */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "id": "org_8812",
                     *           "name": "Globex",
                     *           "plan": "team",
                     *           "limits": {
                     *             "links_per_resource": 10,
                     *             "shared_resources": 1000,
                     *             "api_requests_per_min": 1200,
                     *             "viewer_requests_per_min_per_ip": 600,
                     *             "failed_resolves_per_min_per_ip": 30
                     *           },
                     *           "overrides": {},
                     *           "usage": {
                     *             "active_links": 3,
                     *             "shared_resources": 2
                     *           },
                     *           "settings": {
                     *             "default_expires_in": "7d",
                     *             "max_expires_in": "never",
                     *             "token_display": "recopyable",
                     *             "require_password": false,
                     *             "access_log_retention_days": 90,
                     *             "display_name": null,
                     *             "accent_color": null,
                     *             "logo": null,
                     *             "default_redact": true,
                     *             "allow_imported_tokens": false,
                     *             "share_url_template": null,
                     *             "embed_origins": []
                     *           },
                     *           "created_at": "2026-11-01T09:00:00Z",
                     *           "keyhole_id": "ten_4f1c0a9e2b7d3c5a",
                     *           "status": "active",
                     *           "suspended_at": null
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["PlatformTenantPage"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getPlatformTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the tenant */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "org_8812",
                     *       "name": "Globex",
                     *       "plan": "team",
                     *       "limits": {
                     *         "links_per_resource": 10,
                     *         "shared_resources": 1000,
                     *         "api_requests_per_min": 1200,
                     *         "viewer_requests_per_min_per_ip": 600,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "overrides": {},
                     *       "usage": {
                     *         "active_links": 3,
                     *         "shared_resources": 2
                     *       },
                     *       "settings": {
                     *         "default_expires_in": "7d",
                     *         "max_expires_in": "never",
                     *         "token_display": "recopyable",
                     *         "require_password": false,
                     *         "access_log_retention_days": 90,
                     *         "display_name": null,
                     *         "accent_color": null,
                     *         "logo": null,
                     *         "default_redact": true,
                     *         "allow_imported_tokens": false,
                     *         "share_url_template": null,
                     *         "embed_origins": []
                     *       },
                     *       "created_at": "2026-11-01T09:00:00Z",
                     *       "keyhole_id": "ten_4f1c0a9e2b7d3c5a",
                     *       "status": "active",
                     *       "suspended_at": null
                     *     }
                     */
                    "application/json": components["schemas"]["PlatformTenant"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            404: components["responses"]["TenantNotFound"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    putPlatformTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "Globex",
                 *       "plan": "team",
                 *       "overrides": {
                 *         "links_per_resource": 25
                 *       },
                 *       "branding": {
                 *         "display_name": "Globex Billing"
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["PlatformTenantPut"];
            };
        };
        responses: {
            /** @description updated (or unchanged) */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "org_8812",
                     *       "name": "Globex",
                     *       "plan": "team",
                     *       "limits": {
                     *         "links_per_resource": 10,
                     *         "shared_resources": 1000,
                     *         "api_requests_per_min": 1200,
                     *         "viewer_requests_per_min_per_ip": 600,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "overrides": {},
                     *       "usage": {
                     *         "active_links": 3,
                     *         "shared_resources": 2
                     *       },
                     *       "settings": {
                     *         "default_expires_in": "7d",
                     *         "max_expires_in": "never",
                     *         "token_display": "recopyable",
                     *         "require_password": false,
                     *         "access_log_retention_days": 90,
                     *         "display_name": null,
                     *         "accent_color": null,
                     *         "logo": null,
                     *         "default_redact": true,
                     *         "allow_imported_tokens": false,
                     *         "share_url_template": null,
                     *         "embed_origins": []
                     *       },
                     *       "created_at": "2026-11-01T09:00:00Z",
                     *       "keyhole_id": "ten_4f1c0a9e2b7d3c5a",
                     *       "status": "active",
                     *       "suspended_at": null
                     *     }
                     */
                    "application/json": components["schemas"]["PlatformTenant"];
                };
            };
            /** @description created */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "org_8812",
                     *       "name": "Globex",
                     *       "plan": "team",
                     *       "limits": {
                     *         "links_per_resource": 10,
                     *         "shared_resources": 1000,
                     *         "api_requests_per_min": 1200,
                     *         "viewer_requests_per_min_per_ip": 600,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "overrides": {},
                     *       "usage": {
                     *         "active_links": 3,
                     *         "shared_resources": 2
                     *       },
                     *       "settings": {
                     *         "default_expires_in": "7d",
                     *         "max_expires_in": "never",
                     *         "token_display": "recopyable",
                     *         "require_password": false,
                     *         "access_log_retention_days": 90,
                     *         "display_name": null,
                     *         "accent_color": null,
                     *         "logo": null,
                     *         "default_redact": true,
                     *         "allow_imported_tokens": false,
                     *         "share_url_template": null,
                     *         "embed_origins": []
                     *       },
                     *       "created_at": "2026-11-01T09:00:00Z",
                     *       "keyhole_id": "ten_4f1c0a9e2b7d3c5a",
                     *       "status": "active",
                     *       "suspended_at": null
                     *     }
                     */
                    "application/json": components["schemas"]["PlatformTenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            409: components["responses"]["StateConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    deletePlatformTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description still deleting: DELETE again to finish */
            202: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "org_8812",
                     *       "status": "deleting",
                     *       "links_revoked": 1840
                     *     }
                     */
                    "application/json": components["schemas"]["TenantDeleting"];
                };
            };
            /** @description deleted */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            404: components["responses"]["TenantNotFound"];
            409: components["responses"]["StateConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    patchPlatformTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "plan": "enterprise"
                 *     }
                 */
                "application/json": components["schemas"]["PlatformTenantPatch"];
            };
        };
        responses: {
            /** @description the tenant */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "org_8812",
                     *       "name": "Globex",
                     *       "plan": "team",
                     *       "limits": {
                     *         "links_per_resource": 10,
                     *         "shared_resources": 1000,
                     *         "api_requests_per_min": 1200,
                     *         "viewer_requests_per_min_per_ip": 600,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "overrides": {},
                     *       "usage": {
                     *         "active_links": 3,
                     *         "shared_resources": 2
                     *       },
                     *       "settings": {
                     *         "default_expires_in": "7d",
                     *         "max_expires_in": "never",
                     *         "token_display": "recopyable",
                     *         "require_password": false,
                     *         "access_log_retention_days": 90,
                     *         "display_name": null,
                     *         "accent_color": null,
                     *         "logo": null,
                     *         "default_redact": true,
                     *         "allow_imported_tokens": false,
                     *         "share_url_template": null,
                     *         "embed_origins": []
                     *       },
                     *       "created_at": "2026-11-01T09:00:00Z",
                     *       "keyhole_id": "ten_4f1c0a9e2b7d3c5a",
                     *       "status": "active",
                     *       "suspended_at": null
                     *     }
                     */
                    "application/json": components["schemas"]["PlatformTenant"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            404: components["responses"]["TenantNotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    suspendPlatformTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the tenant, suspended */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "org_8812",
                     *       "name": "Globex",
                     *       "plan": "team",
                     *       "limits": {
                     *         "links_per_resource": 10,
                     *         "shared_resources": 1000,
                     *         "api_requests_per_min": 1200,
                     *         "viewer_requests_per_min_per_ip": 600,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "overrides": {},
                     *       "usage": {
                     *         "active_links": 3,
                     *         "shared_resources": 2
                     *       },
                     *       "settings": {
                     *         "default_expires_in": "7d",
                     *         "max_expires_in": "never",
                     *         "token_display": "recopyable",
                     *         "require_password": false,
                     *         "access_log_retention_days": 90,
                     *         "display_name": null,
                     *         "accent_color": null,
                     *         "logo": null,
                     *         "default_redact": true,
                     *         "allow_imported_tokens": false,
                     *         "share_url_template": null,
                     *         "embed_origins": []
                     *       },
                     *       "created_at": "2026-11-01T09:00:00Z",
                     *       "keyhole_id": "ten_4f1c0a9e2b7d3c5a",
                     *       "status": "suspended",
                     *       "suspended_at": "2026-11-20T10:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["PlatformTenant"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            404: components["responses"]["TenantNotFound"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    resumePlatformTenant: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the tenant, active */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "org_8812",
                     *       "name": "Globex",
                     *       "plan": "team",
                     *       "limits": {
                     *         "links_per_resource": 10,
                     *         "shared_resources": 1000,
                     *         "api_requests_per_min": 1200,
                     *         "viewer_requests_per_min_per_ip": 600,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "overrides": {},
                     *       "usage": {
                     *         "active_links": 3,
                     *         "shared_resources": 2
                     *       },
                     *       "settings": {
                     *         "default_expires_in": "7d",
                     *         "max_expires_in": "never",
                     *         "token_display": "recopyable",
                     *         "require_password": false,
                     *         "access_log_retention_days": 90,
                     *         "display_name": null,
                     *         "accent_color": null,
                     *         "logo": null,
                     *         "default_redact": true,
                     *         "allow_imported_tokens": false,
                     *         "share_url_template": null,
                     *         "embed_origins": []
                     *       },
                     *       "created_at": "2026-11-01T09:00:00Z",
                     *       "keyhole_id": "ten_4f1c0a9e2b7d3c5a",
                     *       "status": "active",
                     *       "suspended_at": null
                     *     }
                     */
                    "application/json": components["schemas"]["PlatformTenant"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            404: components["responses"]["TenantNotFound"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createPlatformTenantKey: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "name": "Globex admin",
                 *       "role": "admin"
                 *     }
                 */
                "application/json": components["schemas"]["TenantKeyCreate"];
            };
        };
        responses: {
            /** @description the key, with `key` shown this once */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *       "name": "admin key",
                     *       "role": "admin",
                     *       "prefix": "kh_4f1c0a9e2b7d3c5a_Xy...",
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "created_by": "pkey_5e4d3c2b1a0f9e8d7c6b",
                     *       "key": "kh_4f1c0a9e2b7d3c5a_Xy3kQ9vL0mN8pR2sT6uW4zA1bC5dE7fG9hJ0kL2mN4o"
                     *     }
                     */
                    "application/json": components["schemas"]["NewApiKey"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            404: components["responses"]["TenantNotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    getPlatformTenantUsage: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the product's own id for the tenant (its organisation id): 1-128 characters of `A-Za-z0-9._:-` */
                tenant_id: components["parameters"]["tenant_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description 90 days of usage */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "id": "org_8812",
                     *       "days": [
                     *         {
                     *           "date": "2026-08-23",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-08-24",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-08-25",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-08-26",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-08-27",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-08-28",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-08-29",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-08-30",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-08-31",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-01",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-02",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-03",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-04",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-05",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-06",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-07",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-08",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-09",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-10",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-11",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-12",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-13",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-14",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-15",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-16",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-17",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-18",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-19",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-20",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-21",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-22",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-23",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-24",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-25",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-26",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-27",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-28",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-29",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-09-30",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-01",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-02",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-03",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-04",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-05",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-06",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-07",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-08",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-09",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-10",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-11",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-12",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-13",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-14",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-15",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-16",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-17",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-18",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-19",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-20",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-21",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-22",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-23",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-24",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-25",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-26",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-27",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-28",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-29",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-30",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-10-31",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-01",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-02",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-03",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-04",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-05",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-06",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-07",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-08",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-09",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-10",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-11",
                     *           "views": 0,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-12",
                     *           "views": 197,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-13",
                     *           "views": 34,
                     *           "links_created": 1
                     *         },
                     *         {
                     *           "date": "2026-11-14",
                     *           "views": 71,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-15",
                     *           "views": 108,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-16",
                     *           "views": 145,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-17",
                     *           "views": 182,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-18",
                     *           "views": 19,
                     *           "links_created": 0
                     *         },
                     *         {
                     *           "date": "2026-11-19",
                     *           "views": 56,
                     *           "links_created": 1
                     *         },
                     *         {
                     *           "date": "2026-11-20",
                     *           "views": 93,
                     *           "links_created": 0
                     *         }
                     *       ],
                     *       "totals": {
                     *         "views": 905,
                     *         "links_created": 2
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["TenantDailyUsage"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            404: components["responses"]["TenantNotFound"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    listPlatformPlans: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the plans */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "name": "free",
                     *           "source": "builtin",
                     *           "limits": {
                     *             "links_per_resource": 1,
                     *             "shared_resources": 2,
                     *             "api_requests_per_min": 300,
                     *             "viewer_requests_per_min_per_ip": 120,
                     *             "failed_resolves_per_min_per_ip": 30
                     *           }
                     *         },
                     *         {
                     *           "name": "growth",
                     *           "source": "namespace",
                     *           "limits": {
                     *             "links_per_resource": 20,
                     *             "shared_resources": 50,
                     *             "api_requests_per_min": 600,
                     *             "viewer_requests_per_min_per_ip": 300,
                     *             "failed_resolves_per_min_per_ip": 30
                     *           }
                     *         }
                     *       ],
                     *       "next_cursor": null
                     *     }
                     */
                    "application/json": components["schemas"]["PlanPage"];
                };
            };
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    putPlatformPlan: {
        parameters: {
            query?: never;
            header?: {
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /** @description the plan's name: 1-40 characters of `A-Za-z0-9_-`, not a built-in plan's */
                plan_name: components["parameters"]["plan_name"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "limits": {
                 *         "links_per_resource": 20,
                 *         "shared_resources": 50,
                 *         "api_requests_per_min": 600,
                 *         "viewer_requests_per_min_per_ip": 300
                 *       }
                 *     }
                 */
                "application/json": components["schemas"]["PlanPut"];
            };
        };
        responses: {
            /** @description replaced */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "growth",
                     *       "source": "namespace",
                     *       "limits": {
                     *         "links_per_resource": 20,
                     *         "shared_resources": 50,
                     *         "api_requests_per_min": 600,
                     *         "viewer_requests_per_min_per_ip": 300,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "tenants_updated": 0
                     *     }
                     */
                    "application/json": components["schemas"]["Plan"];
                };
            };
            /** @description created */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "name": "growth",
                     *       "source": "namespace",
                     *       "limits": {
                     *         "links_per_resource": 20,
                     *         "shared_resources": 50,
                     *         "api_requests_per_min": 600,
                     *         "viewer_requests_per_min_per_ip": 300,
                     *         "failed_resolves_per_min_per_ip": 30
                     *       },
                     *       "tenants_updated": 0
                     *     }
                     */
                    "application/json": components["schemas"]["Plan"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["PlatformOnly"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    startFileUpload: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "name": "reports/scan-report.pdf",
                 *       "content_type": "application/pdf",
                 *       "size": 48213,
                 *       "sha256": "9f2c0d5e8b1a4c7d3e6f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d"
                 *     }
                 */
                "application/json": components["schemas"]["FileUpload"];
            };
        };
        responses: {
            /** @description the pending file and its upload */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "file_id": "fil_3f9a1c2b4d5e6f708192",
                     *       "name": "reports/scan-report.pdf",
                     *       "content_type": "application/pdf",
                     *       "size": 48213,
                     *       "sha256": "9f2c0d5e8b1a4c7d3e6f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
                     *       "status": "pending",
                     *       "created_at": "2026-11-20T10:00:00Z",
                     *       "upload": {
                     *         "method": "PUT",
                     *         "url": "https://keyhole-prod-files-123456789012-us-east-1.s3.us-east-1.amazonaws.com/files/ten_0123456789abcdef/0123456789abcdef0123456789abcdef/fil_3f9a1c2b4d5e6f708192?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-checksum-sha256%3Bx-amz-sdk-checksum-algorithm%3Bx-amz-tagging&X-Amz-Signature=...",
                     *         "headers": {
                     *           "Content-Type": "application/pdf",
                     *           "Content-Length": "48213",
                     *           "x-amz-checksum-sha256": "nywNXosaTH0+b5oLHS0+T1prfI2eDxorPE1eb3qLnA0=",
                     *           "x-amz-sdk-checksum-algorithm": "SHA256",
                     *           "x-amz-tagging": "keyhole-upload=pending"
                     *         }
                     *       },
                     *       "expires_at": "2026-11-20T11:00:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["FileUploadStarted"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["FileConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    completeFileUpload: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
                /** @description a file of the resource (`fil_...`) */
                file_id: components["parameters"]["file_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the published file */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "file_id": "fil_3f9a1c2b4d5e6f708192",
                     *       "name": "reports/scan-report.pdf",
                     *       "content_type": "application/pdf",
                     *       "size": 48213,
                     *       "sha256": "9f2c0d5e8b1a4c7d3e6f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d",
                     *       "status": "published",
                     *       "published_at": "2026-11-20T10:01:00Z",
                     *       "resource_version": 3,
                     *       "etag": "\"3-0e81eab28bab\""
                     *     }
                     */
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["FileConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    deleteFile: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path: {
                /**
                 * @description chosen by the tenant: 1-128 characters of `A-Za-z0-9._:-`; may be sent percent-encoded (`invoice%3A42`), which is decoded once
                 * @example invoice-42
                 */
                resource_id: components["parameters"]["resource_id"];
                /** @description a file of the resource (`fil_...`) */
                file_id: components["parameters"]["file_id"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description deleted */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["FileConflict"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    shareFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
                /** @description a file the link shows (`fil_...`), or `bundle`: the zip of every file it shows */
                file_id: components["parameters"]["share_file_id"];
            };
            cookie?: {
                /** @description the cookie `/unlock` sets on a password link (30 minutes, this link only) */
                kh_unlock?: components["parameters"]["kh_unlock"];
            };
        };
        requestBody?: never;
        responses: {
            /** @description to the bytes */
            302: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    /** @description a presigned GET of the bytes, valid 60 seconds, answered with `Content-Disposition: attachment` (RFC 6266 filename) and a type that cannot run script */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a password link without a valid unlock cookie */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "password_required",
                     *         "message": "This link is protected by a password: POST it to /unlock first"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            404: components["responses"]["ShareNotFound"];
            /** @description a view-limited link (POST to use a view), or the zip is being prepared */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    /** @description with `preparing`: seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "confirm_required",
                     *         "message": "This link has a view limit: POST to this URL to use one view for the download"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            429: components["responses"]["ShareRateLimited"];
            500: components["responses"]["ShareInternal"];
            503: components["responses"]["ShareUnavailable"];
        };
    };
    shareFilePost: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description the share token from the link's URL. Anything else answers the one 404.
                 * @example q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy3Rt8wXv1NjMk6lC2sB9zD
                 */
                token: components["parameters"]["token"];
                /** @description a file the link shows (`fil_...`), or `bundle`: the zip of every file it shows */
                file_id: components["parameters"]["share_file_id"];
            };
            cookie?: {
                /** @description the cookie `/unlock` sets on a password link (30 minutes, this link only) */
                kh_unlock?: components["parameters"]["kh_unlock"];
            };
        };
        requestBody?: never;
        responses: {
            /** @description to the bytes */
            303: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    /** @description a presigned GET of the bytes, valid 60 seconds, answered with `Content-Disposition: attachment` (RFC 6266 filename) and a type that cannot run script */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description a password link without a valid unlock cookie */
            401: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "password_required",
                     *         "message": "This link is protected by a password: POST it to /unlock first"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            404: components["responses"]["ShareNotFound"];
            /** @description the zip is being prepared */
            409: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    "Content-Security-Policy": components["headers"]["Content-Security-Policy"];
                    /** @description seconds to wait */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "error": {
                     *         "code": "preparing",
                     *         "message": "The zip of these files is being prepared; try again shortly"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ViewerError"];
                };
            };
            429: components["responses"]["ShareRateLimited"];
            500: components["responses"]["ShareInternal"];
            503: components["responses"]["ShareUnavailable"];
        };
    };
    importLinks: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "links": [
                 *         {
                 *           "resource_id": "report-7",
                 *           "import_token": "a1b2c3d4e5f6",
                 *           "label": "Q1 report",
                 *           "created_at": "2024-03-01T09:00:00Z"
                 *         },
                 *         {
                 *           "resource_id": "report-8",
                 *           "import_token": "0f9e8d7c6b5a"
                 *         }
                 *       ]
                 *     }
                 */
                "application/json": components["schemas"]["ImportLinks"];
            };
        };
        responses: {
            /** @description one result per item */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "items": [
                     *         {
                     *           "index": 0,
                     *           "status": 201,
                     *           "link": {
                     *             "id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *             "resource_id": "invoice-42",
                     *             "label": "Q1 report",
                     *             "description": null,
                     *             "scope": null,
                     *             "token_preview": "a1b2c3",
                     *             "status": "active",
                     *             "expires_at": "2026-11-27T10:00:00Z",
                     *             "created_at": "2024-03-01T09:00:00Z",
                     *             "created_by": {
                     *               "key_id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *               "actor": null
                     *             },
                     *             "revoked_at": null,
                     *             "revoked_by": null,
                     *             "view_count": 0,
                     *             "last_accessed_at": null,
                     *             "has_password": false,
                     *             "max_views": null,
                     *             "rate_limit_per_min": null,
                     *             "url": "https://app.example.com/m/a1b2c3d4e5f6",
                     *             "token": "a1b2c3d4e5f6",
                     *             "token_source": "imported",
                     *             "token_strength": "legacy",
                     *             "paused": false,
                     *             "embeddable": false
                     *           }
                     *         },
                     *         {
                     *           "index": 1,
                     *           "status": 409,
                     *           "error": {
                     *             "code": "token_taken",
                     *             "message": "This token is taken (tokens are never reused): choose another",
                     *             "request_id": "a3f1c2d4e5b6a7980a1b2c3d4e5f6071"
                     *           }
                     *         }
                     *       ],
                     *       "created": 1,
                     *       "failed": 1
                     *     }
                     */
                    "application/json": components["schemas"]["ImportResult"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["StateConflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    revokeLinks: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "actor": "user:42",
                 *       "reason": "employee left"
                 *     }
                 */
                "application/json": components["schemas"]["LinksRevoke"];
            };
        };
        responses: {
            /** @description what happened to each link */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "results": [
                     *         {
                     *           "link_id": "lnk_5f0c2a9e1b7d4c3a8e6f1d2b",
                     *           "resource_id": "invoice-42",
                     *           "status": "revoked"
                     *         },
                     *         {
                     *           "link_id": "lnk_000000000000000000000000",
                     *           "resource_id": null,
                     *           "status": "not_found"
                     *         }
                     *       ],
                     *       "revoked": 1,
                     *       "complete": true
                     *     }
                     */
                    "application/json": components["schemas"]["LinksRevoked"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    createConsoleSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                /**
                 * @example {
                 *       "resource_id": "invoice-42",
                 *       "actor": "user:42"
                 *     }
                 */
                "application/json": components["schemas"]["ConsoleSessionCreate"];
            };
        };
        responses: {
            /** @description the one-time URL */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "url": "https://share.example.com/console/ten_0123456789abcdef/share#ticket=kht_0123456789abcdef_q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy",
                     *       "expires_at": "2026-11-20T10:05:00Z"
                     *     }
                     */
                    "application/json": components["schemas"]["ConsoleTicket"];
                };
            };
            400: components["responses"]["BadRequestOrTenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    startConsoleSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                /**
                 * @example {
                 *       "ticket": "kht_0123456789abcdef_q3Yx0Jr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPy"
                 *     }
                 */
                "application/json": components["schemas"]["ConsoleSessionStart"];
            };
        };
        responses: {
            /** @description the session */
            201: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "token": "khs_0123456789abcdef_Zr8nV9pQeWm1c6LkT2uZs5bAa7dHf4gE0iOoPyq3Yx0",
                     *       "session": {
                     *         "id": "cs_0c9d8e7f6a5b4c3d2e1f",
                     *         "role": "operator",
                     *         "resource_id": "invoice-42",
                     *         "actor": "user:42",
                     *         "key": {
                     *           "id": "key_0c9d8e7f6a5b4c3d2e1f",
                     *           "name": "billing-app"
                     *         },
                     *         "expires_at": "2026-11-20T22:00:00Z",
                     *         "idle_timeout_seconds": 1800
                     *       },
                     *       "tenant": {
                     *         "id": "ten_0123456789abcdef",
                     *         "name": "Globex",
                     *         "plan": "team",
                     *         "limits": {
                     *           "links_per_resource": 10,
                     *           "shared_resources": 1000,
                     *           "api_requests_per_min": 1200,
                     *           "viewer_requests_per_min_per_ip": 600,
                     *           "failed_resolves_per_min_per_ip": 30
                     *         },
                     *         "overrides": {},
                     *         "usage": {
                     *           "active_links": 3,
                     *           "shared_resources": 2
                     *         },
                     *         "settings": {
                     *           "default_expires_in": "7d",
                     *           "max_expires_in": "never",
                     *           "token_display": "recopyable",
                     *           "require_password": false,
                     *           "access_log_retention_days": 90,
                     *           "display_name": "Globex Billing",
                     *           "accent_color": "#0f766e",
                     *           "logo": null,
                     *           "default_redact": true,
                     *           "embed_origins": [
                     *             "https://app.example.com"
                     *           ],
                     *           "allow_imported_tokens": false,
                     *           "share_url_template": null
                     *         },
                     *         "created_at": "2026-11-01T09:00:00Z"
                     *       },
                     *       "resource": {
                     *         "id": "invoice-42",
                     *         "type": "invoice",
                     *         "name": "Invoice #42",
                     *         "kind": "document",
                     *         "scopes": [],
                     *         "active_links": 1,
                     *         "allowed_paths": null,
                     *         "allowed_methods": null
                     *       },
                     *       "how_to_free": {
                     *         "links_per_resource": "revoke one of this resource's active or paused links, or wait for one to expire",
                     *         "shared_resources": "revoke every active or paused link of another shared resource (or delete that resource)"
                     *       }
                     *     }
                     */
                    "application/json": components["schemas"]["ConsoleSessionStarted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            422: components["responses"]["ValidationError"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    endConsoleSession: {
        parameters: {
            query?: never;
            header?: {
                /** @description With a platform key (`khp_...`): the product's id of the tenant to act for, as that tenant's admin (required then: without it, 400 `tenant_required`; a tenant of another namespace is the usual 404). Ignored with a tenant's own key. */
                "Keyhole-Tenant"?: components["parameters"]["Keyhole-Tenant"];
                /** @description The product's user behind the request (opaque, 1-128 printable characters): recorded on links (`created_by`, `revoked_by`), audit events and webhook payloads. Informational: the key is the authority. Malformed: 422 naming `Keyhole-Actor`. */
                "Keyhole-Actor"?: components["parameters"]["Keyhole-Actor"];
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ended */
            204: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": components["headers"]["NoStore"];
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["TenantRequired"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            422: components["responses"]["ValidationError"];
            429: components["responses"]["RateLimited"];
            500: components["responses"]["Internal"];
            503: components["responses"]["Unavailable"];
        };
    };
    consolePage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Keyhole's id of the tenant (`ten_...`), from `POST /v1/console/sessions` */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the page */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": "no-store";
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    /** @description script and style allowed by their hashes; `frame-ancestors` the tenant's `embed_origins` (else `'none'`) */
                    "Content-Security-Policy": string;
                    [name: string]: unknown;
                };
                content: {
                    /** @example <!doctype html><html lang="en">...</html> */
                    "text/html": string;
                };
            };
            /** @description unexpected (a static page) */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": "no-store";
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    /** @description script and style allowed by their hashes; `frame-ancestors` the tenant's `embed_origins` (else `'none'`) */
                    "Content-Security-Policy": string;
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description the tenant's settings could not be read just now (a static page) */
            503: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": "no-store";
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    /** @description script and style allowed by their hashes; `frame-ancestors` the tenant's `embed_origins` (else `'none'`) */
                    "Content-Security-Policy": string;
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
    shareDialogPage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Keyhole's id of the tenant (`ten_...`), from `POST /v1/console/sessions` */
                tenant_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description the page */
            200: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": "no-store";
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    /** @description script and style allowed by their hashes; `frame-ancestors` the tenant's `embed_origins` (else `'none'`) */
                    "Content-Security-Policy": string;
                    [name: string]: unknown;
                };
                content: {
                    /** @example <!doctype html><html lang="en">...</html> */
                    "text/html": string;
                };
            };
            /** @description unexpected (a static page) */
            500: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": "no-store";
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    /** @description script and style allowed by their hashes; `frame-ancestors` the tenant's `embed_origins` (else `'none'`) */
                    "Content-Security-Policy": string;
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description the tenant's settings could not be read just now (a static page) */
            503: {
                headers: {
                    "X-Request-Id": components["headers"]["X-Request-Id"];
                    "Cache-Control": "no-store";
                    "Referrer-Policy": components["headers"]["Referrer-Policy"];
                    "X-Robots-Tag": components["headers"]["X-Robots-Tag"];
                    "X-Content-Type-Options": components["headers"]["X-Content-Type-Options"];
                    /** @description script and style allowed by their hashes; `frame-ancestors` the tenant's `embed_origins` (else `'none'`) */
                    "Content-Security-Policy": string;
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
        };
    };
}
