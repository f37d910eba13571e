import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { eventually } from "@torghut/testing";
import { routeConsoleToLogger } from "../../src/console-bridge";
import { createLogger } from "../../src/logger";
import { duplicateKeys } from "../support/json-keys";
import { getJson, startLiveServer } from "../support/live-server";

test("duplicateKeys finds a key written twice at any depth, and only then", () => {
  assert.deepEqual(duplicateKeys('{"a":1,"b":{"c":2,"c":3},"a":4}'), ["c", "a"]);
  assert.deepEqual(duplicateKeys('{"a":[{"a":1},{"a":2}],"s":"\\"a\\":1,\\"a\\""}'), []);
  assert.throws(() => duplicateKeys('{"a":1'), SyntaxError);
});

test("every logger child of a running server writes each key once, third-party console output included", async () => {
  const lines: string[] = [];
  const logger = createLogger(
    "trace",
    {},
    {
      destination: { write: (line: string) => void lines.push(line) },
      // Every child the server makes says so once, so that a child that never happens to log during
      // the run is checked too.
      onChild: (child) => child.trace("child logger created"),
    },
  );
  const restoreConsole = routeConsoleToLogger(logger);
  const live = await startLiveServer({}, {}, logger);
  try {
    const stocks = async () => (await getJson(`${live.url}/api/health/stocks`)).body;
    await eventually(async () => (await stocks()).currentDataSource === "Alpaca", "streaming", 30_000);
    // Fail over to Yahoo, then make Yahoo answer 429: yahoo-finance2 prints the URL with console.error.
    live.sim.control.setFault({ target: "alpaca", fault: "down" });
    await eventually(async () => (await stocks()).currentDataSource === "Yahoo", "Yahoo serving", 30_000);
    live.sim.control.setFault({ target: "yahoo", fault: "429" });
    await eventually(
      () =>
        lines.some((line) => line.includes('"component":"console"') && line.includes("/v8/finance/chart/")),
      "yahoo-finance2's console.error(url) as a log line",
      30_000,
    );
    live.sim.control.clearFaults();
    await eventually(async () => (await stocks()).currentDataSource === "Alpaca", "back on Alpaca", 30_000);
  } finally {
    await live.close();
    restoreConsole();
  }

  const children = lines.filter((line) => line.includes('"msg":"child logger created"'));
  const components = new Set(children.map((line) => (JSON.parse(line) as { component?: string }).component));
  for (const name of ["alpaca-stream", "alpaca-rest", "yahoo", "router", "tick-writer", "http", "console"])
    assert.ok(
      components.has(name),
      `no child logger named ${name} was created: ${[...components].join(", ")}`,
    );
  const offenders = lines
    .map((line) => ({ line: line.trim(), keys: duplicateKeys(line) }))
    .filter((entry) => entry.keys.length > 0);
  assert.deepEqual(
    offenders.slice(0, 5),
    [],
    `${offenders.length} of ${lines.length} log lines repeat a key`,
  );
});

/** Keys pino writes itself (level, time, msg) or every line carries from a binding. */
const RESERVED = ["level", "time", "msg", "service", "component", "thread"];

test("no log call in the server passes a key that pino or a binding already writes", () => {
  const src = fileURLToPath(new URL("../../src", import.meta.url));
  const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
  // `log.warn({ code, msg }, "...")` writes "msg" twice: the object's and the message's.
  const call = /\.(?:trace|debug|info|warn|error|fatal)\(\s*\{([^{}]*)\}/g;
  const found: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(src, file), "utf8");
    for (const match of text.matchAll(call)) {
      const keys = match[1]!.split(",").map((part) => part.split(":")[0]!.trim());
      for (const key of keys.filter((k) => RESERVED.includes(k)))
        found.push(`${file}: ${key} in ${match[0].replace(/\s+/g, " ")}`);
    }
  }
  assert.deepEqual(found, []);
});
