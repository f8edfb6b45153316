// The client follows the OpenAPI document: the generated types are current, every operation has a
// method (or is a browser route), and the package's version is the API's.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { FOR_BROWSERS, Keyhole, OPERATIONS } from "../dist/index.js";

const documentUrl = new URL("../../../chalicelib/runtime/openapi.json", import.meta.url);
const document = JSON.parse(readFileSync(documentUrl, "utf8"));

test("src/api.ts is generated from the current document", () => {
  execFileSync(process.execPath, [new URL("../scripts/generate.mjs", import.meta.url).pathname, "--check"], { stdio: "pipe" });
});

test("every operation of the document has a method", () => {
  const ids = Object.values(document.paths).flatMap((item) =>
    Object.entries(item).filter(([method]) => method !== "parameters").map(([, op]) => op.operationId));
  assert.deepEqual([...Object.keys(OPERATIONS), ...FOR_BROWSERS].sort(), [...ids].sort());
  const kh = new Keyhole({ apiUrl: "http://127.0.0.1:9" });
  for (const name of Object.values(OPERATIONS)) {
    const target = name.split(".").reduce((at, part) => at[part], kh);
    assert.equal(typeof target, "function", name);
  }
});

test("the package's version is the API's", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(pkg.version, document.info.version);
});
