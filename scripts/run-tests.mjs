#!/usr/bin/env node
// Runs one workspace's tests with node's test runner (through tsx) and keeps a TAP copy
// in .test-results.tap so that the root `npm test` can print one summary for every suite.
// Usage (from a workspace): node ../../scripts/run-tests.mjs [dir ...]   (default: src test)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["src", "test"];

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (/\.test\.tsx?$/.test(name)) found.push(path);
  }
  return found;
}

const files = roots.flatMap(findTests).sort();
rmSync(".test-results.tap", { force: true });
if (files.length === 0) {
  console.log("no test files");
  process.exit(0);
}
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    "--test-timeout=180000",
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    "--test-reporter=tap",
    "--test-reporter-destination=.test-results.tap",
    ...files,
  ],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
