import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { collectDefaultMetrics } from "prom-client";
import { registry } from "../../src/metrics/registry";
// Importing the composition loads every module that defines metrics on the shared registry.
import "../../src/app";
import "../../src/pipeline/metrics";

const deployDir = fileURLToPath(new URL("../../../../deploy/", import.meta.url));

function promtool(...args: string[]) {
  const result = spawnSync("promtool", args, { cwd: `${deployDir}prometheus`, encoding: "utf8" });
  assert.notEqual(
    result.error?.message.includes("ENOENT"),
    true,
    "promtool is missing: apt-get install -y prometheus",
  );
  return result;
}

test("alert rules are valid PromQL (promtool check rules)", () => {
  const result = promtool("check", "rules", "alerts.yml");
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS: 11 rules found/);
});

test("each alert fires and stays quiet as its unit tests say (promtool test rules)", () => {
  const result = promtool("test", "rules", "alerts.test.yml");
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test("every metric the alerts and the dashboard use is one the server exports", async () => {
  // The server adds process metrics (event-loop delay, heap) when it serves /metrics.
  collectDefaultMetrics({ register: registry });
  const exported = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
  const used = new Set<string>();
  const sources = [
    readFileSync(`${deployDir}prometheus/alerts.yml`, "utf8"),
    readFileSync(`${deployDir}grafana/torghut.json`, "utf8"),
  ];
  for (const text of sources) {
    for (const match of text.matchAll(
      /\b([a-z][a-z0-9_]*(?:_total|_seconds|_ms|_state|_up|_error|_rate|_depth|_connections))(?:_bucket)?\b/g,
    )) {
      used.add(match[1]!);
    }
  }
  const missing = [...used].filter((name) => !exported.has(name) && !name.startsWith("process_"));
  assert.deepEqual(
    missing,
    [],
    `alerts/dashboard reference metrics the server does not export: ${missing.join(", ")}`,
  );
  assert.ok(used.size >= 8);
});
