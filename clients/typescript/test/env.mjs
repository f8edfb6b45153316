// The stack the tests run against: KEYHOLE_API_URL and KEYHOLE_ADMIN_KEY (an admin key of a tenant
// the tests may fill) and KEYHOLE_PLATFORM_KEY (a platform key whose namespace they may fill), else
// what `make run` wrote to .keyhole/local.json.
import { readFileSync } from "node:fs";
import { createServer, request } from "node:http";

function local() {
  try {
    return JSON.parse(readFileSync(new URL("../../../.keyhole/local.json", import.meta.url), "utf8"));
  } catch {
    return {};
  }
}

const found = local();
export const API_URL = process.env.KEYHOLE_API_URL ?? found.api_url;
export const ADMIN_KEY = process.env.KEYHOLE_ADMIN_KEY ?? found.admin_key;
if (!API_URL || !ADMIN_KEY) {
  throw new Error("set KEYHOLE_API_URL and KEYHOLE_ADMIN_KEY (or start `make run`, which writes .keyhole/local.json)");
}
/** A platform key (`khp_...`) for the platform namespace's tests: KEYHOLE_PLATFORM_KEY, or `make run`'s. */
export const PLATFORM_KEY = process.env.KEYHOLE_PLATFORM_KEY ?? found.platform_key;

/** A name no other run used: tests share the stack's tenant. */
export const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** An HTTP server on 127.0.0.1 (port chosen by the system); resolves to [server, port]. */
export function listen(handler) {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve([server, server.address().port])));
}

/** A raw request to 127.0.0.1 with any Host (the content origin `<label>.localhost:<port>`). */
export function raw(url, { method = "GET", host, headers = {}, body } = {}) {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname: "127.0.0.1", port: target.port, path: target.pathname + target.search, method,
        // a body goes with its length: chalice local reads no chunked bodies
        headers: { ...headers, ...(host ? { Host: host } : {}), ...(body ? { "Content-Length": Buffer.byteLength(body) } : {}) },
        agent: false },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}
