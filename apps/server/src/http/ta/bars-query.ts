import type { SourceName } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import type { BarInterval } from "./params";

/** A bar of any interval as the TA API returns it; `time` is the ISO start of the bar. */
export interface IntervalBar {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  tradeCount: number;
  source: SourceName;
  delayed: boolean;
}

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

interface Row {
  bucket: Date | string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
  trade_count: number;
  source: string;
  delayed: boolean;
}

type ColumnsRow = Omit<BarColumns, "provenance"> & {
  run_start: number[];
  run_source: string[];
  run_delayed: boolean[];
};

/**
 * Bucket expression per interval. Intraday buckets are fixed-width from the epoch (date_bin); a daily
 * bar is the New York calendar day, the day a US trader means.
 */
const BUCKET: Record<Exclude<BarInterval, "1m">, string> = {
  "5m": `date_bin('5 minutes', minute, TIMESTAMPTZ '2000-01-03 00:00:00+00')`,
  "15m": `date_bin('15 minutes', minute, TIMESTAMPTZ '2000-01-03 00:00:00+00')`,
  "1h": `date_bin('1 hour', minute, TIMESTAMPTZ '2000-01-03 00:00:00+00')`,
  "1d": `(date_trunc('day', minute AT TIME ZONE 'America/New_York') AT TIME ZONE 'America/New_York')`,
};

const MAX_BARS = 10_000;

/**
 * The one SQL for bars of an interval, oldest first, as rows of (bucket, open, high, low, close, volume,
 * vwap, trade_count, source, delayed) for symbol $1 and $2 <= minute < $3. 1m bars are the stored rows;
 * longer intervals are aggregated here. Both answer formats select from it.
 */
function intervalBarsSql(interval: BarInterval): string {
  if (interval === "1m")
    return `SELECT minute AS bucket, open, high, low, close, volume, vwap, trade_count, source, delayed
              FROM bars_1m
             WHERE symbol = $1 AND minute >= $2 AND minute < $3
             ORDER BY minute
             LIMIT ${MAX_BARS}`;
  return `SELECT ${BUCKET[interval]} AS bucket,
                 (array_agg(open ORDER BY minute))[1] AS open,
                 max(high) AS high,
                 min(low) AS low,
                 (array_agg(close ORDER BY minute DESC))[1] AS close,
                 sum(volume)::float8 AS volume,
                 CASE WHEN sum(volume) FILTER (WHERE vwap IS NOT NULL) > 0
                      THEN (sum(vwap * volume) FILTER (WHERE vwap IS NOT NULL) / sum(volume) FILTER (WHERE vwap IS NOT NULL))::float8
                 END AS vwap,
                 sum(trade_count)::int AS trade_count,
                 (array_agg(source ORDER BY minute DESC))[1] AS source,
                 bool_or(delayed) AS delayed
            FROM bars_1m
           WHERE symbol = $1 AND minute >= $2 AND minute < $3
           GROUP BY 1
           ORDER BY 1
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
  return result.rows.map((row) => ({
    time: new Date(row.bucket).toISOString(),
    open: row.open,
    high: row.high,
    low: row.low,
    close: row.close,
    volume: row.volume,
    vwap: row.vwap,
    tradeCount: row.trade_count,
    source: row.source as SourceName,
    delayed: row.delayed,
  }));
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
