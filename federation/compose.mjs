// Composes Saleor's federation SDL (v1, no @link) with the after-sales subgraph SDL (v2) into the
// supergraph the gateway serves. Usage:
//   node federation/compose.mjs [--saleor-sdl PATH] [--aftersales-sdl PATH] [--out PATH]
//     [--saleor-url URL] [--aftersales-url URL] [--check]
// --check compares with the existing output file and exits 3 on drift instead of writing.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "graphql";
import { composeServices } from "@theguild/federation-composition";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};

const saleorSdlPath = option("--saleor-sdl", resolve(repo, "../shared/saleor/federation-sdl.graphql"));
// Our SDL as `_service { sdl }` answers it: .venv/bin/python -m saleor_aftersales.graphql.federation > FILE
const aftersalesSdlPath = option("--aftersales-sdl", undefined);
if (!aftersalesSdlPath) {
  console.error("usage: node federation/compose.mjs --aftersales-sdl FILE [--saleor-sdl FILE] [--out FILE] [--check]");
  process.exit(64);
}
const outPath = option("--out", resolve(repo, "graphql/supergraph.graphql"));
// The URLs baked into the supergraph are defaults; the gateway overrides them per deployment.
const saleorUrl = option("--saleor-url", "http://saleor.invalid/graphql/");
const aftersalesUrl = option("--aftersales-url", "http://aftersales.invalid/graphql/");

const result = composeServices([
  { name: "saleor", typeDefs: parse(readFileSync(saleorSdlPath, "utf8")), url: saleorUrl },
  { name: "aftersales", typeDefs: parse(readFileSync(aftersalesSdlPath, "utf8")), url: aftersalesUrl },
]);

if (result.errors && result.errors.length) {
  for (const error of result.errors) console.error(`composition error: ${error.message}`);
  process.exit(2);
}
const supergraph = result.supergraphSdl.endsWith("\n") ? result.supergraphSdl : `${result.supergraphSdl}\n`;
if (args.includes("--check")) {
  const current = existsSync(outPath) ? readFileSync(outPath, "utf8") : "";
  if (current !== supergraph) {
    console.error(`supergraph drift: ${outPath} differs from the composition of the current subgraphs`);
    process.exit(3);
  }
  console.log(`supergraph up to date: ${outPath}`);
} else {
  writeFileSync(outPath, supergraph);
  console.log(`wrote ${outPath}`);
}
