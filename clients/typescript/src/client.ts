/**
 * Keyhole's admin API over `fetch` (Node 18+ and browsers), typed by the OpenAPI document
 * (`api.ts`, generated). Namespaces follow the API; lists are async iterators that follow
 * `next_cursor`; 429 and 503 are retried after `Retry-After`, bounded in count and total time.
 * With a platform key, `tenants` and `plans` manage the tenants of its namespace, and
 * `forTenant(id)` acts for one of them.
 */
import type { components } from "./api.js";
import { KeyholeError, errorFromResponse } from "./errors.js";

type Schemas = components["schemas"];
export type Tenant = Schemas["Tenant"];
export type TenantSettingsPatch = Schemas["TenantSettingsPatch"];
export type ApiKey = Schemas["ApiKey"];
export type NewApiKey = Schemas["NewApiKey"];
export type Resource = Schemas["Resource"];
export type ResourceSummary = Schemas["ResourceSummary"];
export type ResourcePut = Schemas["ResourcePut"];
export type DocumentResourcePut = Schemas["DocumentResourcePut"];
export type OriginResourcePut = Schemas["OriginResourcePut"];
export type ResourcePatch = Schemas["ResourcePatch"];
export type Link = Schemas["Link"];
export type NewLink = Schemas["NewLink"];
export type LinkCreate = Schemas["LinkCreate"];
export type LinkPatch = Schemas["LinkPatch"];
export type RevealedLink = Schemas["RevealedLink"];
export type AccessLogEntry = Schemas["AccessLogEntry"];
export type AuditEvent = Schemas["AuditEvent"];
export type WebhookEndpoint = Schemas["WebhookEndpoint"];
export type NewWebhookEndpoint = Schemas["NewWebhookEndpoint"];
export type WebhookCreate = Schemas["WebhookCreate"];
export type WebhookDelivery = Schemas["WebhookDelivery"];
export type Introspect = Schemas["Introspect"];
export type Introspection = Schemas["Introspection"];
export type ShareData = Schemas["ShareData"];
export type ShareInfo = Schemas["ShareInfo"];
export type FileUpload = Schemas["FileUpload"];
export type FileUploadStarted = Schemas["FileUploadStarted"];
export type KeyholeFile = Schemas["File"];
export type LinksRevoke = Schemas["LinksRevoke"];
export type LinksRevoked = Schemas["LinksRevoked"];
export type ConsoleSessionCreate = Schemas["ConsoleSessionCreate"];
export type ConsoleTicket = Schemas["ConsoleTicket"];
export type ByRef = Schemas["ByRef"];
export type ImportLink = Schemas["ImportLink"];
export type ImportResult = Schemas["ImportResult"];
export type PlatformTenant = Schemas["PlatformTenant"];
export type PlatformTenantPut = Schemas["PlatformTenantPut"];
export type PlatformTenantPatch = Schemas["PlatformTenantPatch"];
export type TenantDeleting = Schemas["TenantDeleting"];
export type TenantKeyCreate = Schemas["TenantKeyCreate"];
export type TenantDailyUsage = Schemas["TenantDailyUsage"];
export type Plan = Schemas["Plan"];
export type PlanPut = Schemas["PlanPut"];
export type LinkStatus = "active" | "paused" | "revoked" | "expired" | "exhausted" | "all";

export interface RetryOptions {
  /** Retries of a 429 or 503 (default 3). */
  maxRetries?: number;
  /** No retry whose wait would end later than this after the first attempt (default 60 000 ms). */
  maxTotalMs?: number;
}

export interface KeyholeOptions {
  apiUrl: string;
  apiKey?: string;
  /** A platform key acting for one of its tenants: sent as `Keyhole-Tenant`. */
  tenant?: string;
  /** Who in your product asked: sent as `Keyhole-Actor`, recorded on links and audit events. */
  actor?: string;
  fetch?: typeof fetch;
  retry?: RetryOptions;
}

export interface ListOptions {
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Iterate it (`for await`) for every item of every page, or call `pages()`. */
export class Paginator<T> implements AsyncIterable<T> {
  constructor(private readonly fetchPage: (cursor: string | undefined) => Promise<Page<T>>, private readonly cursor?: string) {}

  async *pages(): AsyncGenerator<Page<T>> {
    let cursor = this.cursor;
    for (;;) {
      const page = await this.fetchPage(cursor);
      yield page;
      if (!page.next_cursor) return;
      cursor = page.next_cursor;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  /** Every item of every page, in one array. */
  async all(): Promise<T[]> {
    const out: T[] = [];
    for await (const item of this) out.push(item);
    return out;
  }
}

const RETRIED = new Set([429, 503]);
const enc = encodeURIComponent;

interface Call {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  contentType?: string;
  url?: string;
  anonymous?: boolean;
}

export class Keyhole {
  readonly apiUrl: string;
  private readonly options: KeyholeOptions;
  private readonly headers: Record<string, string>;
  private readonly fetchImpl: typeof fetch;
  private readonly maxRetries: number;
  private readonly maxTotalMs: number;

  constructor(options: KeyholeOptions) {
    this.options = options;
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.headers = { Accept: "application/json" };
    if (options.apiKey) this.headers.Authorization = `Bearer ${options.apiKey}`;
    if (options.tenant) this.headers["Keyhole-Tenant"] = options.tenant;
    if (options.actor) this.headers["Keyhole-Actor"] = options.actor;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.maxRetries = options.retry?.maxRetries ?? 3;
    this.maxTotalMs = options.retry?.maxTotalMs ?? 65_000; // outwaits any per-minute window (Retry-After <= 60 s)
  }

  /** One request: JSON in and out, errors thrown as KeyholeError, 429/503 retried. */
  async request<T>(method: string, path: string, call: Call = {}): Promise<T> {
    const url = new URL(call.url ?? this.apiUrl + path);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { ...this.headers, ...call.headers };
    if (call.anonymous) {
      // a viewer's request: no key, tenant or actor
      delete headers.Authorization;
      delete headers["Keyhole-Tenant"];
      delete headers["Keyhole-Actor"];
    }
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers["Content-Type"] = call.contentType ?? "application/json";
    }
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetchImpl(url, { method, headers, body });
      } catch (error) {
        throw new KeyholeError(`${method} ${url.pathname}: ${(error as Error).message}`, { body: error });
      }
      const text = await response.text();
      const parsed: unknown = text ? JSON.parse(text) : undefined;
      if (response.ok) return parsed as T;
      const failure = errorFromResponse(response.status, parsed ?? null, response.headers);
      if (!RETRIED.has(response.status) || attempt >= this.maxRetries) throw failure;
      const waitMs =
        failure.retryAfter !== undefined
          ? failure.retryAfter * 1000 + Math.random() * 250
          : Math.random() * Math.min(8000, 500 * 2 ** attempt);
      if (Date.now() - started + waitMs > this.maxTotalMs) throw failure;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /** A client acting for one tenant of this platform key's namespace (`Keyhole-Tenant`), as its
   * admin, for `actor` (default: this client's). Nothing is sent. */
  forTenant(tenant: string, options: { actor?: string } = {}): Keyhole {
    return new Keyhole({ ...this.options, tenant, actor: options.actor ?? this.options.actor });
  }

  private list<T>(path: string, options: ListOptions = {}, query: Record<string, string | undefined> = {}): Paginator<T> {
    return new Paginator<T>(
      (cursor) => this.request<Page<T>>("GET", path, { query: { ...query, limit: options.limit, cursor } }),
      options.cursor,
    );
  }

  readonly tenant = {
    get: () => this.request<Tenant>("GET", "/v1/tenant"),
    update: (settings: TenantSettingsPatch) => this.request<Tenant>("PATCH", "/v1/tenant", { body: settings }),
  };

  readonly apiKeys = {
    create: (name: string, role: Schemas["ApiKeyCreate"]["role"]) =>
      this.request<NewApiKey>("POST", "/v1/api-keys", { body: { name, role } }),
    list: (options?: ListOptions) => this.list<ApiKey>("/v1/api-keys", options),
    delete: (keyId: string) => this.request<void>("DELETE", `/v1/api-keys/${enc(keyId)}`),
  };

  readonly resources = {
    /** Create or replace: a document resource or an origin resource (never both). */
    put: (resourceId: string, resource: ResourcePut, conditions: { ifMatch?: string; ifNoneMatch?: string } = {}) =>
      this.request<Resource>("PUT", `/v1/resources/${enc(resourceId)}`, {
        body: resource,
        headers: conditionHeaders(conditions),
      }),
    /** A JSON Merge Patch (RFC 7396); `null` inside `document` removes a member. */
    patch: (resourceId: string, patch: ResourcePatch, conditions: { ifMatch?: string } = {}) =>
      this.request<Resource>("PATCH", `/v1/resources/${enc(resourceId)}`, {
        body: patch,
        contentType: "application/merge-patch+json",
        headers: conditionHeaders(conditions),
      }),
    get: (resourceId: string) => this.request<Resource>("GET", `/v1/resources/${enc(resourceId)}`),
    list: (options?: ListOptions) => this.list<ResourceSummary>("/v1/resources", options),
    delete: (resourceId: string) => this.request<void>("DELETE", `/v1/resources/${enc(resourceId)}`),
    rotateOriginSecret: (resourceId: string) =>
      this.request<Resource>("POST", `/v1/resources/${enc(resourceId)}/origin-secret`),
  };

  /** A resource's files: bytes go straight to the files bucket through a presigned PUT. */
  readonly files = {
    start: (resourceId: string, upload: FileUpload) =>
      this.request<FileUploadStarted>("POST", `/v1/resources/${enc(resourceId)}/files`, { body: upload }),
    /** Check what the bucket stored and publish the file as a new version of the resource. */
    complete: (resourceId: string, fileId: string) =>
      this.request<KeyholeFile>("POST", `/v1/resources/${enc(resourceId)}/files/${enc(fileId)}/complete`),
    delete: (resourceId: string, fileId: string) =>
      this.request<void>("DELETE", `/v1/resources/${enc(resourceId)}/files/${enc(fileId)}`),
  };

  readonly links = {
    create: (resourceId: string, link: LinkCreate = {}) =>
      this.request<NewLink>("POST", `/v1/resources/${enc(resourceId)}/links`, { body: link }),
    /** The tenant's links, or one resource's; `status` defaults to active. `actor`: the tenant's
     * links that requests naming this `Keyhole-Actor` created, newest first. */
    list: (options: ListOptions & { resourceId?: string; status?: LinkStatus; actor?: string } = {}) => {
      if (options.resourceId !== undefined && options.actor !== undefined) {
        throw new TypeError("actor filters the tenant's links (links.list({ actor })), not one resource's");
      }
      return this.list<Link>(
        options.resourceId === undefined ? "/v1/links" : `/v1/resources/${enc(options.resourceId)}/links`,
        options,
        { status: options.status, actor: options.actor },
      );
    },
    get: (linkId: string) => this.request<Link>("GET", `/v1/links/${enc(linkId)}`),
    update: (linkId: string, patch: LinkPatch) => this.request<Link>("PATCH", `/v1/links/${enc(linkId)}`, { body: patch }),
    reveal: (linkId: string) => this.request<RevealedLink>("POST", `/v1/links/${enc(linkId)}/reveal`),
    revoke: (linkId: string) => this.request<void>("DELETE", `/v1/links/${enc(linkId)}`),
    /** Up to 100 `link_ids`, or a filter (`resource_id`, `actor`, `created_before`): per-link results. */
    revokeMany: (request: LinksRevoke) => this.request<LinksRevoked>("POST", "/v1/links/revoke", { body: request }),
    /** Up to 100 links with the tokens your product already handed out (tenant setting
     * `allow_imported_tokens`): one result per item, in order (201 with the link, or its error). */
    import: (links: ImportLink[]) => this.request<ImportResult>("POST", "/v1/links/import", { body: { links } }),
    accessLogs: (linkId: string, options?: ListOptions) =>
      this.list<AccessLogEntry>(`/v1/links/${enc(linkId)}/access-logs`, options),
  };

  /** Keyhole's own UI: a one-time URL (5 minutes) to the console, or with `resource_id` to the share dialog. */
  readonly console = {
    createSession: (session: ConsoleSessionCreate = {}) =>
      this.request<ConsoleTicket>("POST", "/v1/console/sessions", { body: session }),
  };

  /** The platform API (a platform key): the tenants of its namespace, by your product's own ids. */
  readonly tenants = {
    /** Create (201) or update (200), idempotent; `settings` and `branding` change what they name. */
    put: (tenantId: string, tenant: PlatformTenantPut) =>
      this.request<PlatformTenant>("PUT", `/v1/tenants/${enc(tenantId)}`, { body: tenant }),
    get: (tenantId: string) => this.request<PlatformTenant>("GET", `/v1/tenants/${enc(tenantId)}`),
    update: (tenantId: string, patch: PlatformTenantPatch) =>
      this.request<PlatformTenant>("PATCH", `/v1/tenants/${enc(tenantId)}`, { body: patch }),
    list: (options?: ListOptions) => this.list<PlatformTenant>("/v1/tenants", options),
    /** `undefined` when done; `{status: "deleting"}` when time ran out first: call again to finish. */
    delete: (tenantId: string) =>
      this.request<TenantDeleting | undefined>("DELETE", `/v1/tenants/${enc(tenantId)}`),
    suspend: (tenantId: string) => this.request<PlatformTenant>("POST", `/v1/tenants/${enc(tenantId)}/suspend`),
    resume: (tenantId: string) => this.request<PlatformTenant>("POST", `/v1/tenants/${enc(tenantId)}/resume`),
    /** A key of the tenant (an admin key unless `role` says otherwise), shown once. */
    createKey: (tenantId: string, key: TenantKeyCreate = {}) =>
      this.request<NewApiKey>("POST", `/v1/tenants/${enc(tenantId)}/api-keys`, { body: key }),
    usage: (tenantId: string) => this.request<TenantDailyUsage>("GET", `/v1/tenants/${enc(tenantId)}/usage`),
  };

  /** The built-in plans and the namespace's own (a platform key). */
  readonly plans = {
    list: () => this.list<Plan>("/v1/plans"),
    put: (name: string, plan: PlanPut) => this.request<Plan>("PUT", `/v1/plans/${enc(name)}`, { body: plan }),
  };

  readonly audit = {
    list: (options?: ListOptions) => this.list<AuditEvent>("/v1/audit", options),
  };

  readonly webhooks = {
    create: (endpoint: WebhookCreate) => this.request<NewWebhookEndpoint>("POST", "/v1/webhooks", { body: endpoint }),
    list: (options?: ListOptions) => this.list<WebhookEndpoint>("/v1/webhooks", options),
    delete: (webhookId: string) => this.request<void>("DELETE", `/v1/webhooks/${enc(webhookId)}`),
    deliveries: (webhookId: string, options?: ListOptions) =>
      this.list<WebhookDelivery>(`/v1/webhooks/${enc(webhookId)}/deliveries`, options),
  };

  /** What a share link answers a viewer (no key is sent). */
  readonly viewer = {
    data: (urlOrToken: string, options: { useView?: boolean } = {}) =>
      this.request<ShareData>(options.useView ? "POST" : "GET", "", { url: this.shareUrl(urlOrToken, "/data"), anonymous: true }),
    info: (urlOrToken: string) => this.request<ShareInfo>("GET", "", { url: this.shareUrl(urlOrToken, "/info"), anonymous: true }),
    /** The presigned URL (valid 60 s) a download of a file the link shows redirects to; `useView`
     * POSTs (a view-limited link). Fetch it without Keyhole's headers. */
    downloadUrl: async (urlOrToken: string, fileId: string, options: { useView?: boolean } = {}): Promise<string> => {
      const response = await this.fetchImpl(this.shareUrl(urlOrToken, `/files/${enc(fileId)}`), {
        method: options.useView ? "POST" : "GET",
        redirect: "manual",
      });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status < 400 && location) return location;
      const text = await response.text();
      throw errorFromResponse(response.status, text ? JSON.parse(text) : null, response.headers);
    },
  };

  /** Is this token a live link of your tenant? `view` counts a view of that viewer. */
  introspect(token: string, options: Omit<Introspect, "token"> = {}): Promise<Introspection> {
    return this.request<Introspection>("POST", "/v1/introspect", { body: { token, ...options } });
  }

  openapi(): Promise<Record<string, unknown>> {
    return this.request<Record<string, unknown>>("GET", "/v1/openapi.json");
  }

  private shareUrl(urlOrToken: string, suffix: string): string {
    if (urlOrToken.includes("://")) {
      const url = new URL(urlOrToken);
      return `${url.origin}${url.pathname.replace(/\/+$/, "")}${suffix}`;
    }
    return `${this.apiUrl}/share/${urlOrToken}${suffix}`;
  }
}

function conditionHeaders(conditions: { ifMatch?: string; ifNoneMatch?: string }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (conditions.ifMatch) headers["If-Match"] = conditions.ifMatch;
  if (conditions.ifNoneMatch) headers["If-None-Match"] = conditions.ifNoneMatch;
  return headers;
}

/** Every operation of the OpenAPI document and the method that calls it (a test checks the table). */
export const OPERATIONS: Record<string, string> = {
  getTenant: "tenant.get", patchTenant: "tenant.update",
  createApiKey: "apiKeys.create", listApiKeys: "apiKeys.list", deleteApiKey: "apiKeys.delete",
  putResource: "resources.put", patchResource: "resources.patch", getResource: "resources.get",
  listResources: "resources.list", deleteResource: "resources.delete", rotateOriginSecret: "resources.rotateOriginSecret",
  createLink: "links.create", listResourceLinks: "links.list", listLinks: "links.list", getLink: "links.get",
  patchLink: "links.update", revealLink: "links.reveal", revokeLink: "links.revoke", listAccessLogs: "links.accessLogs",
  revokeLinks: "links.revokeMany", importLinks: "links.import", createConsoleSession: "console.createSession",
  listAudit: "audit.list", createWebhook: "webhooks.create", listWebhooks: "webhooks.list",
  deleteWebhook: "webhooks.delete", listWebhookDeliveries: "webhooks.deliveries", introspect: "introspect",
  getOpenApi: "openapi", shareData: "viewer.data", shareDataPost: "viewer.data", shareInfo: "viewer.info",
  startFileUpload: "files.start", completeFileUpload: "files.complete", deleteFile: "files.delete",
  shareFile: "viewer.downloadUrl", shareFilePost: "viewer.downloadUrl",
  listPlatformTenants: "tenants.list", putPlatformTenant: "tenants.put", getPlatformTenant: "tenants.get",
  patchPlatformTenant: "tenants.update", deletePlatformTenant: "tenants.delete", suspendPlatformTenant: "tenants.suspend",
  resumePlatformTenant: "tenants.resume", createPlatformTenantKey: "tenants.createKey",
  getPlatformTenantUsage: "tenants.usage", listPlatformPlans: "plans.list", putPlatformPlan: "plans.put",
};
/** The viewer's HTML routes and the console page's own calls: for browsers, not for this client. */
export const FOR_BROWSERS = [
  "sharePage", "sharePageView", "shareUnlock", "shareVisit", "robots",
  "consolePage", "shareDialogPage", "startConsoleSession", "endConsoleSession",
];
