import type { SourceName } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { barValues, type IntervalBar, type StoredBarValues } from "./bar-row";
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

interface Row extends StoredBarValues {
  bucket: Date | string;
}

type ColumnsRow = Omit<BarColumns, "provenance"> & {
  run_start: number[];
  run_source: string[];
  run_delayed: boolean[];
};

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
function intervalBarsSql(interval: BarInterval): string {
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
 * The columns form in one row of arrays: PGlite decodes a row at a time in JS, so 5,000 narrow rows
 * still cost ~45 ms where six arrays cost ~18 ms. Bars the outer query does not read (vwap,
 * trade_count) are dropped by the planner. Provenance runs start where (source, delayed) changes.
 */
function columnsSql(interval: BarInterval): string {
  const column = (expr: string, as: string, filter = "") =>
    `coalesce(array_agg(${expr} ORDER BY bucket)${filter}, '{}') AS ${as}`;
  return `SELECT ${column("extract(epoch FROM bucket)::float8", "time")},
                 ${column("open", "open")}, ${column("high", "high")}, ${column("low", "low")},
                 ${column("close", "close")}, ${column("volume", "volume")},
                 ${column("i", "run_start", " FILTER (WHERE starts)")},
                 ${column("source", "run_source", " FILTER (WHERE starts)")},
                 ${column("delayed", "run_delayed", " FILTER (WHERE starts)")}
            FROM (SELECT bucket, open, high, low, close, volume, source, delayed,
                         (row_number() OVER w - 1)::int AS i,
                         source IS DISTINCT FROM lag(source) OVER w
                           OR delayed IS DISTINCT FROM lag(delayed) OVER w AS starts
                    FROM (${intervalBarsSql(interval)}) AS bars
                  WINDOW w AS (ORDER BY bucket)) AS numbered`;
}

const rangeParams = (symbol: string, fromMs: number, toMs: number) => [
  symbol,
  new Date(fromMs).toISOString(),
  new Date(toMs).toISOString(),
];

export async function queryIntervalBars(
  database: Database,
  symbol: string,
  interval: BarInterval,
  fromMs: number,
  toMs: number,
): Promise<IntervalBar[]> {
  const result = await database.query<Row>(intervalBarsSql(interval), rangeParams(symbol, fromMs, toMs));
  return result.rows.map((row) => ({ time: new Date(row.bucket).toISOString(), ...barValues(row) }));
}

export async function queryIntervalBarColumns(
  database: Database,
  symbol: string,
  interval: BarInterval,
  fromMs: number,
  toMs: number,
): Promise<BarColumns> {
  const result = await database.query<ColumnsRow>(columnsSql(interval), rangeParams(symbol, fromMs, toMs));
  // An aggregate without GROUP BY always answers exactly one row.
  const row = result.rows[0]!;
  return {
    time: row.time,
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    provenance: row.run_start.map((start, i) => ({
      start,
      source: row.run_source[i] as SourceName,
      delayed: row.run_delayed[i]!,
    })),
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
