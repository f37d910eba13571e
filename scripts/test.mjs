#!/usr/bin/env node
// `npm test`: every workspace's suite through turbo, then one closing line that counts them all.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const workspaces = ["apps", "packages"]
  .flatMap((dir) => (existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : []))
  .concat(["bench", "e2e"])
  .filter((dir) => existsSync(join(dir, "package.json")));

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", NEXT_TELEMETRY_DISABLED: "1" };
const turbo = spawnSync(
  "npx",
  ["turbo", "run", "test", "--continue", "--output-logs=full", ...process.argv.slice(2)],
  {
    stdio: "inherit",
    env,
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
const failures = [];
for (const dir of workspaces) {
  const tap = join(dir, ".test-results.tap");
  if (!existsSync(tap)) continue;
  const text = readFileSync(tap, "utf8");
  const count = (key) => Number(text.match(new RegExp(`^# ${key} (\\d+)$`, "m"))?.[1] ?? 0);
  const p = count("pass");
  const f = count("fail") + count("cancelled");
  const s = count("skipped") + count("todo");
  passed += p;
  failed += f;
  skipped += s;
  lines.push(`  ${dir.padEnd(22)} ${p} passed, ${f} failed${s ? `, ${s} skipped` : ""}`);
  if (f > 0) failures.push(...failedTests(dir, text));
}
// The failed tests by name (and their error's first line) at the very end, where a CI log's tail shows them.
if (failures.length > 0) {
  console.log("\nFailed:");
  for (const line of failures.slice(0, 30)) console.log(line);
}
console.log("\nTest suites:");
for (const line of lines) console.log(line);
const status = turbo.status ?? 1;
if (status !== 0 && failed === 0) failed = 1; // a suite that crashed before reporting still fails the run
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);

/** Each `not ok` of a TAP report, innermost first (a failed subtest before its suite), with its error. */
function failedTests(dir, text) {
  const lines = text.split("\n");
  const found = [];
  lines.forEach((line, i) => {
    const match = /^(\s*)not ok \d+ - (.*)$/.exec(line);
    if (match === null) return;
    // The YAML block after it: `error: |-` then the message, or `error: 'message'` on one line.
    let error = "";
    for (let j = i + 1; j < Math.min(lines.length, i + 40); j++) {
      const at = /^\s*error: (.*)$/.exec(lines[j]);
      if (at === null) continue;
      error = at[1] === "|-" ? (lines[j + 1] ?? "").trim() : at[1].replace(/^'|'$/g, "");
      break;
    }
    found.push(
      `  ${dir}: ${match[1].replace(/ {4}/g, "  ")}${match[2]}${error ? ` — ${error.slice(0, 200)}` : ""}`,
    );
  });
  return found;
}
