#!/usr/bin/env node
// `npm test -w @torghut/e2e`: builds the web app when its build is missing or older than its
// sources, runs Playwright (list reporter on stdout, JSON to a file), and writes the pass/fail
// counts into .test-results.tap so that the root `npm test` counts this suite with the others.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureWebBuild } from "../scripts/web-build.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

rmSync(join(here, ".test-results.tap"), { force: true });
try {
  ensureWebBuild({ log: "[e2e]", env });
} catch (error) {
  console.error(`[e2e] ${error instanceof Error ? error.message : String(error)}`);
  writeFileSync(join(here, ".test-results.tap"), "# pass 0\n# fail 1\n");
  process.exit(1);
}

const dataDir = mkdtempSync(join(tmpdir(), "torghut-e2e-"));
const jsonFile = join(here, "test-results/results.json");
const run = spawnSync("npx", ["playwright", "test", "--reporter=list,json", ...process.argv.slice(2)], {
  cwd: here,
  stdio: "inherit",
  env: { ...env, E2E_DATA_DIR: dataDir, PLAYWRIGHT_JSON_OUTPUT_NAME: jsonFile },
});
rmSync(dataDir, { recursive: true, force: true });

let pass = 0;
let fail = 1;
let skipped = 0;
if (existsSync(jsonFile)) {
  const { stats } = JSON.parse(readFileSync(jsonFile, "utf8"));
  pass = stats.expected;
  fail = stats.unexpected + stats.flaky;
  skipped = stats.skipped;
}
writeFileSync(join(here, ".test-results.tap"), `# pass ${pass}\n# fail ${fail}\n# skipped ${skipped}\n`);
console.log(`e2e: ${pass} passed, ${fail} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(run.status ?? 1);
