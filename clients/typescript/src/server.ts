/**
 * Receiving what Keyhole sends (Node only: `node:crypto`): webhook deliveries (`verifyWebhook`)
 * and requests forwarded to an origin (`verifyOriginRequest`, and `keyholeOrigin()`, an
 * Express/Connect middleware). Both are Standard Webhooks signatures: HMAC-SHA256 over
 * `<id>.<timestamp>.<content>` with the `whsec_` secret; two signatures during a rotation.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export const DEFAULT_TOLERANCE_SECONDS = 300;
const MAX_BODY_BYTES = 1024 * 1024;

export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SignatureError";
  }
}

type HeaderBag = Record<string, string | string[] | undefined> | Headers;

function header(headers: HeaderBag, name: string): string {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? "";
  const bag = headers as Record<string, string | string[] | undefined>;
  for (const [key, value] of Object.entries(bag)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(",") : (value ?? "");
  }
  return "";
}

/** Remembers each `webhook-id` for twice the tolerance: a second one is a replay. In memory, per process. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly keepSeconds = 2 * DEFAULT_TOLERANCE_SECONDS, private readonly maxEntries = 100_000) {}

  firstTime(messageId: string, timestamp: number, now = Date.now() / 1000): boolean {
    if (this.seen.size >= this.maxEntries || this.seen.size % 1024 === 0) {
      for (const [id, until] of this.seen) if (until < now) this.seen.delete(id);
      while (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value as string);
    }
    if (this.seen.has(messageId)) return false;
    this.seen.set(messageId, Math.max(timestamp, now) + this.keepSeconds);
    return true;
  }
}

export interface VerifyOptions {
  tolerance?: number;
  replayCache?: { firstTime(messageId: string, timestamp: number): boolean };
  now?: number;
}

function sign(secret: string, messageId: string, timestamp: number, content: Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const mac = createHmac("sha256", key).update(`${messageId}.${timestamp}.`).update(content).digest("base64");
  return `v1,${mac}`;
}

function check(content: Buffer, headers: HeaderBag, secrets: string | string[], options: VerifyOptions): [string, number] {
  const keys = typeof secrets === "string" ? [secrets] : secrets;
  if (keys.length === 0) throw new Error("no secret to verify with");
  const messageId = header(headers, "webhook-id");
  const stamp = header(headers, "webhook-timestamp");
  const sent = header(headers, "webhook-signature");
  if (!messageId || !stamp || !sent) throw new SignatureError("missing webhook-id, webhook-timestamp or webhook-signature");
  if (!/^\d+$/.test(stamp)) throw new SignatureError("webhook-timestamp is not a number of seconds");
  const timestamp = Number(stamp);
  const now = options.now ?? Date.now() / 1000;
  if (Math.abs(now - timestamp) > (options.tolerance ?? DEFAULT_TOLERANCE_SECONDS)) {
    throw new SignatureError("webhook-timestamp is outside the tolerance window");
  }
  const given = sent.split(" ").filter((entry) => entry.startsWith("v1,")).map((entry) => Buffer.from(entry));
  const match = keys.some((secret) => {
    const expected = Buffer.from(sign(secret, messageId, timestamp, content));
    return given.some((entry) => entry.length === expected.length && timingSafeEqual(entry, expected));
  });
  if (!match) throw new SignatureError("no signature matches");
  if (options.replayCache && !options.replayCache.firstTime(messageId, timestamp)) {
    throw new SignatureError("this webhook-id was seen before (a replay)");
  }
  return [messageId, timestamp];
}

/** The event of a genuine webhook delivery (`{type, id, timestamp, data}`); SignatureError otherwise. */
export function verifyWebhook(
  payload: string | Buffer,
  headers: HeaderBag,
  secrets: string | string[],
  options: VerifyOptions = {},
): { type: string; id: string; timestamp: string; data: Record<string, unknown> } {
  const content = typeof payload === "string" ? Buffer.from(payload) : payload;
  check(content, headers, secrets, options);
  return JSON.parse(content.toString("utf8"));
}

/** Who asked, as Keyhole vouches for it. */
export interface OriginRequest {
  linkId: string;
  /** The link's label ("" without one). */
  shareName: string;
  /** The viewer's address (X-Forwarded-For, set by Keyhole). */
  viewerIp: string | undefined;
  messageId: string;
  timestamp: number;
}

export interface ForwardedRequest {
  method: string;
  /** The request target as received: path and query, percent-encoded (`req.originalUrl`). */
  target: string;
  headers: HeaderBag;
  body: Buffer;
}

export function canonicalRequest(method: string, path: string, query: string, linkId: string, body: Buffer): string {
  const digest = createHash("sha256").update(body).digest("hex");
  return ["keyhole-origin-v1", method.toUpperCase(), path, query, linkId, digest].join("\n");
}

/** Verify one request Keyhole forwarded to your origin; SignatureError when it fails. */
export function verifyOriginRequest(request: ForwardedRequest, secrets: string | string[], options: VerifyOptions = {}): OriginRequest {
  const linkId = header(request.headers, "x-keyhole-link-id");
  if (!linkId) throw new SignatureError("no X-Keyhole-Link-Id: not a request forwarded by Keyhole");
  const at = request.target.indexOf("?");
  const path = at < 0 ? request.target : request.target.slice(0, at);
  const query = at < 0 ? "" : request.target.slice(at + 1);
  const canonical = Buffer.from(canonicalRequest(request.method, path, query, linkId, request.body));
  const [messageId, timestamp] = check(canonical, request.headers, secrets, options);
  let shareName = header(request.headers, "x-share-name");
  try {
    shareName = decodeURIComponent(shareName);
  } catch {}
  const viewerIp = header(request.headers, "x-forwarded-for").split(",")[0]?.trim() || undefined;
  return { linkId, shareName, viewerIp, messageId, timestamp };
}

export interface KeyholeOriginOptions {
  /** The origin secret (`whsec_...`), or both during a rotation. */
  secrets: string | string[];
  tolerance?: number;
  replayCache?: { firstTime(messageId: string, timestamp: number): boolean };
}

type Next = (error?: unknown) => void;
export type KeyholeRequest = IncomingMessage & {
  originalUrl?: string;
  body?: unknown;
  rawBody?: Buffer;
  keyhole?: OriginRequest;
  _body?: boolean;
};

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Express/Connect middleware: only requests Keyhole signed for a live link reach the next handler;
 * `req.keyhole` (and `res.locals.keyhole` under Express) is their OriginRequest. Mount it before any
 * body parser: it reads the body to check its hash, keeps it as `req.rawBody`, and sets `req.body`
 * (parsed JSON for a JSON content type, else the bytes), so parsers mounted after it pass.
 */
export function keyholeOrigin(options: KeyholeOriginOptions) {
  const replayCache = options.replayCache ?? new ReplayCache(2 * (options.tolerance ?? DEFAULT_TOLERANCE_SECONDS));
  return async (req: KeyholeRequest, res: ServerResponse & { locals?: Record<string, unknown> }, next: Next) => {
    try {
      const body = await readBody(req);
      if (body === null) return refuse(res, "the body is larger than Keyhole forwards");
      const origin = verifyOriginRequest(
        { method: req.method ?? "GET", target: req.originalUrl ?? req.url ?? "/", headers: req.headers, body },
        options.secrets,
        { tolerance: options.tolerance, replayCache },
      );
      req.keyhole = origin;
      if (res.locals) res.locals.keyhole = origin;
      req.rawBody = body;
      req.body = body;
      if (/json/.test(String(req.headers["content-type"] ?? "")) && body.length) {
        try {
          req.body = JSON.parse(body.toString("utf8"));
        } catch {} // not JSON after all: the app gets the bytes
      }
      req._body = true; // body parsers mounted after this one skip the (already read) stream
      next();
    } catch (error) {
      if (error instanceof SignatureError) return refuse(res, error.message);
      next(error);
    }
  };
}

function refuse(res: ServerResponse, reason: string): void {
  const body = JSON.stringify({ error: { code: "unauthorized", message: "This service is shared through Keyhole only" } });
  res.writeHead(401, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "X-Keyhole-Refused": reason.slice(0, 200).replace(/[^\x20-\x7e]/g, "?"),
  });
  res.end(body);
}
