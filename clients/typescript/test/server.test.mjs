// Receivers: the Express middleware behind a real origin link (Keyhole's requests pass and the
// app learns who asked; unsigned, tampered and replayed ones get 401; both secrets during a
// rotation), and webhook verification.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import express from "express";
import { Keyhole } from "../dist/index.js";
import { SignatureError, keyholeOrigin, verifyOriginRequest, verifyWebhook, ReplayCache } from "../dist/server.js";
import { ADMIN_KEY, API_URL, raw, unique } from "./env.mjs";

const kh = new Keyhole({ apiUrl: API_URL, apiKey: ADMIN_KEY });

function originApp(secrets) {
  const app = express();
  app.use(keyholeOrigin({ secrets }));
  app.use(express.json());
  app.get("/api/status", (req, res) =>
    res.json({ link_id: req.keyhole.linkId, share_name: req.keyhole.shareName, viewer_ip: req.keyhole.viewerIp }));
  app.post("/api/echo", (req, res) => res.json({ received: req.body, raw: req.rawBody.toString() }));
  return app;
}

/** An origin server whose app can be swapped, recording each request's target and headers. */
async function originServer() {
  const state = { app: null, seen: [] };
  const server = createServer((req, res) => {
    state.seen.push({ method: req.method, target: req.url, headers: { ...req.headers } });
    state.app(req, res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, state, port: server.address().port };
}

async function contentHost(link) {
  const moved = await raw(`${API_URL}/share/${link.token}/o/`);
  assert.equal(moved.status, 302);
  return new URL(moved.headers.location).host;
}

const viaKeyhole = (link, host, rest, options = {}) =>
  raw(`${API_URL}/share/${link.token}/o${rest}`, { host, headers: { "X-Forwarded-For": "198.51.100.9", ...options.headers }, ...options });

test("the Express middleware behind an origin link", async () => {
  const { server, state, port } = await originServer();
  try {
    const id = unique("ts:live");
    const resource = await kh.resources.put(id, {
      type: "monitor", name: "Live", origin: { url: `http://127.0.0.1:${port}`, allowed_methods: ["GET", "HEAD", "POST"] },
    });
    const secret = resource.origin_secret;
    state.app = originApp([secret]);
    const link = await kh.links.create(id, { label: "Über auditors" });
    const host = await contentHost(link);
    const ok = await viaKeyhole(link, host, "/api/status?x=1");
    assert.equal(ok.status, 200, ok.body.toString());
    assert.deepEqual(JSON.parse(ok.body), { link_id: link.id, share_name: "Über auditors", viewer_ip: "198.51.100.9" });
    const echo = await viaKeyhole(link, host, "/api/echo", {
      method: "POST", body: '{"a":1}', headers: { "Content-Type": "application/json" } });
    assert.deepEqual(JSON.parse(echo.body), { received: { a: 1 }, raw: '{"a":1}' });
    const signed = state.seen[0];
    const direct = `http://127.0.0.1:${port}`;
    assert.equal((await raw(`${direct}/api/status`)).status, 401); // unsigned
    assert.equal((await raw(direct + signed.target, { headers: signed.headers })).status, 401); // replayed
    const fresh = { ...signed.headers, "webhook-id": "req_new" };
    assert.equal((await raw(direct + signed.target, { headers: fresh })).status, 401); // the id is signed
    assert.equal((await raw(`${direct}/api/status?x=2`, { headers: signed.headers })).status, 401); // tampered
    // a rotation: Keyhole signs with both secrets for a day, so either one verifies
    const rotated = (await kh.resources.rotateOriginSecret(id)).origin_secret;
    for (const secrets of [[secret], [rotated], [secret, rotated]]) {
      state.app = originApp(secrets);
      assert.equal((await viaKeyhole(link, host, "/api/status")).status, 200, String(secrets));
    }
    const last = state.seen.at(-1);
    const request = { method: "GET", target: last.target, headers: last.headers, body: Buffer.alloc(0) };
    assert.equal(verifyOriginRequest(request, rotated).linkId, link.id);
    assert.throws(() => verifyOriginRequest(request, "whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"), SignatureError);
    await kh.resources.delete(id);
  } finally {
    server.close();
  }
});

test("webhook verification", () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const body = '{"type":"share.created","id":"evt_1","timestamp":"2026-12-07T10:00:00Z","data":{"link_id":"lnk_1"}}';
  const now = 1_800_000_000;
  // signed as Keyhole signs (Standard Webhooks), by hand
  const signature = verifyOriginRequestSignature(secret, "msg_1", now, body);
  const headers = { "webhook-id": "msg_1", "webhook-timestamp": String(now), "webhook-signature": `v1,bogus ${signature}` };
  assert.equal(verifyWebhook(body, headers, secret, { now }).type, "share.created");
  assert.throws(() => verifyWebhook(body.replace("created", "revoked"), headers, secret, { now }), SignatureError);
  assert.throws(() => verifyWebhook(body, headers, secret, { now: now + 3600 }), /tolerance/);
  const cache = new ReplayCache();
  verifyWebhook(body, headers, ["whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", secret], { now, replayCache: cache });
  assert.throws(() => verifyWebhook(body, headers, secret, { now, replayCache: cache }), /seen before/);
});

import { createHmac } from "node:crypto";
function verifyOriginRequestSignature(secret, id, timestamp, content) {
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  return "v1," + createHmac("sha256", key).update(`${id}.${timestamp}.${content}`).digest("base64");
}
