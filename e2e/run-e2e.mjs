#!/usr/bin/env node
// `npm test -w @torghut/e2e`: builds the web app when its build is missing or older than its
// sources, runs Playwright (list reporter on stdout, JSON to a file), and writes the pass/fail
// counts into .test-results.tap so that the root `npm test` counts this suite with the others.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const web = resolve(here, "../apps/web");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}

rmSync(join(here, ".test-results.tap"), { force: true });
const buildId = join(web, ".next/BUILD_ID");
const sources = Math.max(newestMtime(join(web, "src")), statSync(join(web, "package.json")).mtimeMs);
if (!existsSync(buildId) || statSync(buildId).mtimeMs < sources) {
  console.log("[e2e] building the web app (next build)");
  const build = spawnSync("npx", ["next", "build"], { cwd: web, stdio: "inherit", env });
  if (build.status !== 0) {
    writeFileSync(join(here, ".test-results.tap"), "# pass 0\n# fail 1\n");
    process.exit(build.status ?? 1);
  }
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
