/** One error class for every error Keyhole answers: `status`, `code`, `details`, `requestId`. */

export interface FieldError {
  field: string;
  message: string;
}

export class KeyholeError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: FieldError[];
  readonly requestId: string | undefined;
  /** Seconds until a rate-limit window ends (429). */
  readonly retryAfter: number | undefined;
  readonly body: unknown;

  constructor(
    message: string,
    init: { status?: number; code?: string; details?: FieldError[]; requestId?: string; retryAfter?: number; body?: unknown } = {},
  ) {
    super(message);
    this.name = "KeyholeError";
    this.status = init.status ?? 0;
    this.code = init.code ?? "";
    this.details = init.details ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
    this.body = init.body;
  }
}

export function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const when = Date.parse(value);
  return Number.isNaN(when) ? undefined : Math.max(0, Math.round((when - Date.now()) / 1000));
}

export function errorFromResponse(status: number, body: unknown, headers: Headers): KeyholeError {
  const error = (body as { error?: Record<string, unknown> } | null)?.error ?? {};
  const details = Array.isArray(error.details)
    ? (error.details as Array<Record<string, unknown>>).map((d) => ({ field: String(d.field ?? ""), message: String(d.message ?? "") }))
    : [];
  const retryAfter = typeof error.retry_after === "number" ? error.retry_after : parseRetryAfter(headers.get("retry-after"));
  const requestId = (error.request_id as string | undefined) ?? headers.get("x-request-id") ?? undefined;
  const code = String(error.code ?? "");
  const message = String(error.message ?? `HTTP ${status}`);
  return new KeyholeError(`${status} ${code}: ${message}`, { status, code, details, requestId, retryAfter, body });
}
