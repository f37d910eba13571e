import type { Queryable } from "@torghut/db";

/**
 * The rollup ladder: each level is aggregated from the one below it, 5m from bars_1m, 1h from
 * bars_5m, 1d from bars_1h, so refreshing one bucket reads at most 5, 12 or 25 rows. The buckets
 * nest (5m and 1h from the same UTC origin; New York midnight falls on a whole UTC hour), which is
 * what makes the ladder exact.
 */
export interface RollupLevel {
  table: "bars_5m" | "bars_1h" | "bars_1d";
  /** The finer table it is aggregated from, and that table's bucket-start column. */
  from: "bars_1m" | "bars_5m" | "bars_1h";
  fromTime: "minute" | "bucket";
  /** SQL: the start of the bucket holding instant `t`. */
  bucketOf(t: string): string;
  /** SQL: the end (exclusive) of the bucket starting at `b`. */
  endOf(b: string): string;
}

const ORIGIN = `TIMESTAMPTZ '2000-01-03 00:00:00+00'`;
const NEW_YORK = `'America/New_York'`;

export const ROLLUPS: readonly RollupLevel[] = [
  {
    table: "bars_5m",
    from: "bars_1m",
    fromTime: "minute",
    bucketOf: (t) => `date_bin('5 minutes', ${t}, ${ORIGIN})`,
    endOf: (b) => `(${b} + interval '5 minutes')`,
  },
  {
    table: "bars_1h",
    from: "bars_5m",
    fromTime: "bucket",
    bucketOf: (t) => `date_bin('1 hour', ${t}, ${ORIGIN})`,
    endOf: (b) => `(${b} + interval '1 hour')`,
  },
  {
    table: "bars_1d",
    from: "bars_1h",
    fromTime: "bucket",
    bucketOf: (t) => `(date_trunc('day', ${t} AT TIME ZONE ${NEW_YORK}) AT TIME ZONE ${NEW_YORK})`,
    endOf: (b) => `((((${b}) AT TIME ZONE ${NEW_YORK}) + interval '1 day') AT TIME ZONE ${NEW_YORK})`,
  },
];

/**
 * The aggregate of finer bars `f` (ordered by `t`) into one bar: open of the first, close of the
 * last, VWAP weighted by the volume that had one, and the least live source present.
 */
export function aggregateColumns(fromTime: string, vwapVolume: string): string {
  return `(array_agg(f.open ORDER BY f.${fromTime}))[1] AS open,
          max(f.high) AS high,
          min(f.low) AS low,
          (array_agg(f.close ORDER BY f.${fromTime} DESC))[1] AS close,
          sum(f.volume)::float8 AS volume,
          (sum(f.vwap * ${vwapVolume}) FILTER (WHERE f.vwap IS NOT NULL) / nullif(sum(${vwapVolume}) FILTER (WHERE f.vwap IS NOT NULL), 0))::float8 AS vwap,
          coalesce(sum(${vwapVolume}) FILTER (WHERE f.vwap IS NOT NULL), 0)::float8 AS vwap_volume,
          sum(f.trade_count)::int AS trade_count,
          CASE WHEN bool_or(f.source = 'yahoo') THEN 'yahoo' WHEN bool_or(f.source = 'backfill') THEN 'backfill'
               ELSE min(f.source) END AS source,
          bool_or(f.delayed) AS delayed`;
}

/** bars_1m has no vwap_volume: a minute's whole volume counts when it has a VWAP. */
function vwapVolumeOf(level: RollupLevel): string {
  return level.from === "bars_1m" ? `f.volume` : `f.vwap_volume`;
}

const UPSERT_TAIL = `ON CONFLICT (symbol, bucket) DO UPDATE SET
  open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
  volume = EXCLUDED.volume, vwap = EXCLUDED.vwap, vwap_volume = EXCLUDED.vwap_volume,
  trade_count = EXCLUDED.trade_count, source = EXCLUDED.source, delayed = EXCLUDED.delayed, updated_at = now()`;

const COLUMNS = `symbol, bucket, open, high, low, close, volume, vwap, vwap_volume, trade_count, source, delayed, updated_at`;

/**
 * Recomputes the level's buckets that hold any of the given minutes ($1: JSON [{symbol, minute}])
 * from the finer table, and upserts them.
 */
function refreshSql(level: RollupLevel): string {
  return `INSERT INTO ${level.table} (${COLUMNS})
SELECT k.symbol, k.bucket, ${aggregateColumns(level.fromTime, vwapVolumeOf(level))}, now()
  FROM (SELECT DISTINCT r.symbol, ${level.bucketOf("r.minute")} AS bucket
          FROM json_to_recordset($1::json) AS r(symbol text, minute timestamptz)) AS k
  JOIN ${level.from} AS f
    ON f.symbol = k.symbol AND f.${level.fromTime} >= k.bucket AND f.${level.fromTime} < ${level.endOf("k.bucket")}
 GROUP BY k.symbol, k.bucket
${UPSERT_TAIL}`;
}

/** Rebuilds a whole level from the finer table (after the tables are created, or to repair). */
export function rebuildLevelSql(level: RollupLevel): string {
  return `INSERT INTO ${level.table} (${COLUMNS})
SELECT f.symbol, ${level.bucketOf(`f.${level.fromTime}`)} AS bucket, ${aggregateColumns(level.fromTime, vwapVolumeOf(level))}, now()
  FROM ${level.from} AS f
 GROUP BY 1, 2
${UPSERT_TAIL}`;
}

/**
 * Brings every rollup holding one of these minutes up to date, level by level (each reads the one
 * just refreshed). Runs after the 1m upsert that changed them, in the same transaction
 * (`upsertBars`), so the aggregator's closing bars and a backfill's rewritten window land in every
 * table or in none: a crash or a refused write between the two cannot leave a day's bar stale.
 */
export async function refreshRollups(
  database: Queryable,
  minutes: readonly { symbol: string; minute: string }[],
): Promise<void> {
  if (minutes.length === 0) return;
  const keys = JSON.stringify(minutes.map(({ symbol, minute }) => ({ symbol, minute })));
  for (const level of ROLLUPS) await database.query(refreshSql(level), [keys]);
}

/** Rebuilds every level from bars_1m. */
export async function rebuildRollups(database: Queryable): Promise<void> {
  for (const level of ROLLUPS) await database.query(rebuildLevelSql(level));
}
