// Regenerates src/api.ts from Keyhole's OpenAPI document (chalicelib/runtime/openapi.json) with
// openapi-typescript. `node scripts/generate.mjs --check` exits 1 when src/api.ts is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const documentPath = resolve(here, "../../../chalicelib/runtime/openapi.json");
const target = resolve(here, "../src/api.ts");
const HEADER =
  "// Generated from chalicelib/runtime/openapi.json by `npm run generate` (openapi-typescript): do not edit.\n" +
  "// tests fail when it is stale.\n\n";

export async function generate() {
  const ast = await openapiTS(pathToFileURL(documentPath), { alphabetize: false });
  return HEADER + astToString(ast);
}

const text = await generate();
if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {}
  if (current !== text) {
    console.error("src/api.ts is stale: run `npm run generate` in clients/typescript");
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
