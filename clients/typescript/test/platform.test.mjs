// The platform namespace against the local stack: a product backend makes tenants (ids with `:` and
// `.`, sent percent-encoded), its own plan, acts for a tenant as one of its users, imports a token
// it already handed out, suspends, resumes, reads usage and deletes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Keyhole, KeyholeError } from "../dist/index.js";
import { API_URL, PLATFORM_KEY, unique } from "./env.mjs";

const skip = PLATFORM_KEY ? false : "no platform key: set KEYHOLE_PLATFORM_KEY (make run writes one)";

test("a product backend makes tenants and acts for them", { skip }, async () => {
  const platform = new Keyhole({ apiUrl: API_URL, apiKey: PLATFORM_KEY });
  const org = `${unique("ts:org")}.a`;
  const other = unique("ts-org");
  const made = await platform.tenants.put(org, { name: "Globex", plan: "team", overrides: { shared_resources: 5 } });
  assert.equal(made.id, org);
  assert.match(made.keyhole_id, /^ten_/);
  assert.equal(made.limits.shared_resources, 5);
  assert.equal((await platform.tenants.put(org, { name: "Globex", plan: "team" })).keyhole_id, made.keyhole_id);
  await platform.tenants.put(other, { name: "Initech", plan: "free" });
  const planName = unique("pro").replace(/[^A-Za-z0-9_-]/g, "").slice(0, 40);
  const plan = await platform.plans.put(planName, { limits: { links_per_resource: 50, shared_resources: null } });
  assert.equal(plan.source, "namespace");
  assert.ok((await platform.plans.list().all()).some((p) => p.name === "team"));
  const template = "https://app.example.com/m/{token}";
  const updated = await platform.tenants.update(org, {
    plan: planName, settings: { allow_imported_tokens: true, share_url_template: template },
  });
  assert.equal(updated.settings.share_url_template, template);
  assert.equal(updated.limits.links_per_resource, 50);
  const ids = (await platform.tenants.list({ limit: 1 }).all()).map((t) => t.id);
  assert.ok(ids.includes(org) && ids.includes(other), ids.join());
  assert.equal((await platform.tenants.get(org)).plan, planName);
  await assert.rejects(platform.resources.list().all(), (e) => e instanceof KeyholeError && e.code === "tenant_required");

  const alice = platform.forTenant(org, { actor: "user:alice" });
  await alice.resources.put("report-7", { type: "report", name: "Report 7", document: { score: 97 } });
  const own = await alice.links.create("report-7");
  assert.equal(own.url, template.replace("{token}", own.token));
  assert.equal(own.created_by?.actor, "user:alice");
  const legacy = unique("tok").replace(/[^A-Za-z0-9_.~-]/g, "");
  const imported = await alice.links.create("report-7", { import_token: legacy });
  assert.deepEqual([imported.token, imported.token_source], [legacy, "imported"]);
  assert.deepEqual((await alice.viewer.data(legacy)).document, { score: 97 });
  const batch = await alice.links.import([
    { resource_id: "report-7", import_token: `${legacy}x`, label: "Q1" },
    { resource_id: "report-7", import_token: legacy },
  ]);
  assert.deepEqual(batch.items.map((i) => i.status), [201, 409]);
  assert.equal(batch.items[1].error?.code, "token_taken");
  await platform.forTenant(org, { actor: "user:bob" }).links.create("report-7");
  const mine = await alice.links.list({ actor: "user:alice" }).all();
  assert.deepEqual(new Set(mine.map((l) => l.id)), new Set([own.id, imported.id, batch.items[0].link?.id]));

  assert.equal((await platform.tenants.suspend(org)).status, "suspended");
  await assert.rejects(alice.viewer.data(legacy), (e) => e.status === 404);
  assert.equal((await platform.tenants.resume(org)).status, "active");
  const key = await platform.tenants.createKey(org, { role: "operator" });
  const ownKey = new Keyhole({ apiUrl: API_URL, apiKey: key.key });
  assert.equal((await ownKey.tenant.get()).id, made.keyhole_id);
  await assert.rejects(ownKey.tenants.get(org), (e) => e.status === 403);
  const usage = await platform.tenants.usage(org);
  assert.equal(usage.days.length, 90);
  assert.equal(await platform.tenants.delete(other), undefined);
  await assert.rejects(platform.tenants.get(other), (e) => e.status === 404);
});
