import assert from "node:assert/strict";
import { test } from "node:test";
import { DETECTION_BUDGET_MS, startChaosStack } from "./chaos-stack";
import { formatTable, runScenario, type FaultResult } from "./runner";
import { SCENARIOS, SHORT_RUN } from "./scenarios";

/**
 * The short chaos run inside `npm test`: the real server as a process, faults from the simulator and
 * a TCP proxy, invariants sampled through the public API. `npm run chaos` runs every shape (and
 * Chromium on each).
 */
test("chaos (short run): every fault detected within the budget, 0 invariant violations", async () => {
  const stack = await startChaosStack();
  const results: FaultResult[] = [];
  try {
    for (const name of SHORT_RUN) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      results.push(await runScenario(stack, scenario));
    }
  } finally {
    console.log(formatTable(results));
    await stack.close();
  }
  for (const r of results) {
    assert.deepEqual(r.violations, [], r.name);
    assert.ok(r.detectionMs !== null && r.detectionMs <= DETECTION_BUDGET_MS + 250, `${r.name}: detected`);
  }
});
