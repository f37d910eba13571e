import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Database } from "@torghut/db";
import { onBothEngines, type EngineHandle } from "../../../test/support/both-engines";
import { seededRandom } from "@torghut/testing";
import {
  intervalBarsSql,
  queryIntervalBarColumns,
  queryIntervalBars,
  queryIntervalBarsJson,
  type BarInterval,
  type IntervalBar,
} from "./interval-bars";
import { barValues, type StoredBarValues } from "./bar-row";
import { queryBars } from "./minute-bars";
import { rebuildRollups } from "./rollups";

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.parse("2026-01-05T00:00:00Z");
const DAYS = 3;
const SYMBOLS = Array.from({ length: 10 }, (_, i) => `S${i}`);

/**
 * 1m bars written as the live aggregator writes them, minute by minute for every symbol, and newest day
 * first: one symbol's bars lie scattered over the heap, out of time order. Minutes 100–109 of each day
 * came from the delayed fallback, so each day holds two provenance changes. Every 13th minute has no
 * VWAP; volumes in thirds have the longest shortest-round-trip digits a double has.
 */
async function writeScattered(database: Database): Promise<void> {
  await database.query(
    `INSERT INTO bars_1m (symbol, minute, open, high, low, close, volume, vwap, trade_count, source, delayed)
     SELECT s, $2::timestamptz + d * interval '1 day' + interval '14 hours 30 minutes' + m * interval '1 minute',
            d * 1000 + m, d * 1000 + m + 1, d * 1000 + m - 1, d * 1000 + m + 0.5, (1000 + m)::float8 / 3,
            CASE WHEN m % 13 = 0 THEN NULL ELSE m + 0.1 END, 10 + m % 5,
            CASE WHEN m BETWEEN 100 AND 109 THEN 'yahoo' ELSE 'alpaca' END, m BETWEEN 100 AND 109
       FROM unnest($1::text[]) AS s, generate_series(0, $3::int - 1) AS d, generate_series(0, 389) AS m
      ORDER BY d DESC, m, s`,
    [SYMBOLS, new Date(FIRST_DAY).toISOString(), DAYS],
  );
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Heap Fetches"?: number;
  Plans?: PlanNode[];
}

const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

const INTERVALS: readonly BarInterval[] = ["1m", "5m", "15m", "1h", "1d"];

/** The columns answer back in the objects form, but for the two fields only objects carry. */
function expandColumns(
  c: Awaited<ReturnType<typeof queryIntervalBarColumns>>,
): Omit<IntervalBar, "vwap" | "tradeCount">[] {
  let run = -1;
  return c.time.map((time, i) => {
    if (c.provenance[run + 1]?.start === i) run++;
    const { source, delayed } = c.provenance[run]!;
    return {
      time: new Date(time * 1000).toISOString(),
      open: c.open[i]!,
      high: c.high[i]!,
      low: c.low[i]!,
      close: c.close[i]!,
      volume: c.volume[i]!,
      source,
      delayed,
    };
  });
}

/** The rows both answers select from, through the driver, as the first API mapped them in JS. */
async function rowsAsObjects(
  database: Database,
  interval: BarInterval,
  params: [string, string, string],
): Promise<IntervalBar[]> {
  const result = await database.query<StoredBarValues & { bucket: Date }>(intervalBarsSql(interval), params);
  return result.rows.map((row) => ({ time: new Date(row.bucket).toISOString(), ...barValues(row) }));
}

function intervalReadContract(engine: string, open: () => Promise<EngineHandle>) {
  describe(`1m interval reads: ${engine}`, () => {
    let storage: EngineHandle;
    let database: Database;
    before(async () => {
      storage = await open();
      database = storage.database;
      await writeScattered(database);
      await rebuildRollups(database);
      // What autovacuum does to finished days: their pages become all-visible.
      await database.query("VACUUM ANALYZE bars_1m");
    });
    after(() => storage.dispose());

    test("bars written out of time order come back in time order, in both answer forms", async () => {
      const [from, to] = [FIRST_DAY, FIRST_DAY + DAYS * DAY_MS];
      const rows = await queryBars(database, "S3", from, to);
      assert.equal(rows.length, DAYS * 390);
      const objects = await queryIntervalBars(database, "S3", "1m", from, to);
      assert.deepEqual(
        objects,
        rows.map(({ symbol: _symbol, minute, ...values }) => ({ time: minute, ...values })),
      );
      const columns = await queryIntervalBarColumns(database, "S3", "1m", from, to);
      assert.deepEqual(
        columns.time,
        rows.map((r) => Date.parse(r.minute) / 1000),
      );
      assert.deepEqual(
        columns.close,
        rows.map((r) => r.close),
      );
      const changes = rows.flatMap((r, i) =>
        i === 0 || r.source !== rows[i - 1]!.source
          ? [{ start: i, source: r.source, delayed: r.delayed }]
          : [],
      );
      assert.deepEqual(columns.provenance, changes);
      assert.equal(changes.length, 1 + 2 * DAYS);
    });

    test("the objects answer is the columns answer bar by bar, over random windows of every interval", async () => {
      const seed = 20;
      const rand = seededRandom(seed);
      const span = (DAYS + 2) * DAY_MS;
      let bars = 0;
      for (const interval of INTERVALS)
        for (let w = 0; w < 12; w++) {
          const symbol = SYMBOLS[Math.floor(rand() * SYMBOLS.length)]!;
          // Whole seconds anywhere from a day before the bars to a day after: edges inside buckets too.
          const a = FIRST_DAY - DAY_MS + Math.floor((rand() * span) / 1000) * 1000;
          const b = FIRST_DAY - DAY_MS + Math.floor((rand() * span) / 1000) * 1000;
          const [from, to] = a < b ? [a, b] : [b, a + 1000];
          const what = `seed ${seed} ${symbol} ${interval} [${new Date(from).toISOString()}, ${new Date(to).toISOString()})`;
          const text = await queryIntervalBarsJson(database, symbol, interval, from, to);
          const objects = JSON.parse(text) as IntervalBar[];
          // The bytes the route used to write with JSON.stringify: no spaces, same key order and numbers.
          assert.equal(text, JSON.stringify(objects), what);
          assert.deepEqual(
            objects.map(({ vwap: _vwap, tradeCount: _tradeCount, ...rest }) => rest),
            expandColumns(await queryIntervalBarColumns(database, symbol, interval, from, to)),
            what,
          );
          const params: [string, string, string] = [
            symbol,
            new Date(from).toISOString(),
            new Date(to).toISOString(),
          ];
          assert.deepEqual(objects, await rowsAsObjects(database, interval, params), what);
          bars += objects.length;
        }
      assert.ok(bars > 1000, `the windows held bars (${bars})`);
      assert.ok(
        (await queryIntervalBars(database, "S1", "1m", FIRST_DAY, FIRST_DAY + DAY_MS)).some(
          (b) => b.vwap === null,
        ),
        "a bar without a VWAP is among them",
      );
    });

    test("the 1m read is an index-only scan of the primary key: no heap page per bar", async () => {
      const result = await database.query<{ "QUERY PLAN": unknown }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${intervalBarsSql("1m")}`,
        ["S3", new Date(FIRST_DAY + DAY_MS).toISOString(), new Date(FIRST_DAY + 2 * DAY_MS).toISOString()],
      );
      const raw = result.rows[0]!["QUERY PLAN"];
      const [explained] = (typeof raw === "string" ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
      const scans = flatten(explained.Plan).filter((n) => n["Node Type"].includes("Scan"));
      assert.deepEqual(
        scans.map((n) => [n["Node Type"], n["Index Name"], n["Heap Fetches"]]),
        [["Index Only Scan", "bars_1m_pkey", 0]],
      );
    });
  });
}

onBothEngines(intervalReadContract);
