// `npm run chaos [-- --only "name,name" --no-browser]`: every fault shape of issue #14 against the
// real server process, with Chromium on the watchlist once per fault; prints the one table and
// exits non-zero on any violation.
import { CHAOS_AUTH_SECRET, DETECTION_BUDGET_MS, startChaosStack } from "./chaos-stack";
import { startWatchlistCheck, type WatchlistCheck } from "./browser";
import { formatTable, runScenario, type FaultResult } from "./runner";
import { SCENARIOS } from "./scenarios";

const args = process.argv.slice(2);
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? "").split(",").map((s) => s.trim())) : null;
const withBrowser = !args.includes("--no-browser");
const scenarios = SCENARIOS.filter((s) => only === null || only.has(s.name));

const stack = await startChaosStack();
let watchlist: WatchlistCheck | null = null;
const results: FaultResult[] = [];
try {
  if (withBrowser) watchlist = await startWatchlistCheck(stack.url, CHAOS_AUTH_SECRET);
  for (const scenario of scenarios) {
    const result = await runScenario(
      stack,
      scenario,
      watchlist === null ? {} : { browser: (e) => watchlist!.check(e) },
    );
    console.log(`${result.name}: ${result.violations.length} violation(s)`);
    results.push(result);
  }
} finally {
  await watchlist?.close();
  await stack.close();
}
console.log(
  `\nchaos: ${results.length} faults; detection budget ${DETECTION_BUDGET_MS / 1000} s (MESSAGE_TIMEOUT + FALLBACK_ACTIVATION_DELAY + 1 s)`,
);
console.log(formatTable(results));
const violations = results.reduce((n, r) => n + r.violations.length, 0);
console.log(`\n${violations === 0 ? "0 violations" : `${violations} violation(s)`}`);
process.exit(violations === 0 ? 0 : 1);
