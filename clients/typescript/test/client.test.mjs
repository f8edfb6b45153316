// The fetch client against the local stack: every namespace, typed answers, pagination over
// several pages, error mapping; retries of 503 with Retry-After against a scripted server.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Keyhole, KeyholeError } from "../dist/index.js";
import { ADMIN_KEY, API_URL, listen, unique } from "./env.mjs";

const kh = new Keyhole({ apiUrl: API_URL, apiKey: ADMIN_KEY });

test("a resource, a link, what a viewer sees, revocation", async () => {
  const id = unique("ts:invoice");
  const made = await kh.resources.put(id, {
    type: "invoice", name: "Invoice from TypeScript",
    document: { total: 12.5, api_key: "sk_live_1", lines: [{ qty: 1 }] }, redact: ["api_key"],
  });
  assert.equal(made.id, id);
  assert.equal(made.version, 1);
  const patched = await kh.resources.patch(id, { document: { total: 13, lines: null } }, { ifMatch: made.etag });
  assert.deepEqual(patched.document, { total: 13, api_key: "sk_live_1" });
  await assert.rejects(kh.resources.patch(id, { name: "stale" }, { ifMatch: made.etag }), (e) => e.status === 412);
  assert.equal((await kh.resources.get(id)).name, "Invoice from TypeScript");
  const link = await kh.links.create(id, { label: "ts link", expires_in: "7d" });
  assert.ok(link.url.endsWith(link.token));
  const data = await kh.viewer.data(link.url);
  assert.deepEqual(data.document, { total: 13, api_key: "***" });
  assert.equal((await kh.viewer.info(link.token)).label, "ts link");
  const listed = await kh.links.list({ resourceId: id, status: "all" }).all();
  assert.deepEqual(listed.map((l) => l.id), [link.id]);
  assert.equal((await kh.links.update(link.id, { label: "renamed" })).label, "renamed");
  assert.equal((await kh.links.reveal(link.id)).token, link.token);
  const seen = await kh.introspect(link.token);
  assert.equal(seen.active, true);
  assert.equal(seen.link?.id, link.id);
  const logs = await kh.links.accessLogs(link.id).all();
  assert.deepEqual(logs.map((e) => e.path.split("/").pop()), ["info", "data"]);
  assert.equal(await kh.links.revoke(link.id), undefined);
  assert.equal((await kh.links.get(link.id)).status, "revoked");
  await assert.rejects(kh.viewer.data(link.url), (e) => e instanceof KeyholeError && e.status === 404);
  const extra = await kh.links.create(id, { embeddable: true });
  const paused = await kh.links.update(extra.id, { paused: true, password: "a new password" });
  assert.equal(paused.status, "paused");
  assert.equal(paused.has_password, true);
  assert.equal((await kh.links.update(extra.id, { paused: false, password: null })).status, "active");
  const batch = await kh.links.revokeMany({ link_ids: [extra.id, "lnk_" + "0".repeat(24)] });
  assert.deepEqual(batch.results.map((r) => r.status), ["revoked", "not_found"]);
  const ticket = await kh.console.createSession({ resource_id: id, actor: "user:ts" });
  assert.ok(ticket.url.includes("/share#ticket=kht_"));
  await kh.resources.delete(id);
  await assert.rejects(kh.resources.get(id), (e) => e.code === "not_found" && Boolean(e.requestId));
});

test("the tenant, keys, webhooks, audit, origin secrets", async () => {
  const tenant = await kh.tenant.get();
  assert.ok(tenant.id.startsWith("ten_"));
  assert.equal((await kh.tenant.update({ accent_color: "#0f766e" })).settings.accent_color, "#0f766e");
  const key = await kh.apiKeys.create(unique("ts-key"), "viewer");
  assert.ok(key.key.startsWith("kh_"));
  const asViewer = new Keyhole({ apiUrl: API_URL, apiKey: key.key });
  await assert.rejects(asViewer.resources.delete("anything"), (e) => e.status === 403 && e.code === "forbidden");
  assert.ok((await kh.apiKeys.list().all()).some((k) => k.id === key.id));
  await kh.apiKeys.delete(key.id);
  await assert.rejects(asViewer.tenant.get(), (e) => e.status === 401);
  const hook = await kh.webhooks.create({ url: "http://127.0.0.1:9/hook", events: ["share.revoked"] });
  assert.ok(hook.secret.startsWith("whsec_"));
  assert.deepEqual(await kh.webhooks.deliveries(hook.id).all(), []);
  assert.ok((await kh.webhooks.list().all()).some((h) => h.id === hook.id));
  await kh.webhooks.delete(hook.id);
  await assert.rejects(
    kh.webhooks.create({ url: "http://127.0.0.1:9/hook", events: ["*", "share.created"] }),
    (e) => e.status === 422 && e.details[0].field === "events",
  );
  const origin = unique("ts:origin");
  const live = await kh.resources.put(origin, { type: "monitor", name: "Live", origin: { url: "http://127.0.0.1:9/" } });
  assert.ok(live.origin_secret?.startsWith("whsec_"));
  assert.notEqual((await kh.resources.rotateOriginSecret(origin)).origin_secret, live.origin_secret);
  await kh.resources.delete(origin);
  const actions = [];
  for await (const event of kh.audit.list({ limit: 100 })) {
    actions.push(event.action);
    if (actions.length >= 100) break;
  }
  assert.ok(actions.includes("api_key.deleted"), actions.join());
  assert.equal((await kh.openapi()).openapi, "3.1.0");
});

test("lists follow next_cursor over several pages", async () => {
  const prefix = unique("ts-page");
  for (let n = 0; n < 5; n++) await kh.resources.put(`${prefix}-${n}`, { type: "t", name: `P${n}`, document: { n } });
  const pages = [];
  for await (const page of kh.resources.list({ limit: 2 }).pages()) pages.push(page);
  assert.ok(pages.length >= 3);
  assert.equal(pages.at(-1).next_cursor, null);
  const ids = (await kh.resources.list({ limit: 2 }).all()).map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (let n = 0; n < 5; n++) assert.ok(ids.includes(`${prefix}-${n}`));
  for (let n = 0; n < 5; n++) await kh.resources.delete(`${prefix}-${n}`);
});

test("503 is retried after Retry-After, within the bound; tenant and actor headers are sent", async () => {
  const seen = [];
  const [server, port] = await listen((req, res) => {
    seen.push({ at: Date.now(), headers: req.headers, url: req.url });
    if (seen.length <= 2) {
      res.writeHead(503, { "Content-Type": "application/json", "Retry-After": "1" });
      res.end(JSON.stringify({ error: { code: "unavailable", message: "busy", request_id: `r${seen.length}` } }));
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ active: false }));
  });
  try {
    const scripted = new Keyhole({ apiUrl: `http://127.0.0.1:${port}`, apiKey: "kh_x", tenant: "org-7", actor: "user:42" });
    assert.deepEqual(await scripted.introspect("t"), { active: false });
    assert.equal(seen.length, 3);
    assert.ok(seen[1].at - seen[0].at >= 1000 && seen[2].at - seen[1].at >= 1000);
    assert.equal(seen[2].headers["keyhole-tenant"], "org-7");
    assert.equal(seen[2].headers["keyhole-actor"], "user:42");
    seen.length = 0;
    const impatient = new Keyhole({ apiUrl: `http://127.0.0.1:${port}`, apiKey: "kh_x", retry: { maxTotalMs: 500 } });
    await assert.rejects(impatient.introspect("t"), (e) => e.status === 503 && e.retryAfter === 1 && e.requestId === "r1");
    assert.equal(seen.length, 1);
  } finally {
    server.close();
  }
});
