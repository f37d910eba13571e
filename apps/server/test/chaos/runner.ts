import { eventually } from "@torghut/testing";
import { CHAOS_SYMBOLS, DETECTION_BUDGET_MS, type ChaosStack, type StocksBody } from "./chaos-stack";
import type { Expectation, Scenario } from "./scenarios";

export interface FaultResult {
  name: string;
  /** From the moment the primary stopped delivering (or the fault began) to the API saying so. */
  detectionMs: number | null;
  /** From the same moment to the first Yahoo price served (failover shapes only). */
  firstFallbackMs: number | null;
  /** From healing the fault to PRIMARY_ACTIVE and live again, without a restart. */
  backToPrimaryMs: number | null;
  violations: string[];
  samples: number;
}

export interface RunOptions {
  /** How often the public API is sampled and the invariants checked (ms). */
  sampleMs?: number;
  /** How long the fault is held after it was detected (ms). */
  holdMs?: number;
  /** Checks the page once the fault is detected (Chromium on the watchlist); returns a problem or null. */
  browser?: (expect: Expectation) => Promise<string | null>;
}

const ms = (iso: string | null) => (iso === null ? Number.NaN : Date.parse(iso));
const DETECTION_DEADLINE_MS = 40_000;

/** Did the API mark what the fault should have made it mark? */
function detected(expect: Expectation, body: StocksBody): boolean {
  switch (expect) {
    case "not-live":
      return body.presentation !== "live";
    case "stale":
      return body.presentation === "stale";
    case "market-closed":
      return body.presentation === "market-closed";
    case "symbol-stale":
      return body.symbols.find((r) => r.symbol === "TSLA")?.stale === true && body.presentation === "live";
  }
}

function recovered(body: StocksBody): boolean {
  return (
    body.connectionState === "PRIMARY_ACTIVE" &&
    body.presentation === "live" &&
    body.symbols.every((r) => !r.stale && r.source === "alpaca")
  );
}

/**
 * The invariants, checked on every sample: a price older than the budget is never presented as live
 * (per row, and as the feed), and the fallback's prices are never older than that while it is shown.
 */
export function violationsOf(body: StocksBody, at: number): string[] {
  if (body.market?.open === false) return [];
  const found: string[] = [];
  for (const row of body.symbols) {
    const age = at - ms(row.lastReceivedAt);
    const presented =
      body.presentation === "live" ? "live" : body.presentation === "delayed" ? "delayed" : null;
    if (presented === null || row.stale || !(age > DETECTION_BUDGET_MS)) continue;
    found.push(
      `${row.symbol} presented ${presented} with a ${(age / 1000).toFixed(1)} s old price (${row.source})`,
    );
  }
  return found;
}

export async function runScenario(
  stack: ChaosStack,
  scenario: Scenario,
  options: RunOptions = {},
): Promise<FaultResult> {
  const sampleMs = options.sampleMs ?? 250;
  const holdMs = options.holdMs ?? 1_500;
  const violations = new Set<string>();
  let samples = 0;
  const sample = async (): Promise<{ body: StocksBody; at: number }> => {
    const body = await stack.stocks();
    const at = Date.now();
    samples += 1;
    for (const v of violationsOf(body, at)) violations.add(v);
    return { body, at };
  };
  const tick = () => new Promise((resolve) => setTimeout(resolve, sampleMs)); // the sampling period

  await eventually(
    async () => recovered((await sample()).body),
    `${scenario.name}: healthy before the fault`,
    60_000,
  );
  const sessionsBefore = stack.sim.control.counters().maxConcurrentAuthenticatedSessions;
  const faultAt = Date.now();
  await scenario.inject(stack);

  let newestPrimary = faultAt - 1;
  const tslaBefore = ms(
    (await sample()).body.symbols.find((r) => r.symbol === "TSLA")?.lastReceivedAt ?? null,
  );
  let detectedAt: number | null = null;
  let detectionStart = faultAt;
  let firstFallbackAt: number | null = null;
  for (;;) {
    const { body, at } = await sample();
    if (detectedAt === null) {
      for (const row of body.symbols) {
        const received = ms(row.lastReceivedAt);
        if (row.source === "alpaca" && received > newestPrimary && scenario.expect !== "symbol-stale")
          newestPrimary = received;
      }
      if (detected(scenario.expect, body)) {
        detectedAt = at;
        detectionStart =
          scenario.expect === "symbol-stale"
            ? Math.max(faultAt, tslaBefore)
            : Math.max(faultAt, newestPrimary);
        const problem = (await options.browser?.(scenario.expect)) ?? null;
        if (problem !== null) violations.add(problem);
      } else if (at - faultAt > DETECTION_DEADLINE_MS) {
        violations.add(`not detected within ${DETECTION_DEADLINE_MS / 1000} s`);
        break;
      }
    }
    if (scenario.fallbackPrice && firstFallbackAt === null) {
      const yahoo = body.symbols.map((r) => (r.source === "yahoo" ? ms(r.lastReceivedAt) : Number.NaN));
      const first = Math.min(...yahoo.filter((t) => t > faultAt));
      if (Number.isFinite(first)) firstFallbackAt = first;
    }
    const held = detectedAt !== null && at - detectedAt >= holdMs;
    const fallbackSeen =
      !scenario.fallbackPrice || firstFallbackAt !== null || at - faultAt > DETECTION_BUDGET_MS + 5_000;
    const settled = scenario.settled?.(body) ?? true;
    const late = detectedAt !== null && at - detectedAt > DETECTION_DEADLINE_MS;
    if (held && fallbackSeen && (settled || late)) {
      if (!settled) violations.add(`did not settle within ${DETECTION_DEADLINE_MS / 1000} s`);
      const problem = scenario.check?.(body) ?? null;
      if (problem !== null) violations.add(problem);
      break;
    }
    await tick();
  }
  const detectionMs = detectedAt === null ? null : detectedAt - detectionStart;
  if (detectionMs !== null && detectionMs > DETECTION_BUDGET_MS + sampleMs)
    violations.add(
      `detected after ${(detectionMs / 1000).toFixed(1)} s, over the ${DETECTION_BUDGET_MS / 1000} s budget`,
    );

  const healAt = Date.now();
  await scenario.heal(stack);
  let backAt: number | null = null;
  const recoveryMs = scenario.recoveryMs ?? 30_000;
  while (Date.now() - healAt < recoveryMs) {
    const { body, at } = await sample();
    if (recovered(body)) {
      backAt = at;
      break;
    }
    await tick();
  }
  if (backAt === null) violations.add(`not back to PRIMARY_ACTIVE within ${recoveryMs / 1000} s of healing`);
  const sessions = stack.sim.control.counters().maxConcurrentAuthenticatedSessions;
  if (sessions > Math.max(1, sessionsBefore)) violations.add(`${sessions} concurrent Alpaca sessions`);
  return {
    name: scenario.name,
    detectionMs,
    firstFallbackMs: firstFallbackAt === null ? null : Math.max(0, firstFallbackAt - detectionStart),
    backToPrimaryMs: backAt === null ? null : backAt - healAt,
    violations: [...violations],
    samples,
  };
}

/** The one table the suite prints. */
export function formatTable(results: readonly FaultResult[]): string {
  const s = (v: number | null) => (v === null ? "—" : `${(v / 1000).toFixed(2)} s`);
  const rows = [
    ["fault", "detection", "first fallback price", "back to primary", "violations"],
    ...results.map((r) => [
      r.name,
      s(r.detectionMs),
      s(r.firstFallbackMs),
      s(r.backToPrimaryMs),
      String(r.violations.length),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
  const lines = [
    line(rows[0]!),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.slice(1).map(line),
  ];
  const details = results.flatMap((r) => r.violations.map((v) => `  ${r.name}: ${v}`));
  return [...lines, ...(details.length > 0 ? ["violations:", ...details] : [])].join("\n");
}

export { CHAOS_SYMBOLS };
