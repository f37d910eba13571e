import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  buildImportGraph,
  findCycles,
  findForeignLoggerTypes,
  findOutwardImports,
  importSpecifiers,
} from "./import-graph";

const here = dirname(fileURLToPath(import.meta.url));
const serverSrc = join(here, "../../src");
const webSrc = join(here, "../../../web/src");

/**
 * Dependencies point inward: adapters (sources) never reach the router, storage or realtime;
 * storage never reaches validation or HTTP; the bus carries contracts, not realtime types.
 */
export const SERVER_RULES = [
  "sources->router",
  "sources->store",
  "sources->realtime",
  "store->validation",
  "store->http",
  "store->realtime",
  "bus->realtime",
  "router->store",
  "router->http",
  "validation->store",
  "realtime->store",
  "realtime->sources",
] as const;

test("the server's import graph has no cycle", () => {
  assert.deepEqual(findCycles(buildImportGraph(serverSrc)), []);
});

test("no server import points outward", () => {
  assert.deepEqual(findOutwardImports(buildImportGraph(serverSrc), SERVER_RULES), []);
});

test("one logger type: only src/logger.ts takes Logger from pino", () => {
  assert.deepEqual(findForeignLoggerTypes(join(here, "../.."), "src/logger.ts"), []);
});

test("the web app reaches the server only through @torghut/contracts, never its internals", () => {
  const offending: string[] = [];
  for (const file of buildImportGraph(webSrc).keys()) {
    for (const specifier of importSpecifiers(readFileSync(join(webSrc, file), "utf8"))) {
      if (
        specifier.startsWith("@torghut/server") ||
        /(^|\/)apps\/server\/|^(\.\.\/)+server\//.test(specifier)
      ) {
        offending.push(`${file} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(offending, []);
});

test("the checks see a cycle, an outward import and a foreign logger type when planted", (t) => {
  const root = mkdtempSync(join(tmpdir(), "i19-import-rules-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write("store/a.ts", 'import type { B } from "./b";\nexport type A = B;\n');
  write("store/b.ts", 'import { type A } from "./a";\nexport type B = A | null;\n');
  write("sources/yahoo/poller.ts", 'export { decide } from "../../router/router";\n');
  write("router/router.ts", "export const decide = 1;\n");
  write("store/writer.ts", 'import { pino, type Logger } from "pino";\nexport const log: Logger = pino();\n');
  // Spelled in pieces, so this file does not count as taking the type itself.
  const qualified = ["pino", "Logger"].join(".");
  write(
    "store/reader.test.ts",
    `import type pino from "pino";\nexport let log: ${qualified} | null = null;\n`,
  );
  write("logger.ts", 'import { pino, type Logger } from "pino";\nexport type { Logger };\n');
  write("router/router.test.ts", 'import "../sources/yahoo/poller";\n');
  const graph = buildImportGraph(root);
  assert.deepEqual(findCycles(graph), ["store/a.ts -> store/b.ts -> store/a.ts"]);
  assert.deepEqual(findOutwardImports(graph, SERVER_RULES), [
    "sources/yahoo/poller.ts imports router/router.ts (sources->router)",
  ]);
  assert.deepEqual(findForeignLoggerTypes(root, "logger.ts"), ["store/reader.test.ts", "store/writer.ts"]);
});
