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
 * holds there. Provenance runs start where (source, delayed) changes; `detail` adds vwap and trade
 * count (the arrays the objects form was built from in Node before `jsonObjectsSql`: the bars-read
 * bench's baseline).
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
  params: unknown[],
): Promise<JsonColumns> {
  const result = await database.query<{ columns: string }>(jsonColumnsSql(interval, false), params);
  // An aggregate without GROUP BY always answers exactly one row.
  return JSON.parse(result.rows[0]!.columns) as JsonColumns;
}

/**
 * SQL writing one value as JSON text. A float8 or int cast to text is what float8out writes: the
 * shortest text that reads back as the same double, as JavaScript writes it (`1e-7` aside: PostgreSQL
 * writes `1e-07`, the same number). A boolean cast to text is `true`/`false`. Strings go through
 * `to_json` for their escapes. `coalesce(…, 'null')` everywhere: a NULL would otherwise make the whole
 * bar NULL and `string_agg` would drop it without a word.
 */
const jsonText = {
  number: (column: string) => `coalesce(${column}::text, 'null')`,
  boolean: (column: string) => `coalesce(${column}::text, 'null')`,
  string: (column: string) => `coalesce(to_json(${column})::text, 'null')`,
  /** As `Date.prototype.toISOString` writes it: UTC, milliseconds, `Z`. */
  isoTime: (column: string) =>
    `'"' || to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`,
};

/**
 * The objects form's fields in answer order, each as the SQL writing its JSON: the keys are
 * packages/contracts' bar (`IntervalBar`), so the compiler holds this list to the contract.
 */
const OBJECT_FIELDS: Record<keyof IntervalBar, string> = {
  time: jsonText.isoTime("bucket"),
  open: jsonText.number("open"),
  high: jsonText.number("high"),
  low: jsonText.number("low"),
  close: jsonText.number("close"),
  volume: jsonText.number("volume"),
  vwap: jsonText.number("vwap"),
  tradeCount: jsonText.number("trade_count"),
  source: jsonText.string("source"),
  delayed: jsonText.boolean("delayed"),
};

/**
 * The objects form (`format=objects`, the API's default) as the JSON text of the whole `bars` array,
 * oldest first, written by PostgreSQL: the route sends it as it is. Building 2,730 objects from the
 * arrays in Node and serialising them again cost ~4 ms of the event loop's CPU per 7-day answer (1 ms
 * now), and that answer was the one over the 50 ms p99 goal of issue #20 at 100M ticks; PostgreSQL
 * writes this text in the time it wrote the arrays (BENCHMARKS.md, "bars-read"). Each bar is one text
 * concatenation, compact as `JSON.stringify` writes it; `string_agg` joins them in the order the rows
 * arrive (the ordered subquery; no sort of its own, as in `jsonColumnsSql`). `row_to_json` per bar
 * writes the same bytes in ~1.4× the time, `json_agg(json_build_object(…))` ~1.8× and with spaces.
 */
export function jsonObjectsSql(interval: BarInterval): string {
  const bar = Object.entries(OBJECT_FIELDS)
    .map(([key, sql], i) => `'${i === 0 ? "{" : ","}"${key}":' || ${sql}`)
    .join(" || ");
  return `SELECT '[' || coalesce(string_agg(${bar} || '}', ','), '') || ']' AS bars
            FROM (${intervalBarsSql(interval)}) AS bars`;
}

/** The objects form as JSON text (see `jsonObjectsSql`): the bars route's answer, unparsed. */
export async function queryIntervalBarsJson(
  database: Database,
  symbol: string,
  interval: BarInterval,
  fromMs: number,
  toMs: number,
): Promise<string> {
  const result = await database.query<{ bars: string }>(
    jsonObjectsSql(interval),
    rangeParams(symbol, fromMs, toMs),
  );
  // An aggregate without GROUP BY always answers exactly one row.
  return result.rows[0]!.bars;
}

/** The objects form parsed, for what computes over the bars (indicator signals). */
export async function queryIntervalBars(
  database: Database,
  symbol: string,
  interval: BarInterval,
  fromMs: number,
  toMs: number,
): Promise<IntervalBar[]> {
  return JSON.parse(await queryIntervalBarsJson(database, symbol, interval, fromMs, toMs)) as IntervalBar[];
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
