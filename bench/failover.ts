// `npm run bench -- failover [cycles] [shape cycles] [quiet hours]`: repeated Alpaca drop → recover
// cycles against the simulator, through the real stream client, Yahoo poller, DataSourceRouter and gap
// backfill (PGlite); then detection per fault shape (the chaos stack) and false failovers of a quiet
// but open market.
import { createDb } from "@torghut/db";
import { startSimulator } from "@torghut/market-sim";
import { pino } from "pino";
import { systemClock } from "../apps/server/src/clock";
import {
  alpacaBarsFetcher,
  GapBackfiller,
  YahooBarsFetcher,
  type BackfillReport,
} from "../apps/server/src/backfill";
import {
  FAST_SETTINGS,
  HARNESS_SYMBOLS,
  sourceOf,
  startFailoverHarness,
  statusAt,
} from "../apps/server/test/support/failover-harness";
import { eventually } from "@torghut/testing";
import { AlpacaRestClient, staticCredentials } from "../apps/server/src/sources/alpaca";
import { upsertBars } from "../apps/server/src/store/bars/minute-bars";
import { measureShapes } from "./lib/fault-shapes";
import { quietMarket } from "./lib/quiet-market";

const MINUTE = 60_000;

// Deadline for each wait: it only stops a hung run; the figures come from event timestamps, not from it.
const WAIT_MS = 30_000;

function pct(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (values: number[]) =>
  `p50 ${pct(values, 50).toFixed(0)} ms · p99 ${pct(values, 99).toFixed(0)} ms · n=${values.length}`;

export default async function failover(args: string[]): Promise<void> {
  const cycles = Number(args[0] ?? 8);
  const shapeCycles = Number(args[1] ?? 5);
  const quietHours = Number(args[2] ?? 1);
  const sim = await startSimulator({
    port: 0,
    seed: 9,
    symbols: HARNESS_SYMBOLS,
    tradesPerSecond: 200,
    staleSessionMs: 300,
  });
  const db = await createDb({ inMemory: true });
  const logger = pino({ level: "silent" });
  const rest = new AlpacaRestClient({
    dataUrl: sim.alpacaDataUrl,
    credentials: staticCredentials({ keyId: "sim-key", secretKey: "sim-secret" }),
  });
  // Damping off so that every cycle measures the same thing (it is tested on its own).
  const h = await startFailoverHarness({
    sim,
    settings: { flapDamping: { windowMs: 3_600_000, threshold: 1_000, maxMultiplier: 1 } },
  });
  const filler = new GapBackfiller({
    primary: alpacaBarsFetcher(rest),
    fallback: new YahooBarsFetcher(h.yahooClient),
    sink: { upsertBars: (bars) => upsertBars(db, bars) },
    symbols: () => HARNESS_SYMBOLS,
    clock: systemClock,
    logger,
    trailingSettleMs: 1_000,
  });
  h.router.onGap((gap) => void filler.handle(gap));

  // Same-run baseline: what one Yahoo chart request and one Alpaca REST bars page cost here.
  const yahooBaseline: number[] = [];
  const restBaseline: number[] = [];
  for (let i = 0; i < 20; i++) {
    let t = performance.now();
    await h.yahooClient.latestPrice(HARNESS_SYMBOLS[i % HARNESS_SYMBOLS.length]!);
    yahooBaseline.push(performance.now() - t);
    t = performance.now();
    await rest.fetchBars(HARNESS_SYMBOLS, new Date(Date.now() - 10 * MINUTE), new Date(Date.now() - MINUTE));
    restBaseline.push(performance.now() - t);
  }

  const detection: number[] = [];
  const firstFallbackPrice: number[] = [];
  const failback: number[] = [];
  const gapWindows: { startMs: number; endMs: number }[] = [];
  try {
    await eventually(() => h.fed.some((f) => sourceOf(f) === "alpaca"), "primary data", WAIT_MS);
    for (let c = 0; c < cycles; c++) {
      await eventually(
        () => h.router.currentState === "PRIMARY_ACTIVE" && h.router.snapshot().primary.up,
        "primary stable",
        WAIT_MS,
      );
      const faultAt = Date.now();
      sim.control.setFault({ target: "alpaca", fault: "drop" });
      const detectedAt = await eventually(
        () => statusAt(h, faultAt, (s) => s.kind === "stale" && s.snapshot.pricesStale),
        "detection",
        WAIT_MS,
      );
      const yahooAt = await eventually(
        () => h.fed.find((f) => f.at >= faultAt && sourceOf(f) === "yahoo")?.at,
        "first Yahoo price",
        WAIT_MS,
      );
      detection.push(detectedAt - faultAt);
      firstFallbackPrice.push(yahooAt - detectedAt);
      // Stay on the fallback a little, as a real outage would.
      await eventually(() => Date.now() - yahooAt > 500, "outage", WAIT_MS);
      const clearedAt = Date.now();
      sim.control.clearFaults("alpaca");
      const backAt = await eventually(
        () => statusAt(h, clearedAt, (s) => s.kind === "transition" && s.transition.to === "PRIMARY_ACTIVE"),
        "failback",
        WAIT_MS,
      );
      failback.push(backAt - clearedAt);
      const gap = await eventually(() => h.gaps.find((g) => g.endMs >= clearedAt), "gap", WAIT_MS);
      gapWindows.push({
        startMs: gap.startMs - (gap.startMs % MINUTE),
        endMs: gap.endMs - (gap.endMs % MINUTE) + MINUTE,
      });
    }
    // Every window's last minute is complete only after it ends: wait for the trailing passes.
    const lastEnd = Math.max(...gapWindows.map((w) => w.endMs));
    console.log(
      `waiting ${Math.max(0, Math.round((lastEnd + 2_000 - Date.now()) / 1000))} s for the last gap minute to close…`,
    );
    await eventually(
      () => filler.recentReports().some((r) => r.cause === "trailing" && r.endMs >= lastEnd),
      "trailing backfill",
      90_000,
    );
  } finally {
    await h.close();
    await filler.stop();
  }

  // Missing = (symbol, minute) pairs Alpaca REST has for a gap window that the store lacks.
  let expected = 0;
  let missing = 0;
  const windowMinutes = new Set<number>();
  for (const w of gapWindows) {
    const truth = await rest.fetchBars(HARNESS_SYMBOLS, new Date(w.startMs), new Date(w.endMs - 1));
    const rows = await db.query<{ symbol: string; minute: Date }>(
      `SELECT symbol, minute FROM bars_1m WHERE minute >= $1 AND minute < $2`,
      [new Date(w.startMs).toISOString(), new Date(w.endMs).toISOString()],
    );
    const have = new Set(rows.rows.map((r) => `${r.symbol}@${new Date(r.minute).getTime()}`));
    for (const b of truth) {
      expected += 1;
      windowMinutes.add(Date.parse(b.minute));
      if (!have.has(`${b.symbol}@${Date.parse(b.minute)}`)) missing += 1;
    }
  }
  const dup = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT symbol, minute FROM bars_1m GROUP BY 1, 2 HAVING count(*) > 1) d`,
  );
  await db.close();
  await sim.close();
  const reports: readonly BackfillReport[] = filler.recentReports();

  const s = FAST_SETTINGS;
  console.log(
    `failover benchmark: ${cycles} drop→recover cycles, ${HARNESS_SYMBOLS.length} symbols, simulator + real adapters`,
  );
  console.log(
    `settings: MAX_CONSECUTIVE_FAILURES=${s.maxConsecutiveFailures} MESSAGE_TIMEOUT=${s.messageTimeoutMs}ms FALLBACK_ACTIVATION_DELAY=${s.fallbackActivationDelayMs}ms PRIMARY_RECOVERY_GRACE=${s.primaryRecoveryGraceMs}ms`,
  );
  console.log(`detection (drop → primary declared failed): ${fmt(detection)}`);
  console.log(
    `first fallback price after detection:       ${fmt(firstFallbackPrice)}   (goal ≤ delay + 1000 ms = ${s.fallbackActivationDelayMs + 1000} ms)`,
  );
  console.log(
    `failback after recovery:                     ${fmt(failback)}   (floor: grace ${s.primaryRecoveryGraceMs} ms + reconnect)`,
  );
  console.log(
    `backfill: ${windowMinutes.size} distinct gap minutes, ${expected} (symbol, minute) bars expected, ${missing} missing, ${dup.rows[0]!.n} duplicates; ${reports.length} backfill runs (${reports.filter((r) => r.via !== "alpaca-rest").length} not via Alpaca REST)`,
  );
  console.log(
    `baseline (same run): one Yahoo chart request ${fmt(yahooBaseline)}; one Alpaca REST bars request (4 symbols, 9 min) ${fmt(restBaseline)}`,
  );

  // Issue #14: detection per fault shape, through the real server process and its public API.
  const { budgetMs, shapes } = await measureShapes(shapeCycles);
  console.log(
    `\ndetection per fault shape (${shapeCycles} cycles each; API sampled every 50 ms; budget MESSAGE_TIMEOUT + FALLBACK_ACTIVATION_DELAY + 1 s = ${budgetMs} ms):`,
  );
  for (const shape of shapes) {
    const fallback =
      shape.firstFallback.length > 0 ? `; first fallback price ${fmt(shape.firstFallback)}` : "";
    console.log(
      `  ${shape.name.padEnd(40)} detection ${fmt(shape.detection)}${fallback}; violations ${shape.violations}`,
    );
  }
  // False failovers of a quiet but open market, at IEX-like rates, with the default settings.
  console.log(
    `\nquiet but open market, default settings (MESSAGE_TIMEOUT 30 s), ${quietHours} simulated hour(s) each:`,
  );
  for (const rate of [1, 0.2]) {
    const q = await quietMarket(rate, quietHours);
    console.log(
      `  ${rate} trades/s over 10 symbols: ${q.dataMessages} data messages, longest gap ${q.longestGapS.toFixed(1)} s, ${q.failovers} failovers → ${q.perHour.toFixed(2)} false failovers per hour (goal 0)`,
    );
  }
}
