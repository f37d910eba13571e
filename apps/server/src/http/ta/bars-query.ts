import type { SourceName } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { queryBars } from "../../store/repositories";
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

/** 1m bars are the stored rows (the store's own query); longer intervals are aggregated in SQL. */
export async function queryIntervalBars(
  database: Database,
  symbol: string,
  interval: BarInterval,
  fromMs: number,
  toMs: number,
): Promise<IntervalBar[]> {
  if (interval === "1m") {
    const bars = await queryBars(database, symbol, fromMs, toMs, MAX_BARS);
    return bars.map(({ minute, symbol: _symbol, ...bar }) => ({ time: minute, ...bar }));
  }
  const bucket = BUCKET[interval];
  const result = await database.query<Row>(
    `SELECT ${bucket} AS bucket,
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
      LIMIT ${MAX_BARS}`,
    [symbol, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
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

/** Whether the symbol is one we know (active or not); unknown symbols are a 404, not an empty list. */
export async function symbolExists(database: Database, symbol: string): Promise<boolean> {
  const result = await database.query<{ found: boolean }>(
    `SELECT true AS found FROM symbols WHERE symbol = $1`,
    [symbol],
  );
  return result.rows.length > 0;
}
