import type { SourceName } from "@torghut/contracts";
import type { Database } from "@torghut/db";

/** One symbol's latest session from the stored one-minute bars (no row when it has no bars). */
export interface StoredSession {
  symbol: string;
  /** New York date of the latest day with bars. */
  session: string;
  open: number;
  high: number;
  low: number;
  volume: number;
  /** ISO start of the newest stored minute of that day: the figures cover the minutes up to it. */
  lastMinute: string;
  /** One close per 5 minutes of that day, oldest first. */
  sparkline: number[];
  /** The last stored close before that day, if any bar of an earlier day is kept. */
  storedPreviousClose: number | null;
  source: SourceName;
  delayed: boolean;
}

/** The driver's row: snake-case previous close, source as stored text. */
type Row = Omit<StoredSession, "storedPreviousClose" | "source" | "lastMinute"> & {
  previous_close: number | null;
  /** timestamptz: a Date from either driver. */
  last_minute: Date | string;
  source: string;
};

/**
 * Index walks per symbol (symbol, minute): the newest bar names the day, the day's bars give the
 * figures, one more step back gives the last close before it. `$2` bounds how far back a symbol's
 * newest bar may be (a delisted symbol's year-old day is not "today").
 */
const SQL = `
SELECT s.symbol,
       to_char(d.day_start AT TIME ZONE 'America/New_York', 'YYYY-MM-DD') AS session,
       day.open, day.high, day.low, day.volume, day.last_minute, day.source, day.delayed,
       coalesce(spark.closes, '{}') AS sparkline,
       prev.close AS previous_close
  FROM unnest($1::text[]) AS s(symbol)
  CROSS JOIN LATERAL (SELECT minute FROM bars_1m b
                       WHERE b.symbol = s.symbol AND b.minute >= $2
                       ORDER BY minute DESC LIMIT 1) AS newest
  CROSS JOIN LATERAL (SELECT (date_trunc('day', newest.minute AT TIME ZONE 'America/New_York')
                              AT TIME ZONE 'America/New_York') AS day_start) AS d
  CROSS JOIN LATERAL (SELECT (array_agg(open ORDER BY minute))[1] AS open, max(high) AS high,
                             min(low) AS low, sum(volume)::float8 AS volume, max(minute) AS last_minute,
                             (array_agg(source ORDER BY minute DESC))[1] AS source,
                             bool_or(delayed) AS delayed
                        FROM bars_1m b WHERE b.symbol = s.symbol AND b.minute >= d.day_start) AS day
  CROSS JOIN LATERAL (SELECT array_agg(close ORDER BY bucket) AS closes
                        FROM (SELECT date_bin('5 minutes', minute, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
                                     (array_agg(close ORDER BY minute DESC))[1] AS close
                                FROM bars_1m b WHERE b.symbol = s.symbol AND b.minute >= d.day_start
                               GROUP BY 1) AS buckets) AS spark
  LEFT JOIN LATERAL (SELECT close FROM bars_1m b
                      WHERE b.symbol = s.symbol AND b.minute < d.day_start AND b.minute >= $2
                      ORDER BY minute DESC LIMIT 1) AS prev ON true`;

/** How far back a symbol's latest session (and a stored previous close) may lie. */
export const SESSION_LOOKBACK_MS = 10 * 86_400_000;

export async function queryStoredSessions(
  database: Database,
  symbols: readonly string[],
  nowMs: number,
): Promise<Map<string, StoredSession>> {
  const result = await database.query<Row>(SQL, [
    [...symbols],
    new Date(nowMs - SESSION_LOOKBACK_MS).toISOString(),
  ]);
  const out = new Map<string, StoredSession>();
  for (const row of result.rows) {
    out.set(row.symbol, {
      symbol: row.symbol,
      session: row.session,
      open: row.open,
      high: row.high,
      low: row.low,
      volume: row.volume,
      lastMinute: new Date(row.last_minute).toISOString(),
      sparkline: row.sparkline,
      storedPreviousClose: row.previous_close,
      source: row.source as SourceName,
      delayed: row.delayed,
    });
  }
  return out;
}
