import type { SourceName } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import type { IntervalBar } from "./bar-row";
import { aggregateColumns } from "./rollups";

/** The intervals bars are served in (the TA API's `interval` parameter parses to one of these). */
export type BarInterval = "1m" | "5m" | "15m" | "1h" | "1d";

export type { IntervalBar };

/** Consecutive bars with the same provenance: bars `start` up to the next run's `start` (exclusive). */
interface ProvenanceRun {
  start: number;
  source: SourceName;
  delayed: boolean;
}

/** The same bars as one array per field (`format=columns`): no repeated keys, no ISO strings. */
interface BarColumns {
  /** Bar start, UTC seconds. */
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  /** Source and delayed flag per bar, run-length encoded (they change only at a failover). */
  provenance: ProvenanceRun[];
}

const MAX_BARS = 10_000;
const ORIGIN = `TIMESTAMPTZ '2000-01-03 00:00:00+00'`;

/** Intervals kept as stored rows (bars_1m and its rollups, store/bars/rollups.ts). */
const STORED: Record<Exclude<BarInterval, "15m">, { table: string; time: string }> = {
  "1m": { table: "bars_1m", time: "minute" },
  "5m": { table: "bars_5m", time: "bucket" },
  "1h": { table: "bars_1h", time: "bucket" },
  "1d": { table: "bars_1d", time: "bucket" },
};

/**
 * The one SQL for bars of an interval, oldest first, as rows of (bucket, open, high, low, close, volume,
 * vwap, trade_count, source, delayed) for symbol $1 and bars starting in [$2, $3). Every interval
 * but 15m is a stored table read by its primary key; 15m is three stored 5m rollups each. Both
 * answer formats select from it.
 */
export function intervalBarsSql(interval: BarInterval): string {
  if (interval === "15m")
    // Whole 15m buckets starting in range: their 5m rows may run past $3.
    return `SELECT * FROM (
              SELECT date_bin('15 minutes', f.bucket, ${ORIGIN}) AS bucket,
                     ${aggregateColumns("bucket", "f.vwap_volume")}
                FROM bars_5m AS f
               WHERE f.symbol = $1 AND f.bucket >= $2 AND f.bucket < $3::timestamptz + interval '15 minutes'
               GROUP BY 1) AS q
             WHERE bucket < $3
             ORDER BY bucket
             LIMIT ${MAX_BARS}`;
  const { table, time } = STORED[interval];
  return `SELECT ${time} AS bucket, open, high, low, close, volume, vwap, trade_count, source, delayed
            FROM ${table}
           WHERE symbol = $1 AND ${time} >= $2 AND ${time} < $3
           ORDER BY ${time}
           LIMIT ${MAX_BARS}`;
}

/**
 * Every bar in range as one JSON array per field, in one row of one text value. Reading 2,730 1m bars
 * (7 days) as rows cost ~16 ms of Node CPU in the pg driver's row decoding and Date parsing against
 * ~2 ms for this (`JSON.parse` is native; PostgreSQL writes the arrays in C): the bars p99 goal of
 * issue #20 is lost in the driver, not in the query. PGlite decodes a row at a time in JS, so the same
 * holds there. Provenance runs start where (source, delayed) changes; `detail` adds the fields only the
 * objects form carries (vwap, trade count, provenance per bar).
 */
export function jsonColumnsSql(interval: BarInterval, detail: boolean): string {
  // No ORDER BY inside the aggregates: on PostgreSQL 15 each one sorts its own copy of the rows (ten
  // sorts per answer). The rows already arrive in bucket order (the ordered subquery, then the window
  // over the same order), and an aggregate without a sort of its own takes them as they come.
  const column = (as: string, expr: string, filter = "") =>
    `'${as}', coalesce(json_agg(${expr})${filter}, '[]')`;
  const starts = " FILTER (WHERE starts)";
  const fields = [
    column("time", "date_part('epoch', bucket)"),
    ...["open", "high", "low", "close", "volume"].map((f) => column(f, f)),
    column("runStart", "i", starts),
    column("runSource", "source", starts),
    column("runDelayed", "delayed", starts),
    ...(detail ? [column("vwap", "vwap"), column("tradeCount", "trade_count")] : []),
  ];
  return `SELECT json_build_object(${fields.join(", ")})::text AS columns
            FROM (SELECT bucket, open, high, low, close, volume, vwap, trade_count, source, delayed,
                         (row_number() OVER w - 1)::int AS i,
                         source IS DISTINCT FROM lag(source) OVER w
                           OR delayed IS DISTINCT FROM lag(delayed) OVER w AS starts
                    FROM (${intervalBarsSql(interval)}) AS bars
                  WINDOW w AS (ORDER BY bucket)) AS numbered`;
}

/** What `jsonColumnsSql` answers, parsed. */
export interface JsonColumns extends Omit<BarColumns, "provenance"> {
  runStart: number[];
  runSource: SourceName[];
  runDelayed: boolean[];
  vwap?: (number | null)[];
  tradeCount?: number[];
}

const rangeParams = (symbol: string, fromMs: number, toMs: number) => [
  symbol,
  new Date(fromMs).toISOString(),
  new Date(toMs).toISOString(),
];

async function readJsonColumns(
  database: Database,
  interval: BarInterval,
  detail: boolean,
  params: unknown[],
): Promise<JsonColumns> {
  const result = await database.query<{ columns: string }>(jsonColumnsSql(interval, detail), params);
  // An aggregate without GROUP BY always answers exactly one row.
  return JSON.parse(result.rows[0]!.columns) as JsonColumns;
}

export async function queryIntervalBars(
  database: Database,
  symbol: string,
  interval: BarInterval,
  fromMs: number,
  toMs: number,
): Promise<IntervalBar[]> {
  return barsFromColumns(await readJsonColumns(database, interval, true, rangeParams(symbol, fromMs, toMs)));
}

/** The objects form from the arrays `jsonColumnsSql(interval, true)` answers (parsed). */
export function barsFromColumns(c: JsonColumns): IntervalBar[] {
  const bars: IntervalBar[] = new Array<IntervalBar>(c.time.length);
  let run = -1;
  for (let i = 0; i < bars.length; i++) {
    if (run + 1 < c.runStart.length && c.runStart[run + 1] === i) run++;
    bars[i] = {
      time: new Date(Math.round(c.time[i]! * 1000)).toISOString(),
      open: c.open[i]!,
      high: c.high[i]!,
      low: c.low[i]!,
      close: c.close[i]!,
      volume: c.volume[i]!,
      vwap: c.vwap![i]!,
      tradeCount: c.tradeCount![i]!,
      source: c.runSource[run]!,
      delayed: c.runDelayed[run]!,
    };
  }
  return bars;
}

export async function queryIntervalBarColumns(
  database: Database,
  symbol: string,
  interval: BarInterval,
  fromMs: number,
  toMs: number,
): Promise<BarColumns> {
  const { runStart, runSource, runDelayed, ...columns } = await readJsonColumns(
    database,
    interval,
    false,
    rangeParams(symbol, fromMs, toMs),
  );
  return {
    ...columns,
    provenance: runStart.map((start, i) => ({ start, source: runSource[i]!, delayed: runDelayed[i]! })),
  };
}

/** Whether the symbol is one we know (active or not); unknown symbols are a 404, not an empty list. */
export async function symbolExists(database: Database, symbol: string): Promise<boolean> {
  const result = await database.query<{ found: boolean }>(
    `SELECT true AS found FROM symbols WHERE symbol = $1`,
    [symbol],
  );
  return result.rows.length > 0;
}
