// `npm run bench -- growth [--rows=N] [--steps=K] [--days=D] [--bar-days=N] [--layout=both|partitioned|plain]
// [--requests=N] [--retention=end|rolling] [--bars-key=covering|old] [--svg=PATH]`: how ingest rate, bars latency, bytes per tick and the cost of dropping a day
// change as ticks accumulate, on the partitioned layout (issue #20) and on the unpartitioned one it replaced.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, createTestDatabase, seedSymbols, type Database } from "@torghut/db";
import pino from "pino";
import { systemClock } from "../apps/server/src/clock";
import { createHttpServer } from "../apps/server/src/http/server";
import { registerTaRoutes } from "../apps/server/src/http/ta/routes";
import { rebuildRollups } from "../apps/server/src/store/bars/rollups";
import { compactClosedPartitions } from "../apps/server/src/store/maintenance/compact-partitions";
import { applyRetention } from "../apps/server/src/store/maintenance/retention";
import {
  ensureTickPartitions,
  listTickPartitions,
} from "../apps/server/src/store/maintenance/tick-partitions";
import {
  FIRST_DAY_MS,
  GROWTH_SYMBOLS,
  dayStartNs,
  fillBars,
  useUnpartitionedTicks,
  writeTicks,
} from "./lib/growth-data";
import { lineChartSvg, type PlotSeries } from "./lib/svg-plot";

type Layout = "partitioned" | "plain";

function arg(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

const DAY_MS = 86_400_000;
/**
 * Bars requests measured at every step: [interval, range label, range, format]; 1m is capped at 7 days by the
 * API. The objects form is the API's default; the chart asks for columns.
 */
const QUERIES: [string, string, number, ("columns" | undefined)?][] = [
  ["1m", "1 day", DAY_MS],
  ["1m", "7 days", 7 * DAY_MS],
  ["1m", "7 days columns", 7 * DAY_MS, "columns"],
  ["1d", "1 day", DAY_MS],
  ["1d", "1 month", 31 * DAY_MS],
  ["1d", "1 year", 365 * DAY_MS],
  ["1h", "1 month", 31 * DAY_MS],
];

/** The 1d query as it was before the rollups (bars-query.ts at 07b5b1c). */
const ON_THE_FLY_1D = `SELECT (date_trunc('day', minute AT TIME ZONE 'America/New_York') AT TIME ZONE 'America/New_York') AS bucket,
  (array_agg(open ORDER BY minute))[1] AS open, max(high) AS high, min(low) AS low,
  (array_agg(close ORDER BY minute DESC))[1] AS close, sum(volume)::float8 AS volume,
  CASE WHEN sum(volume) FILTER (WHERE vwap IS NOT NULL) > 0
       THEN (sum(vwap * volume) FILTER (WHERE vwap IS NOT NULL) / sum(volume) FILTER (WHERE vwap IS NOT NULL))::float8 END AS vwap,
  sum(trade_count)::int AS trade_count, (array_agg(source ORDER BY minute DESC))[1] AS source, bool_or(delayed) AS delayed
  FROM bars_1m WHERE symbol = $1 AND minute >= $2 AND minute < $3 GROUP BY 1 ORDER BY 1 LIMIT 10000`;

interface Step {
  rows: number;
  rate: number;
  bytesPerTick: number;
  heapBytesPerTick: number;
  /** After the finished days' indexes were rebuilt packed (partitioned only), and how long that took. */
  compactedBytesPerTick: number | null;
  compactMs: number | null;
  p99: Record<string, number>;
  /** The same requests a second time, pages cached. */
  p99Again: Record<string, number>;
  dropMs: number;
  retentionMs: number;
  vacuumMs: number | null;
}

/** The slowest query's p99 of a pass. */
const worst = (latencies: Record<string, number>) => Math.max(...Object.values(latencies));
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const p99 = (samples: number[]) =>
  [...samples].sort((a, b) => a - b)[Math.floor((samples.length - 1) * 0.99)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function sizes(database: Database, layout: Layout): Promise<{ total: number; heap: number }> {
  const result = await database.query<{ total: string; heap: string }>(
    layout === "plain"
      ? `SELECT pg_total_relation_size('ticks')::text AS total, pg_relation_size('ticks')::text AS heap`
      : `SELECT sum(pg_total_relation_size(relid))::text AS total, sum(pg_relation_size(relid))::text AS heap
           FROM pg_partition_tree('ticks') WHERE isleaf`,
  );
  return { total: Number(result.rows[0]!.total), heap: Number(result.rows[0]!.heap) };
}

interface GrowthOptions {
  rows: number;
  steps: number;
  days: number;
  barDays: number;
  requests: number;
  /**
   * `end` (default) keeps every tick until the last step, so the last step really holds `rows` ticks, then
   * drops a day and applies retention once; `rolling` drops two days at every step (at most ~60% of `rows`
   * stored at once), which measures the drop at more sizes but never reaches the full size.
   */
  retention: "end" | "rolling";
  /**
   * `covering` (default): bars_1m as migrated (drizzle/0006, the read's columns in the primary key);
   * `old`: the primary key before 0006, every bar read from the heap, as the baseline.
   */
  barsKey: "covering" | "old";
}

/** p99 of `requests` real HTTP requests per bars query, over 30 symbols and 60 windows ending at the first tick day. */
async function barsLatencies(base: string, requests: number): Promise<Record<string, number>> {
  const latencies: Record<string, number> = {};
  for (const [interval, label, range, format] of QUERIES) {
    const samples: number[] = [];
    for (let i = 0; i < requests; i++) {
      const symbol = GROWTH_SYMBOLS[i % GROWTH_SYMBOLS.length]!;
      const to = FIRST_DAY_MS - Math.floor((i * 7919) % 60) * DAY_MS;
      const url = `${base}/api/torghut/ta/bars?symbol=${symbol}&interval=${interval}&from=${new Date(to - range).toISOString()}&to=${new Date(to).toISOString()}${format ? `&format=${format}` : ""}`;
      const started = performance.now();
      const response = await fetch(url);
      await response.arrayBuffer();
      samples.push(performance.now() - started);
      if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    }
    latencies[`${interval} × ${label}`] = p99(samples);
  }
  return latencies;
}

async function runLayout(serverUrl: string, layout: Layout, options: GrowthOptions): Promise<Step[]> {
  const { rows, steps, days, barDays, requests, retention } = options;
  const scratch = await createTestDatabase(serverUrl, "growth");
  const database = await createDb({
    url: scratch.url,
    poolMax: 8,
    deadlines: { statementTimeoutMs: 1_800_000, queryTimeoutMs: 1_810_000 },
  });
  const server = createHttpServer({ logger: pino({ level: "silent" }) });
  registerTaRoutes(server, { database, clock: systemClock, livePrice: () => undefined });
  const base = await server.listen({ port: 0, host: "127.0.0.1" });
  try {
    await seedSymbols(database, GROWTH_SYMBOLS);
    if (layout === "plain") await useUnpartitionedTicks(database);
    else
      await ensureTickPartitions(database, {
        nowMs: FIRST_DAY_MS + days * DAY_MS,
        daysAhead: 0,
        daysBack: days + 1,
      });
    const barRows = await fillBars(database, barDays, GROWTH_SYMBOLS);
    await rebuildRollups(database);
    if (options.barsKey === "old")
      await database.query(
        `ALTER TABLE bars_1m DROP CONSTRAINT bars_1m_pkey, ADD CONSTRAINT bars_1m_pkey PRIMARY KEY (symbol, minute)`,
      );
    await database.query("VACUUM ANALYZE");
    console.log(
      `[${layout}] ${fmt(barRows)} 1m bars (${barDays} days × ${GROWTH_SYMBOLS.length} symbols, ${options.barsKey} key) + rollups`,
    );

    const perDay = Math.ceil(rows / days);
    let written = 0;
    let firstKeptDay = 0;
    let stored = 0;
    const out: Step[] = [];
    for (let step = 0; step <= steps; step++) {
      // Step 0 is a probe on the empty table: the rate every later step is compared with.
      const target =
        step === 0 ? Math.min(1_000_000, Math.floor(rows / steps / 4)) : Math.floor((rows * step) / steps);
      const chunk = target - written;
      const ms = await writeTicks(database, written, target, perDay, GROWTH_SYMBOLS);
      written = target;
      stored += chunk;
      const rate = (chunk * 1000) / ms;
      const size = await sizes(database, layout);
      let compactMs: number | null = null;
      let compacted: number | null = null;
      if (layout === "partitioned") {
        // What the maintenance does to each finished day (store/maintenance/compact-partitions.ts).
        const today = FIRST_DAY_MS + Math.floor((written - 1) / perDay) * DAY_MS + 12 * 3_600_000;
        compactMs = await timed(() =>
          compactClosedPartitions(database, { nowMs: today, maxPartitions: 1_000 }),
        );
        compacted = (await sizes(database, layout)).total;
      }
      const end = FIRST_DAY_MS; // bars run up to the first tick day
      // The first pass right after the step's ingest (caches full of ticks: the figures in the table); the
      // same requests again are what a running service answers once the pages are cached.
      const latencies = await barsLatencies(base, requests);
      const again = await barsLatencies(base, requests);
      if (layout === "plain") {
        // Before #20 every interval but 1m was aggregated from bars_1m per request: the same year, that way.
        const samples: number[] = [];
        for (let i = 0; i < requests; i++) {
          const symbol = GROWTH_SYMBOLS[i % GROWTH_SYMBOLS.length]!;
          samples.push(
            await timed(() =>
              database.query(ON_THE_FLY_1D, [
                symbol,
                new Date(end - 365 * DAY_MS).toISOString(),
                new Date(end).toISOString(),
              ]),
            ),
          );
        }
        latencies["1d × 1 year, aggregated per request (before #20, SQL only)"] = p99(samples);
      }
      let dropMs = Number.NaN;
      let retentionMs = Number.NaN;
      let vacuumMs: number | null = null;
      const wholeDays = Math.floor(written / perDay);
      const dropNow = retention === "rolling" || step === steps;
      if (step > 0 && dropNow && wholeDays - firstKeptDay >= 3) {
        const day = firstKeptDay;
        if (layout === "partitioned") {
          const oldest = (await listTickPartitions(database)).find(
            (p) => !p.isDefault && p.toNs !== null && p.toNs > dayStartNs(day),
          )!;
          dropMs = await timed(() => database.query(`DROP TABLE "${oldest.name}"`));
          retentionMs = await timed(() =>
            applyRetention(database, {
              nowMs: FIRST_DAY_MS + (day + 2) * DAY_MS + 12 * 3_600_000,
              tickRetentionDays: 0,
              barRetentionDays: null,
            }),
          );
        } else {
          const range = [dayStartNs(day).toString(), dayStartNs(day + 1).toString()];
          dropMs = await timed(() =>
            database.query(`DELETE FROM ticks WHERE event_ns >= $1::bigint AND event_ns < $2::bigint`, range),
          );
          retentionMs = await timed(() =>
            database.query(`DELETE FROM ticks WHERE event_ns < $1::bigint`, [dayStartNs(day + 2).toString()]),
          );
          vacuumMs = await timed(() => database.query(`VACUUM ticks`));
        }
        firstKeptDay = day + 2;
        stored -= 2 * perDay;
      }
      const result: Step = {
        rows: stored + (Number.isNaN(dropMs) ? 0 : 2 * perDay),
        rate,
        bytesPerTick: size.total / (stored + (Number.isNaN(dropMs) ? 0 : 2 * perDay)),
        heapBytesPerTick: size.heap / (stored + (Number.isNaN(dropMs) ? 0 : 2 * perDay)),
        compactedBytesPerTick:
          compacted === null ? null : compacted / (stored + (Number.isNaN(dropMs) ? 0 : 2 * perDay)),
        compactMs,
        p99: latencies,
        p99Again: again,
        dropMs,
        retentionMs,
        vacuumMs,
      };
      out.push(result);
      console.log(
        `[${layout}] step ${step}: ${fmt(result.rows)} ticks stored, ${fmt(rate)} rows/s, ${result.bytesPerTick.toFixed(1)} B/tick ` +
          `(heap ${result.heapBytesPerTick.toFixed(1)}${result.compactedBytesPerTick === null ? "" : `; ${result.compactedBytesPerTick.toFixed(1)} once finished days are compacted in ${fmt(result.compactMs!)} ms`}), bars p99 ${Object.entries(
            latencies,
          )
            .map(([k, v]) => `${k} ${v.toFixed(1)}`)
            .join(", ")} ms (again: worst p99 ${worst(again).toFixed(1)} ms)` +
          (Number.isNaN(dropMs)
            ? ""
            : `; drop a day ${dropMs.toFixed(0)} ms, retention ${retentionMs.toFixed(0)} ms`) +
          (vacuumMs === null ? "" : ` + vacuum ${vacuumMs.toFixed(0)} ms`),
      );
    }
    const count = await database.query<{ n: string }>(`SELECT count(*)::text AS n FROM ticks`);
    const disk = await database.query<{ size: string }>(
      `SELECT pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    console.log(
      `[${layout}] ${count.rows[0]!.n} ticks counted at the end (tracked ${fmt(stored)}); database ${disk.rows[0]!.size}`,
    );
    return out;
  } finally {
    await server.close();
    await database.close();
    await scratch.drop();
  }
}

export default async function growth(args: string[]): Promise<void> {
  const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const options: GrowthOptions = {
    // 40M per layout fills in ~10–15 min on the shared 2-core box (~130k rows/s); --rows=100000000 for the issue's size.
    rows: Number(arg(args, "rows", "40000000")),
    steps: Number(arg(args, "steps", "4")),
    days: Number(arg(args, "days", "20")),
    barDays: Number(arg(args, "bar-days", "365")),
    barsKey: arg(args, "bars-key", "covering") === "old" ? "old" : "covering",
    requests: Number(arg(args, "requests", "100")),
    retention: arg(args, "retention", "end") === "rolling" ? "rolling" : "end",
  };
  const layoutArg = arg(args, "layout", "both");
  const layouts: Layout[] = layoutArg === "both" ? ["partitioned", "plain"] : [layoutArg as Layout];
  // npm runs the bench from bench/: the default is resolved from this file, not the working directory.
  const svgPath = arg(args, "svg", fileURLToPath(new URL("results/growth.svg", import.meta.url)));
  console.log(
    `growth: ${fmt(options.rows)} ticks in ${options.steps} steps over ${options.days} days, ${GROWTH_SYMBOLS.length} symbols`,
  );
  const results = new Map<Layout, Step[]>();
  for (const layout of layouts) results.set(layout, await runLayout(serverUrl, layout, options));

  const series: PlotSeries[] = [];
  const colors = { partitioned: ["#1f77b4", "#d62728"], plain: ["#7fb3dc", "#f0a0a0"] };
  for (const [layout, steps] of results) {
    series.push({
      name: `ingest rate, ${layout}`,
      unit: "rows/s",
      color: colors[layout][0]!,
      dashed: layout === "plain",
      points: steps.map((s) => ({ x: s.rows, y: s.rate })),
    });
    series.push({
      name: `bars p99 1d × 1 year, ${layout}`,
      unit: "ms",
      color: colors[layout][1]!,
      dashed: layout === "plain",
      points: steps.map((s) => ({ x: s.rows, y: s.p99["1d × 1 year"]! })),
    });
  }
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileSync(
    svgPath,
    lineChartSvg("Ingest rate and bars p99 against ticks stored", "ticks stored", series),
  );
  console.log(`plot: ${svgPath}`);
  // The table BENCHMARKS.md takes.
  const header = [
    "layout",
    "ticks stored",
    "rows/s",
    "B/tick (heap; compacted)",
    ...QUERIES.map(([i, l]) => `p99 ${i}×${l}`),
    "worst p99, same requests again",
    "drop day ms",
    "retention ms",
  ];
  console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
  for (const [layout, steps] of results)
    for (const s of steps)
      console.log(
        `| ${layout} | ${fmt(s.rows)} | ${fmt(s.rate)} | ${s.bytesPerTick.toFixed(1)} (${s.heapBytesPerTick.toFixed(1)}${s.compactedBytesPerTick === null ? "" : `; ${s.compactedBytesPerTick.toFixed(1)}`}) | ` +
          `${QUERIES.map(([i, l]) => s.p99[`${i} × ${l}`]!.toFixed(1)).join(" | ")} | ${worst(s.p99Again).toFixed(1)} | ${Number.isNaN(s.dropMs) ? "–" : s.dropMs.toFixed(0)} | ` +
          `${Number.isNaN(s.retentionMs) ? "–" : s.retentionMs.toFixed(0)}${s.vacuumMs === null ? "" : ` (+ vacuum ${s.vacuumMs.toFixed(0)})`} |`,
      );
}
