import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import type { Bar1m, SourceName } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { onBothEngines } from "../../../test/support/both-engines";
import { queryIntervalBars } from "./interval-bars";
import { aggregate, bucketStart, type OracleBar } from "../../../test/support/bar-oracle";
import { seededRandom } from "@torghut/testing";
import { queryBars, upsertBars } from "./minute-bars";

// Three New York days around the end of DST (2026-11-01 is 25 hours long), pre-market to after hours.
const FIRST_MINUTE = Date.parse("2026-10-31T08:00:00Z");
const MINUTES = 3 * 24 * 60;
const INTERVALS = ["5m", "15m", "1h", "1d"] as const;

function minuteBar(rand: () => number, symbol: string, minute: number, source: SourceName): Bar1m {
  const open = 100 + rand() * 10;
  const close = 100 + rand() * 10;
  const volume = rand() < 0.05 ? 0 : Math.round(rand() * 1000) / 10;
  return {
    symbol,
    minute: new Date(minute).toISOString(),
    open,
    high: Math.max(open, close) + rand(),
    low: Math.min(open, close) - rand(),
    close,
    volume,
    vwap: rand() < 0.1 ? null : 100 + rand() * 10,
    tradeCount: Math.floor(rand() * 50) + 1,
    source,
    delayed: source === "yahoo",
  };
}

function close(actual: number | null, expected: number | null, what: string): void {
  if (expected === null || actual === null) return assert.equal(actual, expected, what);
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

function assertSameBars(actual: OracleBar[], expected: OracleBar[], what: string): void {
  assert.deepEqual(
    actual.map((b) => b.time),
    expected.map((b) => b.time),
    `${what}: bucket starts`,
  );
  actual.forEach((bar, i) => {
    const want = expected[i]!;
    const at = `${what} ${bar.time}`;
    assert.deepEqual(
      [bar.open, bar.high, bar.low, bar.close, bar.tradeCount, bar.source, bar.delayed],
      [want.open, want.high, want.low, want.close, want.tradeCount, want.source, want.delayed],
      at,
    );
    close(bar.volume, want.volume, `${at} volume`);
    close(bar.vwap, want.vwap, `${at} vwap`);
  });
}

function rollupContract(
  engine: string,
  open: () => Promise<{ database: Database; dispose(): Promise<void> }>,
) {
  describe(`bar rollups: ${engine}`, () => {
    let storage: { database: Database; dispose(): Promise<void> };
    let database: Database;
    before(async () => {
      storage = await open();
      database = storage.database;
    });
    after(() => storage.dispose());
    beforeEach(() => database.query("TRUNCATE bars_1m, bars_5m, bars_1h, bars_1d").then(() => undefined));

    /** Every interval, over random windows on bucket boundaries, against the JS aggregate of stored 1m bars. */
    async function checkWindows(rand: () => number, seed: number, stage: string): Promise<void> {
      const stored = await queryBars(
        database,
        "TSLA",
        FIRST_MINUTE - 86_400_000,
        FIRST_MINUTE + 4 * 86_400_000,
        100_000,
      );
      for (const interval of INTERVALS) {
        for (let w = 0; w < 3; w += 1) {
          const a = bucketStart(FIRST_MINUTE + Math.floor(rand() * MINUTES) * 60_000, interval);
          const b = bucketStart(FIRST_MINUTE + Math.floor(rand() * MINUTES) * 60_000, interval);
          const [from, to] = a <= b ? [a, b + 1] : [b, a + 1];
          const expected = aggregate(stored, interval).filter((bar) => {
            const t = Date.parse(bar.time);
            return t >= from && t < to;
          });
          const actual = await queryIntervalBars(database, "TSLA", interval, from, to);
          assertSameBars(
            actual,
            expected,
            `seed ${seed} ${stage} ${interval} [${new Date(from).toISOString()}, ${new Date(to).toISOString()})`,
          );
        }
      }
    }

    test("rollups equal bars aggregated from 1m over random windows, as bars close and after a backfill", async () => {
      for (const seed of [1, 2, 3]) {
        await database.query("TRUNCATE bars_1m, bars_5m, bars_1h, bars_1d");
        const rand = seededRandom(seed);
        // Live: bars close a few at a time, some minutes missing, a failover to Yahoo for a while.
        const minutes = Array.from({ length: MINUTES }, (_, i) => FIRST_MINUTE + i * 60_000).filter(
          () => rand() < 0.6,
        );
        const yahooFrom = Math.floor(rand() * minutes.length);
        const bars = minutes.map((m, i) =>
          minuteBar(rand, "TSLA", m, i >= yahooFrom && i < yahooFrom + 90 ? "yahoo" : "alpaca"),
        );
        for (let i = 0; i < bars.length;) {
          const n = 1 + Math.floor(rand() * 40);
          await upsertBars(database, bars.slice(i, i + n));
          i += n;
        }
        await checkWindows(rand, seed, "live");
        // A backfill rewrites a random window of up to six hours, filling gaps too.
        const start = FIRST_MINUTE + Math.floor(rand() * MINUTES) * 60_000;
        const window = Array.from({ length: Math.floor(rand() * 360) + 1 }, (_, i) =>
          minuteBar(rand, "TSLA", start + i * 60_000, "backfill"),
        );
        await upsertBars(database, window);
        await checkWindows(rand, seed, "after backfill");
      }
    });

    test("a 1h and a 1d bar holding one Yahoo minute say so", async () => {
      const rand = seededRandom(7);
      const hour = Date.parse("2026-11-02T15:00:00Z");
      await upsertBars(database, [
        minuteBar(rand, "TSLA", hour, "alpaca"),
        minuteBar(rand, "TSLA", hour + 60_000, "yahoo"),
        minuteBar(rand, "TSLA", hour + 120_000, "alpaca"),
      ]);
      for (const interval of ["1h", "1d"] as const) {
        const [bar] = await queryIntervalBars(
          database,
          "TSLA",
          interval,
          hour - 86_400_000,
          hour + 86_400_000,
        );
        assert.deepEqual([bar?.source, bar?.delayed], ["yahoo", true], interval);
      }
    });
  });
}

onBothEngines(rollupContract);
